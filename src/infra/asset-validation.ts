import { parseBoard } from "../core/board-validation.ts";
import { parseCorpus } from "../core/corpus.ts";
import { KeyForgeError } from "../core/errors.ts";
import { parseLayoutDefinition } from "../core/layout-definition.ts";
import { parseWeights } from "../core/scoring/weights.ts";
import { type AssetKind, assetIdOf } from "./asset-path.ts";

/** The core validator of each kind: the same checks the CLI applies when it loads the file. */
const VALIDATORS: Record<AssetKind, (data: unknown, fallbackId: string) => unknown> = {
  boards: parseBoard,
  layouts: parseLayoutDefinition,
  corpora: parseCorpus,
  weights: parseWeights,
};

// Fatal, so bytes that are not UTF-8 are refused instead of silently replaced.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Checks that an asset file's bytes are a valid document of its kind; throws a KeyForgeError
 * (ASSET_NOT_UTF8, ASSET_NOT_JSON or the validator's own code with its problems) otherwise.
 */
export function validateAsset(kind: AssetKind, path: string, bytes: Uint8Array): void {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new KeyForgeError("ASSET_NOT_UTF8", "not UTF-8 text");
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new KeyForgeError("ASSET_NOT_JSON", `not valid JSON: ${(error as Error).message}`);
  }
  VALIDATORS[kind](data, assetIdOf(path));
}

/** A validation failure as one log line: the message's lines (problems included) joined. */
export function oneLineReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .join("; ");
}
