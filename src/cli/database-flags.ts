import type { Database } from "../infra/db/database.ts";
import { checkedDatabaseLocation, defaultDatabaseLocation } from "../infra/db/database-location.ts";

/** The --database flag of every command that works on the hive's database. */
export const DATABASE_FLAG = [
  "--database <url-or-folder>",
  "postgres:// URL, or the folder of an embedded database (default: DATABASE_URL, else <data dir>/db)",
] as const;

/** The database --database names (else DATABASE_URL, else the embedded one in the data dir). */
export async function openDatabaseFlag(location: string | undefined): Promise<Database> {
  // Loaded on use: the database libraries would slow every other command's start.
  const { openDatabase } = await import("../infra/db/open-database.ts");
  return openDatabase(
    location === undefined
      ? defaultDatabaseLocation()
      : checkedDatabaseLocation(location, "--database"),
  );
}

/**
 * Runs `work` on the database --database names, migrated first (so a fresh one works) and
 * checked against the shipped migrations, and closes it afterwards. A failed migration throws
 * MIGRATION_FAILED, a tampered schema SCHEMA_MISMATCH, before `work` starts.
 */
export async function withMigratedDatabase<T>(
  location: string | undefined,
  work: (db: Database) => Promise<T>,
  log: (line: string) => void = () => {},
): Promise<T> {
  const { migrate } = await import("../infra/db/migration-runner.ts");
  const { checkSchema } = await import("../infra/db/schema-check.ts");
  const db = await openDatabaseFlag(location);
  try {
    await migrate(db, { log });
    await checkSchema(db);
    return await work(db);
  } finally {
    await db.close();
  }
}
