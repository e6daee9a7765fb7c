import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  checkMigrationFolder,
  checkMigrationPolicy,
  type SourceFile,
  sqlStatements,
} from "../../../src/infra/db/migration-policy.ts";
import { MIGRATIONS_DIR } from "../../../src/infra/db/migration-runner.ts";
import { assertCleanFailure, runCli } from "../../helpers/run-cli.ts";

const code: SourceFile[] = [
  { path: "src/infra/db/job-repository.ts", text: "SELECT id, name, spec FROM jobs" },
];

/** The messages of the violations of one migration `0002_change`. */
function problems(sql: string, sources: readonly SourceFile[] = code): string[] {
  return checkMigrationPolicy([{ name: "0002_change", sql }], sources).map((v) => v.message);
}

describe("the zero-downtime migration policy", () => {
  it("holds for every shipped migration", async () => {
    assert.deepEqual(await checkMigrationFolder(MIGRATIONS_DIR), []);
  });

  it("lets a migration add tables, nullable columns, columns with defaults and indexes", () => {
    assert.deepEqual(
      problems(`
        CREATE TABLE tags (id integer PRIMARY KEY, label text NOT NULL);
        ALTER TABLE jobs ADD COLUMN note text;
        ALTER TABLE jobs ADD COLUMN weight integer NOT NULL DEFAULT 1, ADD COLUMN seen boolean;
        ALTER TABLE jobs ADD COLUMN serial bigint GENERATED ALWAYS AS IDENTITY;
        ALTER TABLE jobs ALTER COLUMN note SET DEFAULT 'none', ALTER COLUMN weight DROP NOT NULL;
        ALTER TABLE jobs ADD CONSTRAINT weight_positive CHECK (weight > 0);
        CREATE INDEX jobs_by_weight ON jobs (weight);
        DROP INDEX jobs_by_weight;
        ALTER TABLE jobs DROP CONSTRAINT weight_positive;
      `),
      [],
    );
  });

  it("rejects dropping a column", () => {
    const found = checkMigrationPolicy(
      [{ name: "0002_change", sql: "ALTER TABLE jobs DROP COLUMN spec;" }],
      code,
    );
    assert.equal(found.length, 1);
    assert.equal(found[0]?.migration, "0002_change");
    assert.match(found[0]?.message ?? "", /drops column jobs\.spec/);
    assert.match(found[0]?.statement ?? "", /alter table jobs drop column spec/);
    assert.equal(problems('ALTER TABLE "jobs" DROP "spec" CASCADE;').length, 1);
    assert.equal(problems("ALTER TABLE public.jobs DROP IF EXISTS spec;").length, 1);
  });

  it("allows dropping a retired column once no source file names it", () => {
    const sql = "-- keyforge:retire jobs.legacy_flag\nALTER TABLE jobs DROP COLUMN legacy_flag;";
    assert.deepEqual(problems(sql), []);
    const stillUsed = [...code, { path: "src/hive/jobs.ts", text: "row.legacy_flag" }];
    assert.deepEqual(problems(sql, stillUsed), [
      'retires jobs.legacy_flag, but src/hive/jobs.ts still names "legacy_flag"',
    ]);
    assert.equal(
      problems("-- keyforge:retire jobs.other\nALTER TABLE jobs DROP COLUMN legacy_flag;").length,
      1,
      "the declaration must name the dropped column",
    );
  });

  it("rejects renames, type changes, SET NOT NULL and NOT NULL columns without a default", () => {
    for (const sql of [
      "ALTER TABLE jobs RENAME COLUMN name TO title;",
      "ALTER TABLE jobs RENAME TO old_jobs;",
      "ALTER TABLE jobs ALTER COLUMN priority TYPE bigint;",
      "ALTER TABLE jobs ALTER priority SET DATA TYPE bigint;",
      "ALTER TABLE jobs ALTER COLUMN name SET NOT NULL;",
      "ALTER TABLE jobs ADD COLUMN owner text NOT NULL;",
      "ALTER TABLE jobs ADD COLUMN note text, ADD COLUMN owner text NOT NULL REFERENCES api_keys (id);",
      "DROP TABLE jobs;",
    ]) {
      assert.equal(problems(sql).length, 1, sql);
    }
  });

  it("leaves tables created in the same migration alone", () => {
    assert.deepEqual(
      problems(`
        CREATE TABLE scratch (id integer, note text);
        ALTER TABLE scratch ALTER COLUMN id SET NOT NULL, DROP COLUMN note;
        DROP TABLE scratch;
      `),
      [],
    );
  });

  it("does not mistake strings and comments for statements", () => {
    assert.deepEqual(
      sqlStatements(`
        -- ALTER TABLE jobs DROP COLUMN spec;
        /* DROP TABLE jobs; */
        INSERT INTO audit_log (actor, action) VALUES ('it''s; DROP TABLE jobs', $$x; DROP TABLE jobs$$);
      `),
      ["insert into audit_log (actor, action) values ('', '')"],
    );
  });

  it("is checked by keyforge migrate --check-policy", () => {
    const dir = mkdtempSync(join(tmpdir(), "keyforge-policy-"));
    writeFileSync(join(dir, "0001_base.sql"), "CREATE TABLE t (a text, b text);");
    writeFileSync(join(dir, "0002_drop.sql"), "ALTER TABLE t DROP COLUMN b;");
    assertCleanFailure(
      runCli(["migrate", "--check-policy", "--dir", dir]),
      /0002_drop: drops column t\.b/,
    );
    const ok = runCli(["migrate", "--check-policy"]);
    assert.equal(ok.status, 0, ok.stderr);
  });
});
