import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Database } from "../../../src/infra/db/database.ts";
import {
  MIGRATIONS_DIR,
  MigrationFailedError,
  migrate,
} from "../../../src/infra/db/migration-runner.ts";
import { freshPglite, freshPostgres, TEST_DATABASE_URL } from "../../helpers/databases.ts";
import { assertCleanFailure, runCli } from "../../helpers/run-cli.ts";

/** The names of the shipped migrations, in the order they apply. */
const SHIPPED = readdirSync(MIGRATIONS_DIR)
  .filter((file) => file.endsWith(".sql"))
  .sort()
  .map((file) => file.replace(/\.sql$/, ""));

/** The shipped migrations plus extra files, in a folder of their own. */
function migrationsWith(extra: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "keyforge-migrations-"));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) writeFileSync(join(dir, name), sql);
  return dir;
}

async function tables(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
    [db.schema],
  );
  return rows.map((row) => row.table_name);
}

async function appliedNames(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    "SELECT name FROM schema_migrations ORDER BY id",
  );
  return rows.map((row) => row.name);
}

const engines = [
  ["PostgreSQL", freshPostgres],
  ["PGlite", freshPglite],
] as const;

for (const [engine, fresh] of engines) {
  describe(`migrate (${engine})`, () => {
    const drops: (() => Promise<void>)[] = [];
    after(async () => {
      for (const drop of drops) await drop();
    });
    async function empty(): Promise<Database> {
      const { db, drop } = await fresh({ migrated: false });
      drops.push(drop);
      return db;
    }

    it("creates every table on an empty database, then has nothing left to do", async () => {
      const db = await empty();
      const lines: string[] = [];
      assert.deepEqual(await migrate(db, { log: (line) => lines.push(line) }), SHIPPED);
      assert.deepEqual(
        lines,
        SHIPPED.map((name) => `applying ${name}`),
      );
      assert.deepEqual(await tables(db), [
        "api_keys",
        "audit_log",
        "hardware_profiles",
        "jobs",
        "join_tokens",
        "nodes",
        "results",
        "schema_migrations",
        "units",
      ]);
      assert.deepEqual(await migrate(db), []);
    });

    it("names the failed migration and leaves the schema as it was", async () => {
      const db = await empty();
      await migrate(db);
      const before = await tables(db);
      const dir = migrationsWith({
        "9002_add_notes.sql": "CREATE TABLE notes (id integer PRIMARY KEY);",
        "9003_broken.sql": "ALTER TABLE jobs ADD COLUMN tag text;\nSELEC 1;\n",
      });
      await assert.rejects(migrate(db, { dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationFailedError);
        assert.equal(error.migration, "9003_broken");
        assert.match(error.message, /migration 9003_broken failed: .*syntax error.*\(line 2\)/);
        return true;
      });
      assert.deepEqual(await tables(db), before, "9002's table was rolled back too");
      const columns = await db.query(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'jobs' AND column_name = 'tag'",
        [db.schema],
      );
      assert.equal(columns.rowCount, 0);
      assert.deepEqual(await appliedNames(db), SHIPPED);
    });

    it("refuses a new migration that sorts before one already applied", async () => {
      const db = await empty();
      await migrate(db, { dir: migrationsWith({ "9005_late.sql": "SELECT 1;" }) });
      const dir = migrationsWith({
        "9004_early.sql": "SELECT 1;",
        "9005_late.sql": "SELECT 1;",
      });
      await assert.rejects(migrate(db, { dir }), /9004_early is preceding already run migration/);
    });
  });
}

describe("migrate on a shared PostgreSQL", () => {
  it("lets several instances start at once: each migration is applied once", async () => {
    const { db, drop } = await freshPostgres({ migrated: false });
    try {
      const runs = await Promise.all([migrate(db), migrate(db), migrate(db), migrate(db)]);
      assert.deepEqual(runs.flat(), SHIPPED);
      assert.deepEqual(await appliedNames(db), SHIPPED);
    } finally {
      await drop();
    }
  });
});

describe("keyforge migrate", () => {
  it("exits non-zero naming the failed migration, and keeps nothing of that run", () => {
    const folder = join(mkdtempSync(join(tmpdir(), "keyforge-db-")), "db");
    const dir = migrationsWith({ "9002_broken.sql": "CREATE TABLE broken (id nonsense_type);" });
    const failed = runCli(["migrate", "--database", folder, "--dir", dir]);
    assertCleanFailure(failed, /migration 9002_broken failed: type "nonsense_type" does not exist/);
    const retry = runCli(["migrate", "--database", folder]);
    assert.equal(retry.status, 0, retry.stderr);
    assert.ok(
      retry.stdout.includes(`applied ${SHIPPED.length} migration(s): ${SHIPPED.join(", ")}`),
      `the shipped ones were rolled back with the broken one: ${retry.stdout}`,
    );
  });

  it("reports an unreachable server clearly", () => {
    const unreachable = new URL(TEST_DATABASE_URL);
    unreachable.port = "1";
    const result = runCli(["migrate", "--database", unreachable.href]);
    assertCleanFailure(result, /the database is unavailable/);
  });
});
