import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { failWithProblems, type Problem } from "../../core/errors.ts";
import type { Database } from "./database.ts";
import { sqlStatements } from "./migration-file.ts";
import { bare, CREATE_TABLE, DROP_TABLE } from "./migration-policy.ts";
import { MIGRATIONS_DIR, MIGRATIONS_TABLE } from "./migration-runner.ts";

/** What the shipped migrations leave behind, read from their SQL: the one declaration. */
export interface ExpectedSchema {
  /** Migration names, in the order they apply. */
  readonly migrations: readonly string[];
  readonly tables: ReadonlySet<string>;
  /** Function name to its argument list, as PostgreSQL prints it (normalised). */
  readonly functions: ReadonlyMap<string, string>;
}

const CREATE_FUNCTION =
  /^create (?:or replace )?function (?:[a-z_][a-z0-9_$]*\.)?([a-z_][a-z0-9_$]*) ?\((.*?)\) returns /;
const DROP_FUNCTION = /^drop function (?:if exists )?(?:[a-z_][a-z0-9_$]*\.)?([a-z_][a-z0-9_$]*)/;

/** The spellings PostgreSQL prints for the type names a migration may write. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: "integer",
  int4: "integer",
  int8: "bigint",
  int2: "smallint",
  bool: "boolean",
  float8: "double precision",
  float4: "real",
  varchar: "character varying",
  timestamptz: "timestamp with time zone",
};

/** An argument list in one spelling: lower case, single spaces, PostgreSQL's type names. */
function normalisedArguments(list: string): string {
  return list
    .toLowerCase()
    .split(",")
    .map((argument) =>
      argument
        .trim()
        .split(/\s+/)
        .map((word) => TYPE_NAMES[word] ?? word)
        .join(" "),
    )
    .filter((argument) => argument !== "")
    .join(", ");
}

/** Reads the tables and functions the migrations of `dir` create (and have not dropped since). */
export async function expectedSchema(dir: string = MIGRATIONS_DIR): Promise<ExpectedSchema> {
  const files = (await readdir(dir)).filter((file) => /^[^.].*\.sql$/.test(file)).sort();
  const tables = new Set<string>();
  const functions = new Map<string, string>();
  for (const file of files) {
    for (const statement of sqlStatements(await readFile(join(dir, file), "utf8"))) {
      const table = CREATE_TABLE.exec(statement);
      const dropped = DROP_TABLE.exec(statement);
      const created = CREATE_FUNCTION.exec(statement);
      const droppedFunction = DROP_FUNCTION.exec(statement);
      if (table) tables.add(bare(table[1] as string));
      for (const name of dropped?.[1]?.split(",") ?? []) tables.delete(bare(name.trim()));
      if (created) functions.set(created[1] as string, normalisedArguments(created[2] as string));
      if (droppedFunction) functions.delete(droppedFunction[1] as string);
    }
  }
  return { migrations: files.map((file) => file.replace(/\.sql$/, "")), tables, functions };
}

/** What the database holds of the schema: recorded migrations, tables and functions. */
async function actualSchema(db: Database) {
  const { rows: tableRows } = await db.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1",
    [db.schema],
  );
  const tables = new Set(tableRows.map((row) => row.name));
  const migrations = tables.has(MIGRATIONS_TABLE)
    ? (
        await db.query<{ name: string }>(
          `SELECT name FROM ${db.schema}.${MIGRATIONS_TABLE} ORDER BY run_on, id`,
        )
      ).rows.map((row) => row.name)
    : [];
  const { rows: functionRows } = await db.query<{ name: string; arguments: string }>(
    `SELECT p.proname AS name, pg_get_function_identity_arguments(p.oid) AS arguments
       FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
      WHERE n.nspname = $1`,
    [db.schema],
  );
  const functions = new Map<string, string[]>();
  for (const row of functionRows) {
    functions.set(row.name, [
      ...(functions.get(row.name) ?? []),
      normalisedArguments(row.arguments),
    ]);
  }
  return { tables, migrations, functions };
}

/**
 * Refuses (SCHEMA_MISMATCH, every difference listed) a database whose schema is not the one the
 * shipped migrations build: a migration recorded but not shipped and not after the last shipped
 * one (a ghost row, written by hand) or shipped but not recorded, a table missing, a function missing or
 * with other arguments. The hive checks this at start-up, after migrating, so that a tampered
 * schema stops the start with a clear message rather than failing every request that needs it.
 */
export async function checkSchema(db: Database, dir: string = MIGRATIONS_DIR): Promise<void> {
  const expected = await expectedSchema(dir);
  const actual = await actualSchema(db);
  const problems: Problem[] = [];
  const report = (subject: string, message: string) =>
    problems.push({ code: "SCHEMA_MISMATCH", subject, message });
  // A newer release's migrations come after every shipped one, and only add (the zero-downtime
  // policy): this release runs on that schema during a rolling update. Any other unknown row
  // is a ghost.
  const lastShipped = expected.migrations.at(-1) ?? "";
  for (const name of actual.migrations.filter((m) => !expected.migrations.includes(m))) {
    if (name > lastShipped) continue;
    report(
      name,
      `${MIGRATIONS_TABLE} records migration ${name}, which this release does not ship and which is not a later release's (written by hand?)`,
    );
  }
  for (const name of expected.migrations.filter((m) => !actual.migrations.includes(m))) {
    report(name, `migration ${name} is shipped but not recorded in ${MIGRATIONS_TABLE}`);
  }
  for (const table of [...expected.tables].filter((t) => !actual.tables.has(t)).sort()) {
    report(table, `table ${table} is missing`);
  }
  for (const [name, args] of expected.functions) {
    const found = actual.functions.get(name) ?? [];
    if (found.includes(args)) continue;
    report(
      name,
      found.length === 0
        ? `function ${name}(${args}) is missing`
        : `function ${name} takes (${found.join(") or (")}), not (${args})`,
    );
  }
  if (problems.length > 0) {
    failWithProblems(
      "SCHEMA_MISMATCH",
      `the database schema (${db.engine}, schema ${db.schema}) does not match this release's migrations; not serving on it`,
      problems,
    );
  }
}
