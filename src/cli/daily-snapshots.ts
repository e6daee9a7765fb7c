import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { backupsToRemove, DEFAULT_RETENTION } from "../infra/backup-retention.ts";
import { writeDurably } from "../infra/durable-file.ts";

/** A daily backup's file name: the UTC day it was taken. */
const DAILY_NAME = /^(\d{4}-\d{2}-\d{2})\.keyforge-backup$/;

const dailyName = (day: string) => `${day}.keyforge-backup`;

/** How often `up` looks whether today's backup is due: a machine may sleep past midnight. */
const CHECK_EVERY_MS = 60 * 60 * 1000;

/** The daily backups in `folder`; files of other names are not the rule's to remove. */
async function dailyBackups(folder: string) {
  const names = await readdir(folder);
  return names.flatMap((name) => {
    const day = DAILY_NAME.exec(name)?.[1];
    return day === undefined ? [] : [{ file: join(folder, name), takenAt: new Date(day) }];
  });
}

/** Takes today's backup unless there is one, then removes the ones the retention lets go. */
async function takeDailyBackup(
  folder: string,
  snapshot: () => Promise<Uint8Array>,
  now: Date,
): Promise<string | null> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const today = now.toISOString().slice(0, 10);
  const file = join(folder, dailyName(today));
  const taken = (await readdir(folder)).includes(dailyName(today));
  if (!taken) await writeDurably(file, await snapshot());
  for (const old of backupsToRemove(await dailyBackups(folder), DEFAULT_RETENTION)) {
    await rm(old.file, { force: true });
  }
  return taken ? null : file;
}

/**
 * Keeps a daily backup of the embedded database in `folder` (`<data dir>/backups`), one file
 * per UTC day, pruned to 14 daily and 8 weekly (src/infra/backup-retention.ts). Checks at
 * once and then every hour; a failure is logged and tried again at the next check. Resolves
 * the function returned once a check under way has finished.
 */
export function startDailySnapshots(
  folder: string,
  snapshot: () => Promise<Uint8Array>,
  log: { written: (file: string) => void; failed: (error: Error) => void },
  checkEveryMs: number = CHECK_EVERY_MS,
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const check = () => {
    running = running
      .then(() => takeDailyBackup(folder, snapshot, new Date()))
      .then(
        (file) => {
          if (file !== null) log.written(file);
        },
        (error: Error) => log.failed(error),
      );
  };
  check();
  const timer = setInterval(check, checkEveryMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
