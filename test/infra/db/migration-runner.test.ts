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

    it("runs a -- keyforge:no-transaction file alone, outside the batch's transaction", async () => {
      const db = await empty();
      const dir = migrationsWith({
        "9001_notes.sql": "CREATE TABLE notes (id integer PRIMARY KEY, body text);",
        "9002_index.sql": `-- keyforge:no-transaction
          CREATE INDEX CONCURRENTLY IF NOT EXISTS jobs_by_name ON jobs (name);
          CREATE INDEX CONCURRENTLY IF NOT EXISTS notes_by_body ON notes (body);`,
        "9003_more.sql": "ALTER TABLE notes ADD COLUMN seen boolean;",
      });
      const lines: string[] = [];
      const applied = await migrate(db, { dir, log: (line) => lines.push(line) });
      assert.deepEqual(applied, [...SHIPPED, "9001_notes", "9002_index", "9003_more"]);
      assert.deepEqual(await appliedNames(db), applied);
      const { rows } = await db.query<{ name: string; valid: boolean }>(
        `SELECT c.relname AS name, i.indisvalid AS valid
           FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
           JOIN pg_namespace AS n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname IN ('jobs_by_name', 'notes_by_body') ORDER BY 1`,
        [db.schema],
      );
      assert.deepEqual(rows, [
        { name: "jobs_by_name", valid: true },
        { name: "notes_by_body", valid: true },
      ]);
      assert.deepEqual(await migrate(db, { dir }), []);
    });

    it("keeps what committed before a failure after a no-transaction file, and says so", async () => {
      const db = await empty();
      const dir = migrationsWith({
        "9001_notes.sql": "CREATE TABLE notes (id integer PRIMARY KEY);",
        "9002_index.sql":
          "-- keyforge:no-transaction\nCREATE INDEX CONCURRENTLY notes_by_id ON notes (id);",
        "9003_tags.sql": "CREATE TABLE tags (id integer);",
        "9004_broken.sql": "ALTER TABLE notes ADD COLUMN tag text;\nSELEC 1;\n",
      });
      await assert.rejects(migrate(db, { dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationFailedError);
        assert.equal(error.migration, "9004_broken");
        assert.deepEqual(error.kept, [...SHIPPED, "9001_notes", "9002_index"]);
        assert.match(
          error.message,
          /migration 9004_broken failed: .*syntax error.*\(line 2\); .*9001_notes, 9002_index committed before it and stay applied; the rest of this run was rolled back/,
        );
        return true;
      });
      assert.deepEqual(await appliedNames(db), [...SHIPPED, "9001_notes", "9002_index"]);
      assert.ok((await tables(db)).includes("notes"));
      assert.ok(!(await tables(db)).includes("tags"), "9003 was in the rolled-back transaction");
    });

    it("names the file line of a failed statement in a no-transaction file", async () => {
      const db = await empty();
      await migrate(db);
      const dir = migrationsWith({
        "9002_index.sql": `-- keyforge:no-transaction
CREATE INDEX CONCURRENTLY jobs_by_name ON jobs (name);

CREATE INDEX CONCURRENTLY jobs_by_nothing
  ON jobs (no_such_column);
`,
      });
      await assert.rejects(migrate(db, { dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationFailedError);
        assert.deepEqual(error.kept, []);
        assert.match(
          error.message,
          /migration 9002_index failed: column "no_such_column" does not exist \(line 4\); no migration of this run was applied.*9002_index runs outside a transaction: its statements before the failed one stay applied/,
        );
        return true;
      });
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
  it("lets several instances start at once: each migration is applied once, under the advisory lock even outside a transaction", async () => {
    const { db, drop } = await freshPostgres({ migrated: false });
    try {
      const dir = migrationsWith({
        "9002_index.sql":
          "-- keyforge:no-transaction\nCREATE INDEX CONCURRENTLY jobs_by_name ON jobs (name);",
      });
      const expected = [...SHIPPED, "9002_index"];
      const runs = await Promise.all([1, 2, 3, 4].map(() => migrate(db, { dir })));
      assert.deepEqual(runs.flat(), expected);
      assert.deepEqual(await appliedNames(db), expected);
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
