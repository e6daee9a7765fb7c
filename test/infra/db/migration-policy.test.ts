import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  checkMigrationFolder,
  checkMigrationPolicy,
  type MigrationFile,
  type PolicyViolation,
  readMigrationFolder,
  type SourceFile,
  sqlStatements,
} from "../../../src/infra/db/migration-policy.ts";
import { MIGRATIONS_DIR } from "../../../src/infra/db/migration-runner.ts";
import { KEYFORGE_VERSION } from "../../../src/infra/version.ts";
import { assertCleanFailure, REPO_ROOT, runCli } from "../../helpers/run-cli.ts";

const code: SourceFile[] = [
  { path: "src/infra/db/job-repository.ts", text: "SELECT id, name, spec FROM jobs" },
];

/** The shipped schema, as release 0.1.0 left it (the tables the rules see as existing). */
const base: MigrationFile = {
  name: "0001_base",
  sql: "-- keyforge:release 0.1.0\nCREATE TABLE jobs (id text, name text, spec jsonb, legacy_flag boolean);",
};

/** The violations of `sql` as migration 0002_change of `release`, after `earlier` files. */
function check(
  sql: string,
  options: {
    release?: string;
    earlier?: MigrationFile[];
    sources?: SourceFile[];
    version?: string;
  } = {},
): PolicyViolation[] {
  const release = options.release ?? "0.2.0";
  return checkMigrationPolicy(
    [
      base,
      ...(options.earlier ?? []),
      { name: "0002_change", sql: `-- keyforge:release ${release}\n${sql}` },
    ],
    options.sources ?? code,
    options.version ?? "0.2.0",
  );
}

/** The rules `sql` breaks (see check). */
function rules(sql: string, options: Parameters<typeof check>[1] = {}): string[] {
  return check(sql, options).map((v) => v.rule);
}

