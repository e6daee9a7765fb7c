import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The zero-downtime rule for migrations (docs/operations/migrations.md): while a new release
 * rolls out, the previous one keeps running on the migrated schema, so a migration may only
 * add. Tables, nullable columns, columns with a default, indexes and constraints are fine;
 * dropping or renaming a column or table, changing a column's type, or making a column
 * NOT NULL without a default breaks the running release. A column (or table) is dropped only
 * after a release in which no code uses it: the migration declares it retired with
 *   -- keyforge:retire <table>.<column>     (or: -- keyforge:retire <table>)
 * and no source file names it any more.
 */

export interface MigrationFile {
  /** File name without .sql, e.g. "0001_stores". */
  readonly name: string;
  readonly sql: string;
}

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

export interface PolicyViolation {
  readonly migration: string;
  /** The offending statement, shortened. */
  readonly statement: string;
  readonly message: string;
}

const RETIRE_DECLARATION = /--\s*keyforge:retire\s+([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)/gi;

/**
 * Statements of a SQL text, split at top-level semicolons, with comments removed, string
 * literals emptied ('') and everything else lower-cased on single spaces, so that words
 * inside strings or comments never look like commands.
 */
export function sqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = "";
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const dollar = /^\$([a-z_][a-z0-9_]*)?\$/i.exec(rest);
    if (rest.startsWith("--")) {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
    } else if (rest.startsWith("/*")) {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
      current += " ";
    } else if (sql[i] === "'") {
      let end = i + 1;
      while (end < sql.length && !(sql[end] === "'" && sql[end + 1] !== "'")) {
        end += sql[end] === "'" ? 2 : 1;
      }
      current += "''";
      i = end + 1;
    } else if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      current += "''";
      i = end === -1 ? sql.length : end + dollar[0].length;
    } else if (sql[i] === '"') {
      const end = sql.indexOf('"', i + 1);
      current += sql.slice(i + 1, end === -1 ? sql.length : end).toLowerCase();
      i = end === -1 ? sql.length : end + 1;
    } else if (sql[i] === ";") {
      statements.push(current);
      current = "";
      i += 1;
    } else {
      current += (sql[i] as string).toLowerCase();
      i += 1;
    }
  }
  statements.push(current);
  return statements.map((s) => s.replace(/\s+/g, " ").trim()).filter((s) => s !== "");
}

/** Splits "a, b (c, d), e" at the commas outside parentheses. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

const NAME = "([a-z_][a-z0-9_$]*(?:\\.[a-z_][a-z0-9_$]*)?)";
export const CREATE_TABLE = new RegExp(`^create (?:unlogged )?table (?:if not exists )?${NAME}`);
export const DROP_TABLE = /^drop table (?:if exists )?(.+?)(?: cascade| restrict)?$/;
const ALTER_TABLE = new RegExp(`^alter table (?:if exists )?(?:only )?${NAME} (.*)$`);

/** Removes a schema prefix: migrations run in the store's schema. */
export function bare(name: string): string {
  return name.split(".").pop() as string;
}

/** Why an ALTER TABLE action breaks the running release, or null when it is safe. */
function alterActionProblem(
  table: string,
  action: string,
  retired: ReadonlySet<string>,
): { message: string; retires?: string } | null {
  if (/^rename /.test(action) || /^set schema /.test(action)) {
    return {
      message: `renames ${table} or one of its columns; add the new name, copy, and retire the old one instead`,
    };
  }
  const drop = /^drop (?:column )?(?:if exists )?([a-z_][a-z0-9_$]*)(?: cascade| restrict)?$/.exec(
    action,
  );
  if (drop && !/^drop (constraint|default|not null|identity|expression)\b/.test(action)) {
    const column = `${table}.${drop[1]}`;
    return retired.has(column)
      ? { message: "", retires: column }
      : {
          message: `drops column ${column}, which the running release may still use; declare it retired (-- keyforge:retire ${column}) in a release after the last code that uses it`,
        };
  }
  const alter = /^alter (?:column )?([a-z_][a-z0-9_$]*) (.*)$/.exec(action);
  if (alter) {
    const [, column, change] = alter as unknown as [string, string, string];
    if (/^(set data )?type /.test(change)) {
      return { message: `changes the type of ${table}.${column}; add a new column instead` };
    }
    if (/^set not null/.test(change)) {
      return {
        message: `makes ${table}.${column} NOT NULL; the running release may still write nulls`,
      };
    }
    return null;
  }
  const add = /^add (?:column )?(?:if not exists )?([a-z_][a-z0-9_$]*) (.*)$/.exec(action);
  if (add && !/^add (constraint|primary key|unique|foreign key|check|exclude)\b/.test(action)) {
    const [, column, definition] = add as unknown as [string, string, string];
    const notNull = /\bnot null\b|\bprimary key\b/.test(definition);
    const filled = /\bdefault\b|\bgenerated\b/.test(definition);
    if (notNull && !filled) {
      return {
        message: `adds ${table}.${column} as NOT NULL without a default; the running release does not write it`,
      };
    }
  }
  return null;
}

