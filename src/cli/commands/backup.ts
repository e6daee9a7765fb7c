import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import { dataDir } from "../../infra/config.ts";
import { writeDurably } from "../../infra/durable-file.ts";
import { snapshotFromRunningUp } from "../up-backup-socket.ts";

interface Folders {
  /** The data dir `keyforge up` runs on. */
  readonly dir: string;
  /** Its embedded database. */
  readonly database: string;
}

function foldersOf(flags: { dataDir?: string }): Folders {
  const dir = resolve(flags.dataDir ?? dataDir());
  return { dir, database: join(dir, "db") };
}

/** A snapshot of the database no `keyforge up` runs on, opened (and locked) for the time it takes. */
async function snapshotOfStoppedDatabase(database: string): Promise<Uint8Array> {
  // PGlite would create a database where there is none: there is nothing to back up there.
  if (!existsSync(join(database, "PG_VERSION"))) {
    throw new KeyForgeError(
      "EMBEDDED_DATABASE_NOT_FOUND",
      `there is no embedded database in ${database}: nothing to back up (run keyforge up once, or pass the --data-dir it runs on)`,
    );
  }
  const { PgliteDatabase } = await import("../../infra/db/pglite-database.ts");
  const { takeEmbeddedSnapshot } = await import("../../infra/db/embedded-snapshot.ts");
  const db = new PgliteDatabase(database);
  try {
    return await takeEmbeddedSnapshot(db);
  } finally {
    await db.close();
  }
}

/** `keyforge-2026-12-06T15-04-05Z.keyforge-backup`, in the current folder. */
function defaultBackupFile(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/:/g, "-");
  return resolve(`keyforge-${stamp}.keyforge-backup`);
}

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

async function runBackup(flags: { dataDir?: string; out?: string }): Promise<void> {
  const { dir, database } = foldersOf(flags);
  const fromUp = await snapshotFromRunningUp(dir);
  const bytes = fromUp ?? (await snapshotOfStoppedDatabase(database));
  const file = resolve(flags.out ?? defaultBackupFile(new Date()));
  await writeDurably(file, bytes).catch((error: NodeJS.ErrnoException) => {
    throw new KeyForgeError(
      "FILE_UNWRITABLE",
      `cannot write ${file} (${error.code ?? error.message})`,
    );
  });
  const how = fromUp ? "taken by the running keyforge up" : "keyforge up is not running";
  console.log(`backed up ${database} to ${file} (${megabytes(bytes.length)}; ${how})`);
}

async function readBackupFile(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new KeyForgeError("FILE_UNREADABLE", `cannot read the backup ${file} (${reason})`);
  }
}

async function runRestore(
  file: string,
  flags: { dataDir?: string; force?: boolean },
): Promise<void> {
  const { database } = foldersOf(flags);
  const { decodeEmbeddedBackup } = await import("../../infra/db/embedded-backup-file.ts");
  const { restoreEmbeddedBackup } = await import("../../infra/db/embedded-restore.ts");
  const backup = decodeEmbeddedBackup(await readBackupFile(resolve(file)), file);
  await restoreEmbeddedBackup(backup, database, { force: flags.force === true }).catch(
    (error: unknown) => {
      if (error instanceof KeyForgeError && error.code === "LOCK_HELD") {
        throw new KeyForgeError("LOCK_HELD", `${error.message}: stop keyforge up, then restore`);
      }
      throw error;
    },
  );
  const { header } = backup;
  console.log(
    `restored ${file} (taken ${header.takenAt} by KeyForge ${header.keyforgeVersion}, schema ${header.migrations.at(-1) ?? "empty"}) into ${database}; migrations it lacks apply at the next keyforge up`,
  );
}

const DATA_DIR_FLAG = [
  "--data-dir <dir>",
  "the data dir keyforge up runs on (default: KEYFORGE_DATA_DIR, else ~/.keyforge)",
] as const;

export function registerBackupCommands(program: Command): void {
  program
    .command("backup")
    .description(
      "back up the embedded database of keyforge up's data dir into one file, consistent even while up runs",
    )
    .option(...DATA_DIR_FLAG)
    .option("--out <file>", "the backup file (default: keyforge-<time>.keyforge-backup here)")
    .action(runBackup);
  program
    .command("restore")
    .description(
      "restore a keyforge backup file as the embedded database of a data dir (keyforge up stopped)",
    )
    .argument("<file>", "a file keyforge backup wrote (or one of <data dir>/backups)")
    .option(...DATA_DIR_FLAG)
    .option("--force", "replace the database the data dir already holds")
    .action(runRestore);
}
