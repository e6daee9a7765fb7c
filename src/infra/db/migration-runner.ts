import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { type MigrationBuilder, runner } from "node-pg-migrate";
import { KeyForgeError } from "../../core/errors.ts";
import type { Database, MigrationSession } from "./database.ts";
import { directives, parseSql } from "./migration-file.ts";

/** The SQL migrations shipped with KeyForge. The path holds from src/infra/db and dist/infra/db. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../migrations/", import.meta.url));

/** Table that records the applied migrations (in the store's schema). */
export const MIGRATIONS_TABLE = "schema_migrations";

/**
 * Advisory lock held while migrating, so hive instances starting together migrate one at a
 * time; the others wait, then find nothing left to do. ("KeyF" in ASCII.)
 */
const MIGRATION_LOCK_ID = 0x4b657946;

/**
 * A migration failed. The transaction it ran in was rolled back; migrations that committed
 * before it (those up to the last no-transaction file of the run) stay applied.
 */
export class MigrationFailedError extends KeyForgeError {
  readonly migration: string;
  /** Migrations of this run that stay applied. */
  readonly kept: readonly string[];

  constructor(
    migration: string,
    reason: string,
    kept: readonly string[] = [],
    outsideTransaction = false,
  ) {
    const outcome = [
      kept.length === 0
        ? "no migration of this run was applied, the database keeps its previous schema"
        : `${kept.join(", ")} committed before it and stay${kept.length === 1 ? "s" : ""} applied; the rest of this run was rolled back`,
      ...(outsideTransaction
        ? [
            `${migration} runs outside a transaction: its statements before the failed one stay applied, and the next run starts it again from its first statement`,
          ]
        : []),
    ];
    super("MIGRATION_FAILED", `migration ${migration} failed: ${reason}; ${outcome.join("; ")}`);
    this.name = "MigrationFailedError";
    this.migration = migration;
    this.kept = kept;
  }
}

type LoaderStrategy = NonNullable<
  Parameters<typeof runner>[0]["migrationLoaderStrategies"]
>[number];

/** Where each statement of the no-transaction files loaded so far starts: text to file line. */
type StatementLines = Map<string, number>;

/**
 * Loads our SQL files for node-pg-migrate. A file runs as one query inside the run's
 * transaction; a `-- keyforge:no-transaction` file breaks out of it: node-pg-migrate commits
 * the files before it, runs its statements one by one (each commits by itself, as CREATE INDEX
 * CONCURRENTLY requires), records it, and opens a new transaction for the files after it.
 */
function sqlLoader(noTransaction: Set<string>, lines: StatementLines): LoaderStrategy {
  return {
    extensions: [".sql"],
    loader: async (filePaths) =>
      Promise.all(
        filePaths.map(async (filePath) => {
          const sql = await readFile(filePath, "utf8");
          const { statements, comments } = parseSql(sql);
          const outside = directives(comments).some((d) => d.name === "no-transaction");
          if (outside) {
            noTransaction.add(basename(filePath, ".sql"));
            for (const statement of statements) lines.set(`${statement.text};`, statement.line);
          }
          const up = outside
            ? (pgm: MigrationBuilder) => {
                pgm.noTransaction();
                for (const statement of statements) pgm.sql(`${statement.text};`);
              }
            : (pgm: MigrationBuilder) => pgm.sql(sql);
          return { id: filePath, filePaths: [filePath], actions: { up, down: false as const } };
        }),
      ),
  };
}

/** Line of `text` at the 1-based character `position` PostgreSQL reports for a syntax error. */
function lineAt(text: string, position: number): number {
  return text.slice(0, position - 1).split("\n").length;
}

/** How often an instance waiting for the migration lock asks for it again. */
const LOCK_POLL_MS = 100;

/**
 * Runs `work` holding the migration lock (a session-level advisory lock, so it survives the
 * commits of no-transaction files). Waiters poll with pg_try_advisory_lock rather than block in
 * pg_advisory_lock: a blocked statement holds a snapshot, and CREATE INDEX CONCURRENTLY in the
 * holder's session waits for every such snapshot, a deadlock PostgreSQL breaks by failing one.
 */
async function withMigrationLock<T>(session: MigrationSession, work: () => Promise<T>): Promise<T> {
  for (;;) {
    const { rows } = await session.query(
      `SELECT pg_try_advisory_lock(${MIGRATION_LOCK_ID}) AS taken`,
    );
    if (rows[0]?.taken === true) break;
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
  try {
    return await work();
  } finally {
    await session.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_ID})`).catch(() => {});
  }
}

/**
 * The migrations of a run that stay applied when its last started one fails: every one up to
 * the last no-transaction file that started (whose start committed the files before it, and
 * which commits each statement itself), except the failed one.
 */
function committedBefore(started: readonly string[], noTransaction: ReadonlySet<string>): string[] {
  const failed = started.length - 1;
  let last = -1;
  for (let k = 0; k < failed; k++) if (noTransaction.has(started[k] as string)) last = k;
  if (noTransaction.has(started[failed] as string)) last = failed - 1;
  return started.slice(0, last + 1);
}

/**
 * Applies the pending migrations of `dir` in file-name order under an advisory lock, in one
 * transaction, except that a `-- keyforge:no-transaction` file runs alone outside it (after the
 * files before it committed). Returns the names it applied (empty when the schema was up to date).
 */
export async function migrate(
  db: Database,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<string[]> {
  const log = options.log ?? (() => {});
  let current = "(before the first migration)";
  let failedStatement = "";
  const started: string[] = [];
  const noTransaction = new Set<string>();
  const statementLines: StatementLines = new Map();
  const runPending = (session: MigrationSession) =>
    runner({
      dbClient: session as never,
      dir: options.dir ?? MIGRATIONS_DIR,
      ignorePattern: "(\\..*|.*\\.md)",
      migrationsTable: MIGRATIONS_TABLE,
      schema: db.schema,
      createSchema: true,
      direction: "up",
      singleTransaction: true,
      // Held by withMigrationLock instead, across the commits of no-transaction files.
      noLock: true,
      checkOrder: true,
      migrationLoaderStrategies: [sqlLoader(noTransaction, statementLines)],
      logger: {
        debug: () => {},
        info: (message: string) => {
          const begun = /^### MIGRATION (.+) \(UP\) ###$/.exec(message);
          if (begun?.[1]) {
            current = begun[1];
            started.push(current);
            log(`applying ${current}`);
          }
        },
        warn: () => {},
        error: () => {},
      },
    });
  try {
    const applied = await db.withMigrationSession((session) => {
      const recording: MigrationSession = {
        query: (text, values) =>
          session.query(text, values).catch((error: unknown) => {
            failedStatement = text;
            throw error;
          }),
      };
      return withMigrationLock(session, () => runPending(recording));
    });
    return applied.map((migration) => migration.name);
  } catch (error) {
    if (error instanceof KeyForgeError) throw error;
    const { message, position } = error as { message: string; position?: string };
    // A no-transaction file's statements run one by one: count lines from the statement's own.
    const first = statementLines.get(failedStatement);
    const line =
      first !== undefined
        ? first + (position ? lineAt(failedStatement, Number(position)) - 1 : 0)
        : position
          ? lineAt(failedStatement, Number(position))
          : undefined;
    const where = line === undefined ? "" : ` (line ${line})`;
    throw new MigrationFailedError(
      current,
      `${message}${where}`,
      committedBefore(started, noTransaction),
      noTransaction.has(current),
    );
  }
}
