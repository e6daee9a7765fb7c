import { mkdir, open, readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { KeyForgeError } from "../core/errors.ts";

/** Whether a process with this id runs (one we may not signal still runs). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the lock file `file` for this process, holding its pid, so two processes never share a
 * store that allows one user (an embedded database). A lock whose process has died is taken
 * over. Resolves with the release; a lock held by a live process is LOCK_HELD, naming `what`.
 */
export async function lockForProcess(file: string, what: string): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, "wx", 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(await readFile(file, "utf8").catch(() => ""), 10);
    if (Number.isSafeInteger(holder) && holder !== process.pid && processRuns(holder)) {
      throw new KeyForgeError(
        "LOCK_HELD",
        `${what} is in use by process ${holder} (lock file ${file})`,
      );
    }
    // Its process is gone (or the file is half written): take it over.
    await rm(file, { force: true });
  }
  throw new KeyForgeError("LOCK_HELD", `${what} is locked (lock file ${file})`);
}