describe("the zero-downtime migration policy", () => {
  it("holds for every shipped migration", async () => {
    assert.deepEqual(await checkMigrationFolder(MIGRATIONS_DIR), []);
  });

  it("lets a migration add tables, nullable columns and columns with a constant default", () => {
    assert.deepEqual(
      rules(`
        CREATE TABLE tags (id integer PRIMARY KEY, label text NOT NULL);
        CREATE INDEX tags_by_label ON tags (label);
        ALTER TABLE jobs ADD COLUMN note text;
        ALTER TABLE jobs ADD COLUMN weight integer NOT NULL DEFAULT 1, ADD COLUMN seen boolean;
        ALTER TABLE jobs ADD COLUMN stamped timestamptz DEFAULT now();
        ALTER TABLE jobs ALTER COLUMN note SET DEFAULT 'none', ALTER COLUMN weight DROP NOT NULL;
        ALTER TABLE jobs ADD CONSTRAINT weight_positive CHECK (weight > 0) NOT VALID;
        DROP INDEX jobs_by_weight;
        ALTER TABLE jobs DROP CONSTRAINT weight_positive;
      `),
      [],
    );
  });

  describe("releases", () => {
    it("needs every file to declare one release, in order, none after package.json's", () => {
      const noHeader = checkMigrationPolicy([{ name: "0001_x", sql: "SELECT 1;" }], code, "0.1.0");
      assert.equal(noHeader[0]?.rule, "release");
      assert.match(
        noHeader[0]?.message ?? "",
        /declares no release; add a line "-- keyforge:release 0\.1\.0"/,
      );
      assert.deepEqual(rules("SELECT 1;", { release: "0.3.0" }), ["release"]);
      assert.match(
        check("SELECT 1;", { release: "0.3.0" })[0]?.message ?? "",
        /after package\.json's version 0\.2\.0; bump/,
      );
      assert.deepEqual(rules("SELECT 1;", { release: "0.0.9" }), ["release"]);
      assert.deepEqual(rules("SELECT 1;", { release: "two" }), ["release"]);
      assert.deepEqual(rules("-- keyforge:release 0.2.0\nSELECT 1;"), ["release"]);
    });

    it("refuses unknown directives and an exception without a reason", () => {
      assert.deepEqual(rules("-- keyforge:no-transation\nSELECT 1;"), ["directive"]);
      assert.deepEqual(rules("-- keyforge:allow-lock\nCREATE INDEX i ON jobs (name);"), [
        "directive",
        "lock-index",
      ]);
    });
  });

  describe("dropping a column or table", () => {
    const retiredIn = (release: string): MigrationFile => ({
      name: "0001_retire",
      sql: `-- keyforge:release ${release}\n-- keyforge:retire jobs.legacy_flag\n-- keyforge:retire old_stats\n`,
    });

    it("is refused when nothing retired it, naming the file, line and rule", () => {
      const [found, ...rest] = check("\n\nALTER TABLE jobs DROP COLUMN spec;");
      assert.equal(rest.length, 0);
      assert.equal(found?.migration, "0002_change");
      assert.equal(found?.line, 4);
      assert.equal(found?.rule, "drop");
      assert.match(
        found?.message ?? "",
        /drops column jobs\.spec, which the running release may still use; retire it/,
      );
      assert.match(found?.statement ?? "", /alter table jobs drop column spec/);
      assert.deepEqual(rules('ALTER TABLE "jobs" DROP "spec" CASCADE;'), ["drop"]);
      assert.deepEqual(rules("ALTER TABLE public.jobs DROP IF EXISTS spec;"), ["drop"]);
      assert.deepEqual(rules("DROP TABLE jobs;"), ["drop"]);
    });

    it("is refused in the release that retired it: its code may still be running", () => {
      const sql = "-- keyforge:retire jobs.legacy_flag\nALTER TABLE jobs DROP COLUMN legacy_flag;";
      assert.deepEqual(rules(sql), ["drop"]);
      const [found] = check("ALTER TABLE jobs DROP COLUMN legacy_flag;", {
        earlier: [retiredIn("0.2.0")],
      });
      assert.match(
        found?.message ?? "",
        /drops column jobs\.legacy_flag in release 0\.2\.0, but it was retired in release 0\.2\.0 \(0001_retire\).*later release/,
      );
    });

    it("is accepted in a release after the one that retired it", () => {
      const earlier = [retiredIn("0.2.0")];
      const sql = "ALTER TABLE jobs DROP COLUMN legacy_flag;\nDROP TABLE old_stats;";
      assert.deepEqual(rules(sql, { earlier, release: "0.3.0", version: "0.3.0" }), []);
      assert.deepEqual(
        rules("ALTER TABLE jobs DROP COLUMN spec;", {
          earlier,
          release: "0.3.0",
          version: "0.3.0",
        }),
        ["drop"],
        "only what was retired",
      );
    });

    it("cannot be retired while a source file still names it", () => {
      const stillUsed = [...code, { path: "src/hive/jobs.ts", text: "row.legacy_flag" }];
      const [found] = check("-- keyforge:retire jobs.legacy_flag\n", { sources: stillUsed });
      assert.equal(found?.rule, "retire");
      assert.equal(found?.line, 2);
      assert.equal(
        found?.message,
        'retires jobs.legacy_flag, but src/hive/jobs.ts still names "legacy_flag"',
      );
    });

    it("frees the name for new code once a later release dropped it", () => {
      const reused = [...code, { path: "src/hive/jobs.ts", text: "row.legacy_flag; old_stats" }];
      const earlier = [retiredIn("0.2.0")];
      const drop = "ALTER TABLE jobs DROP COLUMN legacy_flag;";
      const after = { earlier, release: "0.3.0", version: "0.3.0", sources: reused };
      assert.deepEqual(
        rules(drop, after),
        ["retire"],
        "old_stats is retired, not dropped: new code may not name it yet",
      );
      assert.deepEqual(rules(`${drop}\nDROP TABLE old_stats;`, after), []);
    });
  });

  it("refuses renames, type changes and NOT NULL columns without a default", () => {
    for (const [sql, rule] of [
      ["ALTER TABLE jobs RENAME COLUMN name TO title;", "rename"],
      ["ALTER TABLE jobs RENAME TO old_jobs;", "rename"],
      ["ALTER TABLE jobs ALTER COLUMN name TYPE bigint;", "type-change"],
      ["ALTER TABLE jobs ALTER name SET DATA TYPE bigint;", "type-change"],
      ["ALTER TABLE jobs ADD COLUMN owner text NOT NULL;", "not-null-column"],
    ] as const) {
      assert.deepEqual(rules(sql), [rule], sql);
    }
  });

  describe("statements that hold a busy table locked", () => {
    const refused: [string, string][] = [
      ["CREATE INDEX jobs_by_name ON jobs (name);", "lock-index"],
      ["CREATE UNIQUE INDEX IF NOT EXISTS jobs_by_name ON public.jobs (name);", "lock-index"],
      ["ALTER TABLE jobs ADD CONSTRAINT named CHECK (name <> '');", "lock-constraint"],
      ["ALTER TABLE jobs ADD FOREIGN KEY (name) REFERENCES tags (id);", "lock-constraint"],
      ["ALTER TABLE jobs ADD CONSTRAINT one_name UNIQUE (name);", "lock-constraint"],
      ["ALTER TABLE jobs ADD COLUMN n integer CHECK (n > 0);", "lock-constraint"],
      ["ALTER TABLE jobs ADD COLUMN tag text REFERENCES tags (id);", "lock-constraint"],
      ["ALTER TABLE jobs ADD COLUMN token uuid DEFAULT gen_random_uuid();", "lock-default"],
      ["ALTER TABLE jobs ADD COLUMN r float8 NOT NULL DEFAULT random();", "lock-default"],
      ["ALTER TABLE jobs ADD COLUMN at timestamptz DEFAULT clock_timestamp();", "lock-default"],
      ["ALTER TABLE jobs ADD COLUMN n bigserial;", "lock-default"],
      ["ALTER TABLE jobs ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;", "lock-default"],
      [
        "ALTER TABLE jobs ADD COLUMN l int GENERATED ALWAYS AS (length(name)) STORED;",
        "lock-default",
      ],
      ["ALTER TABLE jobs ALTER COLUMN name SET NOT NULL;", "lock-set-not-null"],
    ];

    it("are refused on an existing table", () => {
      for (const [sql, rule] of refused) assert.deepEqual(rules(sql), [rule], sql);
    });

    it("pass with a reviewed exception: -- keyforge:allow-lock <reason>", () => {
      for (const [sql] of refused) {
        assert.deepEqual(rules(`-- keyforge:allow-lock jobs holds ten rows\n${sql}`), [], sql);
      }
      assert.deepEqual(
        rules(
          "-- keyforge:allow-lock small\nCREATE INDEX a ON jobs (name);\nCREATE INDEX b ON jobs (spec);",
        ),
        ["lock-index"],
        "the exception covers the next statement only",
      );
    });

    it("are free on a table created in the same migration", () => {
      const sql = `CREATE TABLE scratch (id integer, note text);
        CREATE INDEX scratch_by_note ON scratch (note);
        ALTER TABLE scratch ADD CONSTRAINT c CHECK (id > 0), ADD COLUMN at timestamptz DEFAULT clock_timestamp();
        ALTER TABLE scratch ALTER COLUMN id SET NOT NULL, DROP COLUMN note;
        DROP TABLE scratch;`;
      assert.deepEqual(rules(sql), []);
    });

    it("want CREATE INDEX CONCURRENTLY, in a no-transaction migration", () => {
      const sql = "CREATE INDEX CONCURRENTLY IF NOT EXISTS jobs_by_name ON jobs (name);";
      assert.deepEqual(rules(sql), ["no-transaction"]);
      assert.match(check(sql)[0]?.message ?? "", /-- keyforge:no-transaction/);
      assert.deepEqual(rules(`-- keyforge:no-transaction\n${sql}`), []);
      assert.deepEqual(rules("DROP INDEX CONCURRENTLY jobs_by_name;"), ["no-transaction"]);
    });

    it("accept a constraint added NOT VALID and validated outside the adding transaction", () => {
      const added: MigrationFile = {
        name: "0001_add",
        sql: "-- keyforge:release 0.2.0\nALTER TABLE jobs ADD CONSTRAINT named CHECK (name <> '') NOT VALID;",
      };
      const validate = "ALTER TABLE jobs VALIDATE CONSTRAINT named;";
      assert.deepEqual(
        rules(validate, { earlier: [added] }),
        ["lock-constraint"],
        "same release: one transaction",
      );
      assert.deepEqual(rules(`-- keyforge:no-transaction\n${validate}`, { earlier: [added] }), []);
      assert.deepEqual(
        rules(validate, { earlier: [added], release: "0.3.0", version: "0.3.0" }),
        [],
      );
    });

    it("accept SET NOT NULL after a validated CHECK (col IS NOT NULL)", () => {
      const recipe: MigrationFile = {
        name: "0001_recipe",
        sql: `-- keyforge:release 0.2.0
          -- keyforge:no-transaction
          ALTER TABLE jobs ADD CONSTRAINT jobs_name_not_null CHECK (name IS NOT NULL) NOT VALID;
          ALTER TABLE jobs VALIDATE CONSTRAINT jobs_name_not_null;`,
      };
      const setNotNull = "ALTER TABLE jobs ALTER COLUMN name SET NOT NULL;";
      assert.deepEqual(rules(setNotNull, { earlier: [recipe] }), []);
      assert.deepEqual(
        rules("ALTER TABLE jobs ALTER COLUMN spec SET NOT NULL;", { earlier: [recipe] }),
        ["lock-set-not-null"],
        "the constraint covers its own column only",
      );
      const unvalidated: MigrationFile = {
        name: "0001_recipe",
        sql: "-- keyforge:release 0.2.0\nALTER TABLE jobs ADD CONSTRAINT jobs_name_not_null CHECK (name IS NOT NULL) NOT VALID;",
      };
      assert.deepEqual(rules(setNotNull, { earlier: [unvalidated] }), ["lock-set-not-null"]);
    });
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
    const release = `-- keyforge:release ${KEYFORGE_VERSION}\n`;
    writeFileSync(join(dir, "0001_base.sql"), `${release}CREATE TABLE t (a text, b text);`);
    writeFileSync(join(dir, "0002_drop.sql"), `${release}\nALTER TABLE t DROP COLUMN b;`);
    assertCleanFailure(
      runCli(["migrate", "--check-policy", "--dir", dir]),
      /0002_drop\.sql:3 \[drop\] drops column t\.b/,
    );
    const ok = runCli(["migrate", "--check-policy"]);
    assert.equal(ok.status, 0, ok.stderr);
  });
});

