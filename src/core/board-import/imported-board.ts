import {
  BOARD_FORMAT,
  type Board,
  type Hand,
  type Key,
  keyCentre,
  type Point,
  type QmkOrigin,
} from "../board.ts";
import { parseBoard } from "../board-validation.ts";
import { assignFingers, type ImportOptions } from "./finger-assignment.ts";
import type { PlacedKey } from "./placed-key.ts";

/** What every importer is told: the inference options plus the new board's id and name. */
export type BoardImportOptions = ImportOptions & {
  /** Id of the new board (lower-case letters, digits, `.`, `_`, `-`). */
  readonly id: string;
  /** Display name; default: the name in the file, else the id. */
  readonly name?: string;
};

export interface ImportedBoardText {
  /** Name found in the source file, used when the user gives none. */
  readonly name?: string;
  readonly description: string;
  readonly source: string;
  /** The QMK keyboard and layout macro the keys come from (QMK imports only). */
  readonly qmk?: QmkOrigin;
}

/**
 * A character may sit on one key only (a layout cannot type it twice), so when legends repeat one
 * (a numpad "5" and the main "5") the key in the letter block, else the one nearest the home row,
 * keeps it.
 */
function withUniqueChars(
  keys: readonly Key[],
  letterBlock: readonly (readonly string[])[] | undefined,
  homeCentre: Point,
): Key[] {
  const inBlock = new Set(letterBlock?.flat() ?? []);
  const rank = (key: Key) => {
    const c = keyCentre(key);
    return (inBlock.has(key.id) ? 0 : 1000) + Math.hypot(c.x - homeCentre.x, c.y - homeCentre.y);
  };
  const owner = new Map<string, Key>();
  for (const key of keys) {
    if (key.char === undefined) continue;
    const current = owner.get(key.char);
    if (!current || rank(key) < rank(current)) owner.set(key.char, key);
  }
  return keys.map((key) => {
    if (key.char === undefined || owner.get(key.char) === key) return key;
    const { char: _char, ...rest } = key;
    return rest;
  });
}

/**
 * Layouts need a key that types the space. When no legend says which, the space goes where the
 * built-in boards put it: on the right thumb's home key (else the left thumb's), if that key has
 * no character of its own.
 */
function withSpace(keys: readonly Key[]): Key[] {
  if (keys.some((k) => k.char === " ")) return [...keys];
  const thumbHome = (hand: Hand) =>
    keys.find((k) => k.hand === hand && k.finger === "thumb" && k.home && k.char === undefined);
  const target = thumbHome("right") ?? thumbHome("left");
  return keys.map((k) => (k === target ? { ...k, char: " " } : k));
}

/** Infers fingers for the placed keys and checks the result like any board file. */
export function importedBoard(
  placed: readonly PlacedKey[],
  options: BoardImportOptions,
  text: ImportedBoardText,
): Board {
  const { id, name, ...inference } = options;
  const assignment = assignFingers(placed, inference);
  const keys = withSpace(
    withUniqueChars(assignment.keys, assignment.letterBlock, assignment.homeCentre),
  );
  return parseBoard(
    {
      format: BOARD_FORMAT,
      id,
      name: name ?? (text.name?.trim() || id),
      description: text.description,
      source: text.source,
      ...(text.qmk ? { qmk: text.qmk } : {}),
      ...(assignment.letterBlock ? { letterBlock: assignment.letterBlock } : {}),
      keys,
    },
    id,
  );
}
