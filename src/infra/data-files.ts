import { readFile } from "node:fs/promises";
import { KeyForgeError } from "../core/errors.ts";

/** Reads a text file, or standard input for "-", turning file-system failures into clear errors. */
export async function readTextFile(path: string): Promise<string> {
  try {
    return path === "-" ? await readStdin() : await readFile(path, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "no such file"
        : (error as Error).message;
    throw new KeyForgeError("FILE_UNREADABLE", `cannot read ${path}: ${reason}`);
  }
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

/** File name without folders and extension: the default id of a data file. */
export function idFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return (
    base
      .replace(/\.[^.]*$/, "")
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "") || "unnamed"
  );
}
