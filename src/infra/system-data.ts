import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { idFromPath } from "../core/asset-id.ts";
import type { Board } from "../core/board.ts";
import {
  BOARD_IMPORT_FORMAT_NAMES,
  boardImportFormatOf,
} from "../core/board-import/import-format.ts";
import { parseBoard } from "../core/board-validation.ts";
import { type Corpus, parseCorpus } from "../core/corpus.ts";
import type { ErrorCode } from "../core/error-codes.ts";
import { KeyForgeError } from "../core/errors.ts";
import { type Layout, layoutFromText } from "../core/layout.ts";
import {
  type LayoutDefinition,
  layoutOnBoard,
  parseLayoutDefinition,
} from "../core/layout-definition.ts";
import { parseWeights, type Weights } from "../core/scoring/weights.ts";
import type { AssetKind } from "./asset-path.ts";
import { isFileReference, readJsonFile, readTextFile } from "./data-files.ts";

/** The shipped assets. The path holds from both src/infra (tsx) and dist/infra (built). */
export const SYSTEM_DATA_DIR = fileURLToPath(new URL("../../data/system/", import.meta.url));

export type { AssetKind };

const SINGULAR: Record<AssetKind, string> = {
  boards: "board",
  layouts: "layout",
  corpora: "corpus",
  weights: "weights",
};

const NOT_FOUND_CODE: Record<AssetKind, ErrorCode> = {
  boards: "BOARD_NOT_FOUND",
  layouts: "LAYOUT_NOT_FOUND",
  corpora: "CORPUS_NOT_FOUND",
  weights: "WEIGHTS_NOT_FOUND",
};

/** Ids of the built-in assets of one kind, sorted. */
export async function builtinIds(kind: AssetKind): Promise<string[]> {
  const names = await readdir(`${SYSTEM_DATA_DIR}${kind}`).catch(() => [] as string[]);
  return names
    .filter((name) => name.endsWith(".json"))
    .map((name) => name.slice(0, -".json".length))
    .sort();
}

/** Resolves a user's reference (built-in id or file path) to a file path and a default id. */
async function resolve(kind: AssetKind, ref: string): Promise<{ path: string; id: string }> {
  if (isFileReference(ref)) return { path: ref, id: idFromPath(ref) };
  const ids = await builtinIds(kind);
  if (!ids.includes(ref)) {
    throw new KeyForgeError(
      NOT_FOUND_CODE[kind],
      `no built-in ${SINGULAR[kind]} "${ref}"; built-in: ${ids.join(", ")} (or give a file path)`,
    );
  }
  return { path: `${SYSTEM_DATA_DIR}${kind}/${ref}.json`, id: ref };
}

export async function loadBoard(ref: string): Promise<Board> {
  const { path, id } = await resolve("boards", ref);
  const data = await readJsonFile(path);
  const format = boardImportFormatOf(data);
  if (format !== undefined) {
    throw new KeyForgeError(
      "BOARD_NEEDS_IMPORT",
      `${path} is ${BOARD_IMPORT_FORMAT_NAMES[format]}, not a KeyForge board: import it first ` +
        `(keyforge board import ${format} ${path} --out ${id}.json), then use the board it writes`,
    );
  }
  return parseBoard(data, id);
}

export async function loadLayoutDefinition(ref: string): Promise<LayoutDefinition> {
  const { path, id } = await resolve("layouts", ref);
  return parseLayoutDefinition(await readJsonFile(path), id);
}

export async function loadCorpus(ref: string): Promise<Corpus> {
  const { path, id } = await resolve("corpora", ref);
  return parseCorpus(await readJsonFile(path), id);
}

export async function loadWeights(ref: string): Promise<Weights> {
  const { path, id } = await resolve("weights", ref);
  return parseWeights(await readJsonFile(path), id);
}

/** A layout on a board from a built-in name, a definition (.json), layout text, or "-" (stdin). */
export async function loadLayout(ref: string, board: Board): Promise<Layout> {
  if (!isFileReference(ref) || ref.endsWith(".json")) {
    return layoutOnBoard(await loadLayoutDefinition(ref), board);
  }
  const name = ref === "-" ? "stdin" : idFromPath(ref);
  return layoutFromText(await readTextFile(ref), board, name);
}
