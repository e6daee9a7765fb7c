import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KEYFORGE_VERSION } from "../version.ts";
import {
  compareReleases,
  type Directive,
  directives,
  type MigrationFile,
  parseSql,
  RELEASE,
  type SqlStatement,
} from "./migration-file.ts";

export { type MigrationFile, sqlStatements } from "./migration-file.ts";

/**
 * The zero-downtime rules for migrations (docs/operations/migrations.md). While a new release
 * rolls out, the previous one keeps running on the migrated schema, so a migration only adds,
 * and it never holds a busy table locked for long:
 *
 * - every file declares its release (`-- keyforge:release X.Y.Z`), in file order, none after
 *   package.json's version;
 * - a column or table is dropped only in a release after the one that retired it
 *   (`-- keyforge:retire table.column` in a migration of the release whose code stopped using
 *   it; no source file may name it from then on);
 * - renames, type changes and NOT NULL columns without a default are refused;
 * - statements that lock an existing table for a scan or a rewrite are refused unless
 *   `-- keyforge:allow-lock <reason>` precedes them: a plain CREATE INDEX, a constraint added
 *   without NOT VALID, a volatile default, SET NOT NULL without a validated CHECK (col IS NOT
 *   NULL), a VALIDATE in the transaction that added the constraint.
 *
 * Tables created in the same migration are new to every release and exempt.
 */

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** The rule a statement breaks; the lock-* rules yield to `-- keyforge:allow-lock <reason>`. */
export type PolicyRule =
  | "directive"
  | "release"
  | "retire"
  | "drop"
  | "rename"
  | "type-change"
  | "not-null-column"
  | "no-transaction"
  | "lock-index"
  | "lock-constraint"
  | "lock-default"
  | "lock-set-not-null";

export interface PolicyViolation {
  readonly migration: string;
  /** 1-based line in the migration file. */
  readonly line: number;
  readonly rule: PolicyRule;
  /** The offending statement, normalised and shortened. */
  readonly statement: string;
  readonly message: string;
}

const KNOWN_DIRECTIVES = new Set(["release", "no-transaction", "retire", "allow-lock"]);

const IDENT = "[a-z_][a-z0-9_$]*";
const NAME = `(${IDENT}(?:\\.${IDENT})?)`;
export const CREATE_TABLE = new RegExp(`^create (?:unlogged )?table (?:if not exists )?${NAME}`);
export const DROP_TABLE = /^drop table (?:if exists )?(.+?)(?: cascade| restrict)?$/;
const ALTER_TABLE = new RegExp(`^alter table (?:if exists )?(?:only )?${NAME} (.*)$`);
const CREATE_INDEX = new RegExp(
  `^create (?:unique )?index (concurrently )?(?:if not exists )?(?:${IDENT} )?on (?:only )?${NAME}`,
);
const RETIRED_NAME = new RegExp(`^(${IDENT})(?:\\.(${IDENT}))?$`);