/** Source files that still name `word` (a retired column or table), as a whole word. */
function referencesTo(word: string, sources: readonly SourceFile[]): string[] {
  const pattern = new RegExp(`\\b${word}\\b`);
  return sources.filter((source) => pattern.test(source.text)).map((source) => source.path);
}

function shortened(statement: string): string {
  return statement.length > 100 ? `${statement.slice(0, 97)}...` : statement;
}

/** Every place where `migrations` break the zero-downtime rule; empty when they keep it. */
export function checkMigrationPolicy(
  migrations: readonly MigrationFile[],
  sources: readonly SourceFile[],
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  for (const migration of migrations) {
    const retired = new Set(
      [...migration.sql.matchAll(RETIRE_DECLARATION)].map((m) => (m[1] as string).toLowerCase()),
    );
    const newTables = new Set<string>();
    const report = (statement: string, message: string) =>
      violations.push({ migration: migration.name, statement: shortened(statement), message });
    const checkRetired = (statement: string, name: string) => {
      const word = name.split(".").pop() as string;
      const users = referencesTo(word, sources);
      if (users.length > 0) {
        report(
          statement,
          `retires ${name}, but ${users.join(", ")} still name${users.length === 1 ? "s" : ""} "${word}"`,
        );
      }
    };
    for (const statement of sqlStatements(migration.sql)) {
      const created = CREATE_TABLE.exec(statement);
      if (created) {
        newTables.add(bare(created[1] as string));
        continue;
      }
      const dropped = DROP_TABLE.exec(statement);
      if (dropped) {
        for (const table of (dropped[1] as string).split(",").map((t) => bare(t.trim()))) {
          if (newTables.has(table)) continue;
          if (retired.has(table)) checkRetired(statement, table);
          else
            report(
              statement,
              `drops table ${table}, which the running release may still use; declare it retired (-- keyforge:retire ${table}) in a release after the last code that uses it`,
            );
        }
        continue;
      }
      const altered = ALTER_TABLE.exec(statement);
      if (!altered) continue;
      const table = bare(altered[1] as string);
      if (newTables.has(table)) continue;
      for (const action of topLevelParts(altered[2] as string)) {
        const problem = alterActionProblem(table, action, retired);
        if (problem?.retires) checkRetired(statement, problem.retires);
        else if (problem) report(statement, problem.message);
      }
    }
  }
  return violations;
}

/** The code that must no longer name a retired column: src/ from source, dist/ when built. */
export const CODE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function filesUnder(root: string, extensions: RegExp): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && extensions.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Checks the .sql files of `dir` against the source files under `codeRoot`. */
export async function checkMigrationFolder(
  dir: string,
  codeRoot: string = CODE_ROOT,
): Promise<PolicyViolation[]> {
  const migrations = await Promise.all(
    (await filesUnder(dir, /\.sql$/)).map(async (path) => ({
      name: (path.split(/[\\/]/).pop() as string).replace(/\.sql$/, ""),
      sql: await readFile(path, "utf8"),
    })),
  );
  const sources = await Promise.all(
    (await filesUnder(codeRoot, /\.(ts|js|mjs)$/)).map(async (path) => ({
      path,
      text: await readFile(path, "utf8"),
    })),
  );
  return checkMigrationPolicy(migrations, sources);
}
