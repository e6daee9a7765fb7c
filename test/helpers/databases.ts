import { randomBytes } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
 * Creating a PGlite database (its initdb) takes seconds; loading a saved empty one takes a
 * fraction of that. The empty database is saved once per machine and PGlite version, in the
 * temporary folder, and every fresh store starts from it.
 */
async function emptyPgliteDump(): Promise<Blob> {
  // The version pinned in package.json is the one installed (npm ci).
  const manifest = JSON.parse(
    await readFile(new URL("../../package.json", import.meta.url), "utf8"),
  );
  const version = manifest.dependencies["@electric-sql/pglite"] as string;
  const file = join(tmpdir(), `keyforge-test-pglite-${version}.tar.gz`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const pglite = await PGlite.create();
    const dump = await pglite.dumpDataDir("gzip");
    await pglite.close();
    // Written aside and renamed: a parallel test file never reads half a dump.
    const partial = `${file}.${process.pid}`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
    return dump;
  }
}

let emptyDump: Promise<Blob> | undefined;

export async function freshPglite(
  options: { migrated?: boolean } = {},
): Promise<{ db: PgliteDatabase; drop: () => Promise<void> }> {
  emptyDump ??= emptyPgliteDump();
  const db = new PgliteDatabase(await PGlite.create({ loadDataDir: await emptyDump }));
  if (options.migrated !== false) await migrate(db);
  return { db, drop: () => db.close() };
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
