import { randomUUID } from "node:crypto";
import { readdir, rename, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { KeyForgeError } from "../../core/errors.ts";
import { lockForProcess } from "../process-lock.ts";
import type { EmbeddedBackup } from "./embedded-backup-file.ts";
import { appliedMigrations } from "./embedded-snapshot.ts";
import { MIGRATIONS_DIR } from "./migration-runner.ts";
import { loadPgliteDataDir } from "./pglite-database.ts";
import { expectedSchema } from "./schema-check.ts";

/** Whether `folder` holds anything (a missing folder holds nothing). */
async function holdsFiles(folder: string): Promise<boolean> {
  const entries = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  return entries.length > 0;
}

/**
 * Refuses a backup whose schema has migrations this code does not ship: a newer release took
 * it, and this one would run on a schema it does not know. An older backup is fine: the
 * missing migrations run at the next start.
 */
async function checkSchemaVersion(backup: EmbeddedBackup, migrationsDir: string): Promise<void> {
  const shipped = new Set((await expectedSchema(migrationsDir)).migrations);
  const unknown = backup.header.migrations.filter((name) => !shipped.has(name));
  if (unknown.length > 0) {
    throw new KeyForgeError(
      "BACKUP_SCHEMA_TOO_NEW",
      `the backup's schema is newer than this KeyForge's: it has migration(s) ${unknown.join(", ")}, which this version does not ship; restore it with KeyForge ${backup.header.keyforgeVersion} or later`,
    );
  }
}

/** Unpacks the backup into the new folder `folder` and checks it opens with the schema it claims. */
async function unpack(backup: EmbeddedBackup, folder: string): Promise<void> {
  const db = await loadPgliteDataDir(folder, backup.tarball);
  try {
    const migrations = await appliedMigrations(db).catch(() => null);
    if (migrations?.join("\n") !== backup.header.migrations.join("\n")) {
      throw new KeyForgeError(
        "BACKUP_INVALID",
        "the backup's database does not hold the migrations its header lists: the file was altered",
      );
    }
  } finally {
    await db.close();
  }
}

/** Moves `unpacked` to `target`, replacing what is there; on failure both stay as they were. */
async function moveIntoPlace(unpacked: string, target: string): Promise<void> {
  const replaced = `${target}.replaced-${randomUUID()}`;
  try {
    const hadOne = await rename(target, replaced).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
    await rename(unpacked, target).catch(async (error: unknown) => {
      if (hadOne) await rename(replaced, target);
      throw error;
    });
    if (hadOne) await rm(replaced, { recursive: true, force: true });
  } catch (error) {
    await rm(unpacked, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Restores `backup` as the embedded database in `folder`. Refused while a process has the
 * database open (its lock), when the folder already holds a database and `force` is not set,
 * and when the backup's schema is newer than the shipped migrations. The backup is unpacked
 * and checked beside the folder, then moved into its place: a failure leaves the folder as it
 * was.
 */
export async function restoreEmbeddedBackup(
  backup: EmbeddedBackup,
  folder: string,
  options: { force: boolean; migrationsDir?: string },
): Promise<void> {
  await checkSchemaVersion(backup, options.migrationsDir ?? MIGRATIONS_DIR);
  const target = resolve(folder);
  // The lock PgliteDatabase takes: no process opens the database while it is replaced.
  const unlock = await lockForProcess(`${target}.lock`, `the embedded database in ${target}`);
  try {
    if (!options.force && (await holdsFiles(target))) {
      throw new KeyForgeError(
        "RESTORE_TARGET_NOT_EMPTY",
        `${target} already holds a database: add --force to replace it with the backup`,
      );
    }
    const unpacked = `${target}.restoring-${randomUUID()}`;
    try {
      await unpack(backup, unpacked);
    } catch (error) {
      await rm(unpacked, { recursive: true, force: true });
      throw error;
    }
    await moveIntoPlace(unpacked, target);
  } finally {
    await unlock();
  }
}
