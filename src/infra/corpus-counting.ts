import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import type { FileSkipReason } from "../core/corpus-files.ts";
import { KeyForgeError } from "../core/errors.ts";
import { MarkupStripper, textFormatOf } from "../core/markup-stripping.ts";
import { NgramCounter, type NgramTables } from "../core/ngram-counter.ts";
import { type NormalizationSettings, TextNormalizer } from "../core/text-normalization.ts";

export interface TextFile {
  readonly path: string;
  /**
   * The path from the folder (or file) it was found under, that folder's own name first, with
   * `/` between folders: what a corpus records, free of where the text sits on this machine.
   */
  readonly name: string;
  readonly size: number;
}

export interface CountProgress {
  readonly file: string;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface FileCounted {
  readonly file: TextFile;
  /** Characters counted from it, after markup stripping and normalisation. */
  readonly characters: number;
  /** Visible characters of Markdown or HTML markup taken out before counting. */
  readonly markupStripped: number;
}

export interface FileSkipped {
  readonly file: TextFile;
  readonly reason: FileSkipReason;
}

export interface CountOptions {
  /** Count Markdown and HTML files as they are, markup included. */
  readonly keepMarkup?: boolean;
  readonly onProgress?: (progress: CountProgress) => void;
}

export interface CountResult {
  readonly tables: NgramTables;
  /** Every file found, counted or skipped. */
  readonly files: readonly TextFile[];
  readonly counted: readonly FileCounted[];
  readonly skipped: readonly FileSkipped[];
}

const CHUNK_BYTES = 1 << 20;

/** How a corpus names a folder or file given on the command line: its own name, not where it is. */
export function rootName(root: string): string {
  return basename(resolve(root)) || root;
}

async function collect(path: string, root: string, into: TextFile[]): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new KeyForgeError("CORPUS_INPUT_MISSING", `no such file or directory: ${path}`);
  }
  if (info.isDirectory()) {
    const names = (await readdir(path)).filter((name) => !name.startsWith(".")).sort();
    for (const name of names) await collect(join(path, name), root, into);
  } else if (info.isFile()) {
    const below = relative(root, path).split(sep).filter(Boolean);
    into.push({ path, name: [rootName(root), ...below].join("/"), size: info.size });
  }
}

/** The files named, and every file below the directories named (hidden ones left out), sorted. */
export async function listTextFiles(paths: readonly string[]): Promise<TextFile[]> {
  const files: TextFile[] = [];
  for (const path of paths) await collect(path, path, files);
  if (files.length === 0) {
    throw new KeyForgeError("CORPUS_INPUT_EMPTY", `no files found in ${paths.join(", ")}`);
  }
  return files;
}

/** Why the first chunk of a file shows it is not UTF-8 text, or null when it is. */
function skipReason(bytes: Buffer): FileSkipReason | null {
  // Binary files (and UTF-16 text) show a NUL byte early; a stray NUL later is dropped like any
  // control code.
  if (bytes.includes(0)) return "binary";
  try {
    // A file is read in full chunks until its last one: only a full chunk may end inside a
    // character whose other bytes come next.
    const more = bytes.length === CHUNK_BYTES;
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: more });
    return null;
  } catch {
    return "not-utf8";
  }
}

/**
 * Streams one file, stripped of its markup unless asked to keep it, through the normaliser into
 * the counter; returns how many characters of markup it stripped, or why it counted nothing.
 */
async function countFile(
  file: TextFile,
  keepMarkup: boolean,
  normalizer: TextNormalizer,
  counter: NgramCounter,
  onBytes: (bytes: number) => void,
): Promise<{ markupStripped: number } | { skipped: FileSkipReason }> {
  const stream = createReadStream(file.path, { highWaterMark: CHUNK_BYTES });
  const decoder = new TextDecoder("utf-8");
  const format = keepMarkup ? "plain" : textFormatOf(file.path);
  const stripper = format === "plain" ? null : new MarkupStripper(format);
  const count = (text: string) => normalizer.push(text, counter.add);
  let first = true;
  for await (const bytes of stream as AsyncIterable<Buffer>) {
    const skipped = first ? skipReason(bytes) : null;
    if (skipped) {
      stream.destroy();
      return { skipped };
    }
    first = false;
    const text = decoder.decode(bytes, { stream: true });
    if (stripper) stripper.push(text, count);
    else count(text);
    onBytes(bytes.length);
  }
  const rest = decoder.decode();
  if (stripper) {
    stripper.push(rest, count);
    stripper.end(count);
  } else count(rest);
  normalizer.end(counter.add);
  counter.endDocument();
  return { markupStripped: stripper?.stripped ?? 0 };
}

/**
 * Counts the n-grams of text files and directories with bounded memory: files are streamed in
 * chunks (a Markdown file is read whole, to be parsed) and each file is a document of its own (no
 * n-gram spans two files). Markdown (.md, .markdown) and HTML (.html, .htm) files are stripped of
 * their markup first, unless `keepMarkup` is set.
 */
export async function countTextFiles(
  paths: readonly string[],
  settings: NormalizationSettings,
  options: CountOptions = {},
): Promise<CountResult> {
  const files = await listTextFiles(paths);
  const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
  const normalizer = new TextNormalizer(settings);
  const counter = new NgramCounter();
  const counted: FileCounted[] = [];
  const skipped: FileSkipped[] = [];
  let bytesDone = 0;
  for (const file of files) {
    const before = counter.characters();
    const outcome = await countFile(
      file,
      options.keepMarkup ?? false,
      normalizer,
      counter,
      (bytes) => {
        bytesDone += bytes;
        options.onProgress?.({ file: file.path, bytesDone, bytesTotal });
      },
    );
    if ("skipped" in outcome) skipped.push({ file, reason: outcome.skipped });
    else {
      const characters = counter.characters() - before;
      counted.push({ file, characters, markupStripped: outcome.markupStripped });
    }
  }
  return { tables: counter.tables(), files, counted, skipped };
}
