import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { KeyForgeError } from "../core/errors.ts";
import { writeDurably } from "./durable-file.ts";

/** Whether a process with this id runs (one we may not signal still runs). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid a lock file holds, or null when it is gone. */
async function holderOf(file: string): Promise<number | null> {
  const text = await readFile(file, "utf8").catch(() => null);
  return text === null ? null : Number.parseInt(text, 10);
}

/**
 * Removes the lock of a process that died, unless another process took it over meanwhile: the
 * file is moved aside first, and put back when it turns out to hold someone else's pid.
 */
async function removeStaleLock(file: string, deadHolder: number): Promise<void> {
  const aside = `${file}.${randomUUID()}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    if (!Object.is(await holderOf(aside), deadHolder)) await link(aside, file).catch(() => {});
  } finally {
    await rm(aside, { force: true });
  }
}

/**
 * Takes the lock file `file` for this process, holding its pid, so two processes never share a
 * store that allows one user (an embedded database). The file appears with its pid in it, all
 * at once; a lock whose process has died is taken over. Resolves with the release; a lock held
 * by a live process is LOCK_HELD, naming `what`.
 */
export async function lockForProcess(file: string, what: string): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await writeDurably(file, `${process.pid}\n`, { replace: false })) {
      // Another process's lock is never removed, even one that took this one over wrongly.
      return async () => {
        if ((await holderOf(file)) === process.pid) await rm(file, { force: true });
      };
    }
    const holder = await holderOf(file);
    if (holder === null) continue;
    if (holder !== process.pid && Number.isSafeInteger(holder) && processRuns(holder)) {
      throw new KeyForgeError(
        "LOCK_HELD",
        `${what} is in use by process ${holder} (lock file ${file})`,
      );
    }
    // Its process is gone (or the file holds no pid): take it over.
    await removeStaleLock(file, holder);
  }
  throw new KeyForgeError("LOCK_HELD", `${what} is locked (lock file ${file})`);
}
