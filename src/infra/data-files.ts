import { access, constants, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { KeyForgeError } from "../core/errors.ts";

/** Reads a text file, or standard input for "-", turning file-system failures into clear errors. */
export async function readTextFile(path: string): Promise<string> {
  try {
    return path === "-" ? await readStdin() : await readFile(path, "utf8");
  } catch (error) {
    const reason = fileSystemReason(error as NodeJS.ErrnoException, path);
    throw new KeyForgeError("FILE_UNREADABLE", `cannot read ${path}: ${reason}`);
  }
}

/** Why the file system refused a path, in words; other failures keep the system's message. */
export function fileSystemReason(error: NodeJS.ErrnoException, path: string): string {
  switch (error.code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a folder";
    case "ENOTDIR":
      return `${dirname(path)} is not a folder`;
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "no space left on the device";
    default:
      return error.message;
  }
}

/**
 * Writes a file the user named (`--out`): text as UTF-8, or the bytes given; file-system
 * failures become clear errors. The folder must exist: a mistyped folder is more likely than a
 * wish for a new one.
 */
export async function writeTextFile(path: string, text: string | Uint8Array): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    const reason =
      failure.code === "ENOENT"
        ? `the folder ${dirname(path)} does not exist`
        : fileSystemReason(failure, path);
    throw new KeyForgeError("FILE_UNWRITABLE", `cannot write ${path}: ${reason}`);
  }
}

/**
 * Fails now, the way writeTextFile would later, when `path` cannot be written: for commands
 * that write their result after a long run, which a mistyped --out must not throw away.
 */
export async function checkWritable(path: string): Promise<void> {
  const unwritable = (reason: string) =>
    new KeyForgeError("FILE_UNWRITABLE", `cannot write ${path}: ${reason}`);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw unwritable("it is a folder");
  const folder = dirname(path);
  const parent = await stat(folder).catch(() => undefined);
  if (!parent) throw unwritable(`the folder ${folder} does not exist`);
  if (!parent.isDirectory()) throw unwritable(`${folder} is not a folder`);
  await access(existing ? path : folder, constants.W_OK).catch(() => {
    throw unwritable("permission denied");
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads and parses a JSON file; a syntax error names the file and what the parser saw. */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = await readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KeyForgeError(
      "FILE_NOT_JSON",
      `${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/** A path-like argument names a file; anything else names a built-in. */
export function isFileReference(ref: string): boolean {
  return ref === "-" || ref.includes("/") || ref.includes("\\") || /\.(json|txt|kf)$/i.test(ref);
}