/** Functions whose value differs per row: a default calling one rewrites the whole table. */
const VOLATILE_DEFAULT =
  /\bdefault\b.*\b(random|gen_random_uuid|uuid_generate_v[14]|clock_timestamp|timeofday|nextval|txid_current)\s?\(/;
/** Column kinds that compute a value for every existing row (a rewrite under lock). */
const PER_ROW_COLUMN = /^(?:small|big)?serial[248]?\b|\bgenerated .*\bidentity\b|\bstored\b/;

/** Removes a schema prefix: migrations run in the store's schema. */
export function bare(name: string): string {
  return name.split(".").pop() as string;
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

function shortened(statement: string): string {
  return statement.length > 100 ? `${statement.slice(0, 97)}...` : statement;
}

/** Source files that still name `word` (a retired column or table), as a whole word. */
function referencesTo(word: string, sources: readonly SourceFile[]): string[] {
  const pattern = new RegExp(`\\b${word.replace(/\$/g, "\\$")}\\b`);
  return sources.filter((source) => pattern.test(source.text)).map((source) => source.path);
}

interface Retirement {
  readonly release: string;
  readonly migration: string;
  /** Line of the `-- keyforge:retire`. */
  readonly line: number;
  /** Dropped by a later release: the name is free for new code again. */
  dropped: boolean;
}

interface Constraint {
  readonly release: string;
  /** The column of a CHECK (column IS NOT NULL), the SET NOT NULL recipe. */
  readonly notNullColumn: string | null;
  validated: boolean;
}

/** What the migrations so far have left, in file order: the state each rule reads. */
interface History {
  readonly retired: Map<string, Retirement>;
  /** "table.constraint" to what it holds. */
  readonly constraints: Map<string, Constraint>;
  lastRelease: string | null;
}

/** The release a migration declares, checked against the files before it and package.json. */
function releaseOf(
  found: readonly Directive[],
  history: History,
  version: string,
  report: (line: number, rule: PolicyRule, message: string) => void,
): string | null {
  const declared = found.filter((d) => d.name === "release");
  const example = `-- keyforge:release ${version}`;
  if (declared.length === 0) {
    report(1, "release", `declares no release; add a line "${example}" (package.json's version)`);
    return null;
  }
  const [first, ...others] = declared as [Directive, ...Directive[]];
  for (const other of others) report(other.line, "release", "declares its release twice");
  const release = first.argument.trim();
  if (!RELEASE.test(release)) {
    report(first.line, "release", `release "${release}" is not MAJOR.MINOR.PATCH`);
    return null;
  }
  if (compareReleases(release, version) > 0) {
    report(
      first.line,
      "release",
      `belongs to release ${release}, after package.json's version ${version}; bump the version first`,
    );
  }
  if (history.lastRelease !== null && compareReleases(release, history.lastRelease) < 0) {
    report(
      first.line,
      "release",
      `belongs to release ${release}, but an earlier file belongs to ${history.lastRelease}; a new migration belongs to the newest release`,
    );
  }
  return release;
}

/** The `-- keyforge:allow-lock <reason>` of a statement, when it has one with a reason. */
function allowsLock(statement: SqlStatement): boolean {
  return directives(statement.comments).some(
    (d) => d.name === "allow-lock" && d.argument.trim() !== "",
  );
}

/** Checks one migration file against the rules, given what the files before it did. */
function checkMigration(
  migration: MigrationFile,
  history: History,
  version: string,
  violations: PolicyViolation[],
): void {
  const { statements, comments } = parseSql(migration.sql);
  const found = directives(comments);
  const lineReport = (line: number, rule: PolicyRule, message: string, statement = "") =>
    violations.push({
      migration: migration.name,
      line,
      rule,
      statement: shortened(statement),
      message,
    });
  for (const d of found.filter((d) => !KNOWN_DIRECTIVES.has(d.name))) {
    lineReport(
      d.line,
      "directive",
      `unknown directive keyforge:${d.name} (known: ${[...KNOWN_DIRECTIVES].join(", ")})`,
    );
  }
  for (const d of found.filter((d) => d.name === "allow-lock" && d.argument.trim() === "")) {
    lineReport(d.line, "directive", "keyforge:allow-lock needs a reason a reviewer can check");
  }
  const release = releaseOf(found, history, version, lineReport);
  if (release !== null) history.lastRelease = release;
  const noTransaction = found.some((d) => d.name === "no-transaction");

  for (const d of found.filter((d) => d.name === "retire")) {
    const name = d.argument.trim().toLowerCase();
    if (!RETIRED_NAME.test(name)) {
      lineReport(d.line, "directive", `keyforge:retire names "${name}", not table or table.column`);
      continue;
    }
    if (release !== null && !history.retired.has(name)) {
      history.retired.set(name, {
        release,
        migration: migration.name,
        line: d.line,
        dropped: false,
      });
    }
  }

  const newTables = new Set<string>();
  for (const statement of statements) {
    const sql = statement.normalized;
    const report = (rule: PolicyRule, message: string) => {
      if (rule.startsWith("lock-") && allowsLock(statement)) return;
      lineReport(statement.line, rule, message, sql);
    };

    if (!noTransaction && /^(?:create|drop|reindex)\b.* concurrently\b|^vacuum\b/.test(sql)) {
      report(
        "no-transaction",
        "cannot run inside a transaction; put it in a migration of its own marked -- keyforge:no-transaction",
      );
    }
    const created = CREATE_TABLE.exec(sql);
    if (created) {
      newTables.add(bare(created[1] as string));
      continue;
    }
    const index = CREATE_INDEX.exec(sql);
    if (index) {
      const table = bare(index[2] as string);
      if (!index[1] && !newTables.has(table)) {
        report(
          "lock-index",
          `builds an index on ${table} while its writes wait; use CREATE INDEX CONCURRENTLY in a -- keyforge:no-transaction migration`,
        );
      }
      continue;
    }
    const dropped = DROP_TABLE.exec(sql);
    if (dropped) {
      for (const table of (dropped[1] as string).split(",").map((t) => bare(t.trim()))) {
        if (!newTables.has(table)) checkDrop(table, "table", release, history, report);
      }
      continue;
    }
    const altered = ALTER_TABLE.exec(sql);
    if (!altered) continue;
    const table = bare(altered[1] as string);
    if (newTables.has(table)) continue;
    for (const action of topLevelParts(altered[2] as string)) {
      checkAlterAction(table, action, { release, noTransaction }, history, report);
    }
  }
}

/** A DROP of `name` ("table" or "table.column") passes in a release after the one retiring it. */
function checkDrop(
  name: string,
  kind: "table" | "column",
  release: string | null,
  history: History,
  report: (rule: PolicyRule, message: string) => void,
): void {
  const retired = history.retired.get(name);
  const recipe = `retire it (-- keyforge:retire ${name}) in a migration of the release whose code stops using it, and drop it in a later release`;
  if (!retired) {
    report("drop", `drops ${kind} ${name}, which the running release may still use; ${recipe}`);
  } else if (release !== null && compareReleases(release, retired.release) <= 0) {
    report(
      "drop",
      `drops ${kind} ${name} in release ${release}, but it was retired in release ${retired.release} (${retired.migration}), whose code may still be running; drop it in a migration of a later release`,
    );
  } else {
    retired.dropped = true;
  }
}

/** Checks one action of an ALTER TABLE on an existing table. */
function checkAlterAction(
  table: string,
  action: string,
  file: { release: string | null; noTransaction: boolean },
  history: History,
  report: (rule: PolicyRule, message: string) => void,
): void {
  if (/^rename /.test(action) || /^set schema /.test(action)) {
    report(
      "rename",
      `renames ${table} or one of its columns; add the new name, copy, and retire the old one instead`,
    );
    return;
  }
  const drop = new RegExp(
    `^drop (?:column )?(?:if exists )?(${IDENT})(?: cascade| restrict)?$`,
  ).exec(action);
  if (drop && !/^drop (constraint|default|not null|identity|expression)\b/.test(action)) {
    checkDrop(`${table}.${drop[1]}`, "column", file.release, history, report);
    return;
  }
  const droppedConstraint = new RegExp(`^drop constraint (?:if exists )?(${IDENT})`).exec(action);
  if (droppedConstraint) {
    history.constraints.delete(`${table}.${droppedConstraint[1]}`);
    return;
  }
  const alter = new RegExp(`^alter (?:column )?(${IDENT}) (.*)$`).exec(action);
  if (alter) {
    const [, column, change] = alter as unknown as [string, string, string];
    if (/^(set data )?type /.test(change)) {
      report("type-change", `changes the type of ${table}.${column}; add a new column instead`);
    } else if (/^set not null/.test(change) && !hasValidatedNotNull(table, column, history)) {
      report(
        "lock-set-not-null",
        `makes ${table}.${column} NOT NULL by scanning the table under an exclusive lock; first add CHECK (${column} IS NOT NULL) NOT VALID and VALIDATE it in a later migration`,
      );
    }
    return;
  }
  const constraint = new RegExp(
    `^add (?:constraint (${IDENT}) )?(check|foreign key|unique|primary key|exclude)\\b(.*)$`,
  ).exec(action);
  if (constraint) {
    const [, name, kind, rest] = constraint as unknown as [
      string,
      string | undefined,
      string,
      string,
    ];
    checkAddedConstraint(table, name, kind, rest, file.release, history, report);
    return;
  }
  const validate = new RegExp(`^validate constraint (${IDENT})$`).exec(action);
  if (validate) {
    const known = history.constraints.get(`${table}.${validate[1]}`);
    if (known && !file.noTransaction && known.release === file.release) {
      report(
        "lock-constraint",
        `validates ${validate[1]} in the release that added it, so in the same transaction, which still holds the lock the ADD took; validate it in a -- keyforge:no-transaction migration or a later release`,
      );
    }
    if (known) known.validated = true;
    return;
  }
  const add = new RegExp(`^add (?:column )?(?:if not exists )?(${IDENT}) (.*)$`).exec(action);
  if (add) checkAddedColumn(table, add[1] as string, add[2] as string, report);
}

function hasValidatedNotNull(table: string, column: string, history: History): boolean {
  return [...history.constraints.entries()].some(
    ([key, c]) => key.startsWith(`${table}.`) && c.notNullColumn === column && c.validated,
  );
}

function checkAddedConstraint(
  table: string,
  name: string | undefined,
  kind: string,
  rest: string,
  release: string | null,
  history: History,
  report: (rule: PolicyRule, message: string) => void,
): void {
  const notValid = /\bnot valid$/.test(rest);
  if ((kind === "check" || kind === "foreign key") && !notValid) {
    report(
      "lock-constraint",
      `adds a ${kind.toUpperCase()} constraint to ${table}, checked by a scan under lock; add it NOT VALID, then VALIDATE CONSTRAINT in a later migration`,
    );
  } else if ((kind === "unique" || kind === "primary key") && !/\busing index\b/.test(rest)) {
    report(
      "lock-constraint",
      `adds a ${kind.toUpperCase()} constraint to ${table}, building its index under lock; build a unique index CONCURRENTLY first, then ADD CONSTRAINT ... ${kind.toUpperCase()} USING INDEX`,
    );
  } else if (kind === "exclude") {
    report("lock-constraint", `adds an EXCLUDE constraint to ${table}, built under lock`);
  }
  if (name !== undefined && release !== null) {
    const notNull = new RegExp(`^ ?\\(\\(?(${IDENT}) is not null\\)?\\)`).exec(rest);
    history.constraints.set(`${table}.${name}`, {
      release,
      notNullColumn: kind === "check" ? (notNull?.[1] ?? null) : null,
      validated: !notValid,
    });
  }
}

function checkAddedColumn(
  table: string,
  column: string,
  definition: string,
  report: (rule: PolicyRule, message: string) => void,
): void {
  const notNull = /\bnot null\b|\bprimary key\b/.test(definition);
  const filled = /\bdefault\b|\bgenerated\b/.test(definition);
  if (notNull && !filled) {
    report(
      "not-null-column",
      `adds ${table}.${column} as NOT NULL without a default; the running release does not write it`,
    );
  }
  if (VOLATILE_DEFAULT.test(definition) || PER_ROW_COLUMN.test(definition)) {
    report(
      "lock-default",
      `adds ${table}.${column} with a value computed per row, which rewrites the table under lock; add it without one, backfill in batches, then set the default`,
    );
  }
  if (/\bcheck ?\(|\breferences\b|\bunique\b|\bprimary key\b/.test(definition)) {
    report(
      "lock-constraint",
      `adds ${table}.${column} with a constraint, checked or indexed under lock; add the column, then the constraint NOT VALID (or its index CONCURRENTLY)`,
    );
  }
}

/** A retired column or table that is not dropped yet must not be named by any source file. */
function checkRetiredUnused(
  history: History,
  sources: readonly SourceFile[],
  violations: PolicyViolation[],
): void {
  for (const [name, retired] of history.retired) {
    if (retired.dropped) continue;
    const word = name.split(".").pop() as string;
    const users = referencesTo(word, sources);
    if (users.length === 0) continue;
    violations.push({
      migration: retired.migration,
      line: retired.line,
      rule: "retire",
      statement: "",
      message: `retires ${name}, but ${users.join(", ")} still name${users.length === 1 ? "s" : ""} "${word}"`,
    });
  }
}

/** Every place where `migrations` (in file order) break the rules; empty when they keep them. */
export function checkMigrationPolicy(
  migrations: readonly MigrationFile[],
  sources: readonly SourceFile[],
  version: string = KEYFORGE_VERSION,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const history: History = { retired: new Map(), constraints: new Map(), lastRelease: null };
  for (const migration of migrations) {
    checkMigration(migration, history, version, violations);
  }
  checkRetiredUnused(history, sources, violations);
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

/** The .sql files of `dir`, in the order they apply. */
export async function readMigrationFolder(dir: string): Promise<MigrationFile[]> {
  return Promise.all(
    (await filesUnder(dir, /^[^.].*\.sql$/)).map(async (path) => ({
      name: (path.split(/[\\/]/).pop() as string).replace(/\.sql$/, ""),
      sql: await readFile(path, "utf8"),
    })),
  );
}

/** Checks the .sql files of `dir` against the source files under `codeRoot`. */
export async function checkMigrationFolder(
  dir: string,
  codeRoot: string = CODE_ROOT,
  version: string = KEYFORGE_VERSION,
): Promise<PolicyViolation[]> {
  const migrations = await readMigrationFolder(dir);
  const sources = await Promise.all(
    (await filesUnder(codeRoot, /\.(ts|js|mjs)$/)).map(async (path) => ({
      path,
      text: await readFile(path, "utf8"),
    })),
  );
  return checkMigrationPolicy(migrations, sources, version);
}

/** One line per violation: `file.sql:line [rule] message`, then the statement. */
export function describeViolation(v: PolicyViolation): string {
  const where = `${v.migration}.sql:${v.line} [${v.rule}] ${v.message}`;
  return v.statement === "" ? where : `${where}\n    in: ${v.statement}`;
}