/** package.json's version at `commit`, or in the work tree when `commit` is null. */
function versionAt(commit: string | null): string {
  const text =
    commit === null
      ? readFileSync(join(REPO_ROOT, "package.json"), "utf8")
      : execFileSync("git", ["show", `${commit}:package.json`], {
          cwd: REPO_ROOT,
          encoding: "utf8",
        });
  return JSON.parse(text).version;
}

describe("the release a migration declares", () => {
  /** Why the history cannot say when each file was added, or null when it can. */
  const missingHistory = (() => {
    try {
      const shallow = execFileSync("git", ["rev-parse", "--is-shallow-repository"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
      return shallow === "true"
        ? "a shallow clone: the commits that added the migrations may be missing"
        : null;
    } catch {
      return "not a git checkout: the history that proves the releases is missing";
    }
  })();

  it("is package.json's version at the commit that added the file", {
    skip: missingHistory ?? false,
  }, async () => {
    for (const migration of await readMigrationFolder(MIGRATIONS_DIR)) {
      const added = execFileSync(
        "git",
        ["log", "--diff-filter=A", "--format=%H", "--", `migrations/${migration.name}.sql`],
        { cwd: REPO_ROOT, encoding: "utf8" },
      )
        .trim()
        .split("\n")
        .filter((line) => line !== "")
        .at(-1);
      const expected = versionAt(added ?? null);
      assert.match(
        migration.sql,
        new RegExp(`^-- keyforge:release ${expected.replace(/\./g, "\\.")}$`, "m"),
        `${migration.name}.sql was added ${added ? `by ${added.slice(0, 12)}` : "in the work tree"}, when package.json said ${expected}; a migration belongs to the release it was written for (bump the version first)`,
      );
    }
  });
});
