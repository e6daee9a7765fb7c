import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { KeyForgeError } from "../core/errors.ts";
import { NgramCounter, type NgramTables } from "../core/ngram-counter.ts";
import { type NormalizationSettings, TextNormalizer } from "../core/text-normalization.ts";

export interface TextFile {
  readonly path: string;
  readonly size: number;
}

export interface CountProgress {
  readonly file: string;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface CountResult {
  readonly tables: NgramTables;
  readonly files: readonly TextFile[];
  /** Files left out because they are not text (they contain NUL bytes). */
  readonly skipped: readonly string[];
}

const CHUNK_BYTES = 1 << 20;

async function collect(path: string, into: TextFile[]): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new KeyForgeError("CORPUS_INPUT_MISSING", `no such file or directory: ${path}`);
  }
  if (info.isDirectory()) {
    const names = (await readdir(path)).filter((name) => !name.startsWith(".")).sort();
    for (const name of names) await collect(join(path, name), into);
  } else if (info.isFile()) {
    into.push({ path, size: info.size });
  }
}

/** The files named, and every file below the directories named (hidden ones left out), sorted. */
export async function listTextFiles(paths: readonly string[]): Promise<TextFile[]> {
  const files: TextFile[] = [];
  for (const path of paths) await collect(path, files);
  if (files.length === 0) {
    throw new KeyForgeError("CORPUS_INPUT_EMPTY", `no files found in ${paths.join(", ")}`);
  }
  return files;
}

/** Streams one file through the normaliser into the counter; false (nothing counted) when it is not text. */
async function countFile(
  file: TextFile,
  normalizer: TextNormalizer,
  counter: NgramCounter,
  onBytes: (bytes: number) => void,
): Promise<boolean> {
  const stream = createReadStream(file.path, { highWaterMark: CHUNK_BYTES });
  const decoder = new TextDecoder("utf-8");
  let first = true;
  for await (const bytes of stream as AsyncIterable<Buffer>) {
    // Binary files show a NUL byte early; a stray NUL later on is dropped like any control code.
    if (first && bytes.includes(0)) {
      stream.destroy();
      return false;
    }
    first = false;
    normalizer.push(decoder.decode(bytes, { stream: true }), counter.add);
    onBytes(bytes.length);
  }
  normalizer.push(decoder.decode(), counter.add);
  normalizer.end(counter.add);
  counter.endDocument();
  return true;
}

/**
 * Counts the n-grams of text files and directories with bounded memory: files are streamed in
 * chunks and each file is a document of its own (no n-gram spans two files).
 */
export async function countTextFiles(
  paths: readonly string[],
  settings: NormalizationSettings,
  onProgress?: (progress: CountProgress) => void,
): Promise<CountResult> {
  const files = await listTextFiles(paths);
  const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
  const normalizer = new TextNormalizer(settings);
  const counter = new NgramCounter();
  const skipped: string[] = [];
  let bytesDone = 0;
  for (const file of files) {
    const isText = await countFile(file, normalizer, counter, (bytes) => {
      bytesDone += bytes;
      onProgress?.({ file: file.path, bytesDone, bytesTotal });
    });
    if (!isText) skipped.push(file.path);
  }
  return { tables: counter.tables(), files, skipped };
}
