import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Database } from "../../../src/infra/db/database.ts";
import { migrate } from "../../../src/infra/db/migration-runner.ts";
import { checkSchema, expectedSchema } from "../../../src/infra/db/schema-check.ts";
import { freshPglite, freshPostgres } from "../../helpers/databases.ts";

/** Expects checkSchema to refuse `db`, listing a problem about `subject` that matches `message`. */
async function assertRefused(db: Database, subject: string, message: RegExp): Promise<void> {
  await assert.rejects(
    () => checkSchema(db),
    (error: Error & { code?: string; problems?: { subject: string; message: string }[] }) =>
      error.code === "SCHEMA_MISMATCH" &&
      /does not match this release's migrations; not serving on it/.test(error.message) &&
      (error.problems ?? []).some((p) => p.subject === subject && message.test(p.message)),
  );
}

describe("expectedSchema", () => {
  it("reads the tables and result functions the shipped migrations create", async () => {
    const expected = await expectedSchema();
    for (const table of ["api_keys", "jobs", "units", "results", "join_tokens"]) {
      assert.ok(expected.tables.has(table), table);
    }
    assert.equal(expected.functions.get("accept_results"), "batch jsonb");
    assert.equal(expected.functions.get("settle_job"), "settled_job text");
  });
});

for (const [engine, fresh] of [
  ["PostgreSQL", freshPostgres],
  ["PGlite", freshPglite],
] as const) {
  describe(`checkSchema (${engine})`, () => {
    const drops: (() => Promise<void>)[] = [];
    after(async () => {
      for (const drop of drops) await drop();
    });
    async function migrated(): Promise<Database> {
      const { db, drop } = await fresh();
      drops.push(drop);
      return db;
    }

    it("accepts the schema the migrations build", async () => {
      await checkSchema(await migrated());
    });

    it("refuses a database where a result function was dropped", async () => {
      const db = await migrated();
      await db.query("DROP FUNCTION accept_results(jsonb)");
      await assertRefused(
        db,
        "accept_results",
        /function accept_results\(batch jsonb\) is missing/,
      );
    });

    it("refuses a function with other arguments", async () => {
      const db = await migrated();
      await db.query("DROP FUNCTION settle_job(text)");
      await db.query(
        "CREATE FUNCTION settle_job(settled_job integer) RETURNS text LANGUAGE sql AS 'SELECT NULL::text'",
      );
      await assertRefused(
        db,
        "settle_job",
        /takes \(settled_job integer\), not \(settled_job text\)/,
      );
    });

    it("refuses a ghost migration row and a missing one", async () => {
      const db = await migrated();
      await db.query(
        "INSERT INTO schema_migrations (name, run_on) VALUES ('0001a_from_elsewhere', now())",
      );
      await db.query("DELETE FROM schema_migrations WHERE name = '0001_stores'");
      await assertRefused(db, "0001a_from_elsewhere", /does not ship/);
      await assertRefused(db, "0001_stores", /shipped but not recorded/);
    });

    it("serves on a newer release's schema: migrations recorded after every shipped one", async () => {
      const db = await migrated();
      await db.query(
        "INSERT INTO schema_migrations (name, run_on) VALUES ('9999_a_later_release', now())",
      );
      await migrate(db); // what a start does first
      await checkSchema(db);
    });

    it("refuses a missing table", async () => {
      const db = await migrated();
      await db.query("DROP TABLE audit_log");
      await assertRefused(db, "audit_log", /table audit_log is missing/);
    });
  });
}
