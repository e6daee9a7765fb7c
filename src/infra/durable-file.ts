import { randomUUID } from "node:crypto";
import { link, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes `content` to `file` (readable by its owner only) so that a crash leaves the old content
 * or the new, never half of it: written aside, synced, then moved into place. With
 * `replace: false` an existing file is kept, and false is returned (of writers racing for one
 * file, the first wins).
 */
export async function writeDurably(
  file: string,
  content: string | Uint8Array,
  options: { replace: boolean } = { replace: true },
): Promise<boolean> {
  const partial = `${file}.${randomUUID()}.partial`;
  const handle = await open(partial, "wx", 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (options.replace) {
    await rename(partial, file);
    await syncFolder(dirname(file));
    return true;
  }
  try {
    // A link never replaces a file.
    await link(partial, file);
    await syncFolder(dirname(file));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * Makes the folder's new entry durable too. Best effort: the file is in place either way, and
 * some systems cannot sync a folder.
 */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, "r").catch(() => null);
  try {
    await handle?.sync();
  } catch {
    // The entry is written; only its durability across a power loss is not confirmed.
  } finally {
    await handle?.close();
  }
}
