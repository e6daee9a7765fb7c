import { KEYFORGE_VERSION } from "../version.ts";
import type { Database } from "./database.ts";
import { encodeEmbeddedBackup } from "./embedded-backup-file.ts";
import { MIGRATIONS_TABLE } from "./migration-runner.ts";
import { PgliteDatabase } from "./pglite-database.ts";

/** The migrations `db` has applied, in the order they ran: its schema version (none yet: empty). */
export async function appliedMigrations(db: Database): Promise<string[]> {
  const table = `${db.schema}.${MIGRATIONS_TABLE}`;
  const { rows: found } = await db.query<{ exists: boolean }>(
    "SELECT to_regclass($1) IS NOT NULL AS exists",
    [table],
  );
  if (!found[0]?.exists) return [];
  const { rows } = await db.query<{ name: string }>(
    `SELECT name FROM ${table} ORDER BY run_on, id`,
  );
  return rows.map((row) => row.name);
}

/**
 * A backup file's bytes of the open embedded database `db`, taken through the process that
 * has it open (a copy of its live files could be torn). Its schema version is read first:
 * migrations only run at start-up, so it cannot change before the dump.
 */
export async function takeEmbeddedSnapshot(db: Database): Promise<Uint8Array> {
  if (!(db instanceof PgliteDatabase)) {
    throw new TypeError("only an embedded (PGlite) database is backed up by a snapshot");
  }
  const migrations = await appliedMigrations(db);
  const tarball = await db.dumpDataDir();
  return encodeEmbeddedBackup({
    header: { takenAt: new Date().toISOString(), keyforgeVersion: KEYFORGE_VERSION, migrations },
    tarball,
  });
}
