import { randomBytes } from "node:crypto";
import { after, describe } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import type { Database } from "../../src/infra/db/database.ts";
import { migrate } from "../../src/infra/db/migration-runner.ts";
import { PgliteDatabase } from "../../src/infra/db/pglite-database.ts";
import { PostgresDatabase } from "../../src/infra/db/postgres-database.ts";

/** The machine's PostgreSQL (started by .ci/run when it is down). */
export const TEST_DATABASE_URL =
  process.env.KEYFORGE_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A PostgreSQL store in a schema of its own, dropped again by `drop`. */
export async function freshPostgres(
  options: { maxConnections?: number; migrated?: boolean } = {},
): Promise<{ db: PostgresDatabase; drop: () => Promise<void> }> {
  const schema = `kf_test_${randomBytes(6).toString("hex")}`;
  const db = new PostgresDatabase(TEST_DATABASE_URL, {
    schema,
    maxConnections: options.maxConnections,
  });
  await db.ensureSchema();
  if (options.migrated !== false) await migrate(db);
  return {
    db,
    drop: async () => {
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    },
  };
}

/**
 * Starting PGlite takes seconds; cloning a started one takes a fraction of that. The template
 * closes with the last clone, so nothing keeps the process alive.
 */
let pgliteTemplate: Promise<PGlite> | undefined;
let liveClones = 0;

export async function freshPglite(
  options: { migrated?: boolean } = {},
): Promise<{ db: PgliteDatabase; drop: () => Promise<void> }> {
  pgliteTemplate ??= PGlite.create();
  const template = pgliteTemplate;
  liveClones++;
  const db = new PgliteDatabase(await (await template).clone());
  if (options.migrated !== false) await migrate(db);
  return {
    db,
    drop: async () => {
      await db.close();
      if (--liveClones === 0 && pgliteTemplate === template) {
        pgliteTemplate = undefined;
        await (await template).close();
      }
    },
  };
}

/**
 * Declares the same contract suite for both implementations of the store. `suite` receives a
 * function that opens a migrated, empty store; every store opened is closed after the suite.
 */
export function forEachDatabase(
  title: string,
  suite: (open: () => Promise<Database>) => void,
): void {
  const engines = [
    ["PostgreSQL", freshPostgres],
    ["PGlite", freshPglite],
  ] as const;
  for (const [engine, fresh] of engines) {
    describe(`${title} (${engine})`, () => {
      const drops: (() => Promise<void>)[] = [];
      after(async () => {
        for (const drop of drops) await drop();
      });
      suite(async () => {
        const { db, drop } = await fresh();
        drops.push(drop);
        return db;
      });
    });
  }
}
