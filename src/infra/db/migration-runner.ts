import { fileURLToPath } from "node:url";
import { runner } from "node-pg-migrate";
import { KeyForgeError } from "../../core/errors.ts";
import type { Database, MigrationSession } from "./database.ts";

/** The SQL migrations shipped with KeyForge. The path holds from src/infra/db and dist/infra/db. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../migrations/", import.meta.url));

/** Table that records the applied migrations (in the store's schema). */
export const MIGRATIONS_TABLE = "schema_migrations";

/**
 * Advisory lock held while migrating, so hive instances starting together migrate one at a
 * time; the others wait, then find nothing left to do. ("KeyF" in ASCII.)
 */
const MIGRATION_LOCK_ID = 0x4b657946;

/** A migration failed; the database keeps the schema it had before the run. */
export class MigrationFailedError extends KeyForgeError {
  readonly migration: string;

  constructor(migration: string, reason: string) {
    super(
      "MIGRATION_FAILED",
      `migration ${migration} failed: ${reason}; no migration of this run was applied, the database keeps its previous schema`,
    );
    this.name = "MigrationFailedError";
    this.migration = migration;
  }
}

/** Line of `text` at the 1-based character `position` PostgreSQL reports for a syntax error. */
function lineAt(text: string, position: number): number {
  return text.slice(0, position - 1).split("\n").length;
}

/**
 * Applies the pending migrations of `dir` in file-name order, all in one transaction, under an
 * advisory lock. Returns the names it applied (empty when the schema was up to date).
 */
export async function migrate(
  db: Database,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<string[]> {
  const log = options.log ?? (() => {});
  let current = "(before the first migration)";
  let failedStatement = "";
  try {
    const applied = await db.withMigrationSession((session) => {
      const recording: MigrationSession = {
        query: (text, values) =>
          session.query(text, values).catch((error: unknown) => {
            failedStatement = text;
            throw error;
          }),
      };
      return runner({
        dbClient: recording as never,
        dir: options.dir ?? MIGRATIONS_DIR,
        ignorePattern: "(\\..*|.*\\.md)",
        migrationsTable: MIGRATIONS_TABLE,
        schema: db.schema,
        createSchema: true,
        direction: "up",
        singleTransaction: true,
        advisoryLockMode: "wait",
        lockValue: MIGRATION_LOCK_ID,
        checkOrder: true,
        logger: {
          debug: () => {},
          info: (message: string) => {
            const started = /^### MIGRATION (.+) \(UP\) ###$/.exec(message);
            if (started?.[1]) {
              current = started[1];
              log(`applying ${current}`);
            }
          },
          warn: () => {},
          error: () => {},
        },
      });
    });
    return applied.map((migration) => migration.name);
  } catch (error) {
    if (error instanceof KeyForgeError) throw error;
    const { message, position } = error as { message: string; position?: string };
    const where = position ? ` (line ${lineAt(failedStatement, Number(position))})` : "";
    throw new MigrationFailedError(current, `${message}${where}`);
  }
}
