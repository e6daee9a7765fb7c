import type { Board, Key } from "../board.ts";
import { failWithProblems, type Problem } from "../errors.ts";
import { boardPositions, type KeyPosition } from "../key-positions.ts";
import { type Layout, shiftedLayer } from "../layout.ts";
import { checkLayoutFits } from "./layout-fit.ts";

/**
 * What an operating-system layout (Windows KLC, macOS keylayout) is made of: the keys the layout
 * puts a character on, each at its place on a standard PC keyboard, with its two characters.
 * Such a layout maps places, not board keys, so every key with a character needs a place, and
 * no two of them may share one.
 */
export interface OsLayoutKey {
  readonly key: Key;
  readonly place: KeyPosition;
  /** Without modifier; null: nothing. */
  readonly char: string | null;
  /** With Shift; null: nothing. */
  readonly shifted: string | null;
  /**
   * Caps Lock gives the Shift character: the key holds a letter and its capital. On every other
   * key Caps Lock changes nothing, as on the systems' own layouts (Caps Lock does not turn 1
   * into !).
   */
  readonly capsLock: boolean;
}

/** Is `shifted` the capital of the letter `char`, so Caps Lock should act as Shift? */
export function isLetterAndCapital(char: string | null, shifted: string | null): boolean {
  if (char === null || shifted === null || char === shifted) return false;
  return (
    /^\p{Ll}$/u.test(char) && /^[\p{Lu}\p{Lt}]$/u.test(shifted) && shifted.toLowerCase() === char
  );
}

/**
 * The layout's keys with a character (on either layer) at their places, in board order. Throws
 * EXPORT_KEY_PLACE_INVALID naming every key with a character but no place on a PC keyboard
 * (give it a `position` in the board file) and every pair of such keys on one place.
 */
export function osLayoutKeys(board: Board, layout: Layout, format: string): OsLayoutKey[] {
  checkLayoutFits(board, layout);
  const places = boardPositions(board);
  const shifted = shiftedLayer(layout, board);
  const problems: Problem[] = [];
  // Scan code, not place name: ANSI's D13 and ISO's C12 are one key to every system.
  const keyAtScanCode = new Map<number, Key>();
  const keys: OsLayoutKey[] = [];
  board.keys.forEach((key, i) => {
    const char = layout.chars[i] ?? null;
    const shift = shifted[i] ?? null;
    if (char === null && shift === null) return;
    const place = places[i] ?? null;
    if (place === null) {
      problems.push({
        code: "KEY_HAS_NO_PLACE",
        subject: key.id,
        message: `the key holds ${describeChars(char, shift)} but has no place on a PC keyboard: give it a "position" in board ${board.id} or leave it unused`,
      });
      return;
    }
    const other = keyAtScanCode.get(place.evdev);
    if (other !== undefined) {
      problems.push({
        code: "KEY_PLACE_SHARED",
        subject: key.id,
        message: `the key is at place ${place.code}, where key ${other.id} already is`,
      });
      return;
    }
    keyAtScanCode.set(place.evdev, key);
    keys.push({ key, place, char, shifted: shift, capsLock: isLetterAndCapital(char, shift) });
  });
  if (problems.length > 0) {
    failWithProblems(
      "EXPORT_KEY_PLACE_INVALID",
      `layout ${layout.name} cannot be written as ${format}: board ${board.id} does not place its keys on a PC keyboard`,
      problems,
    );
  }
  return keys;
}

function describeChars(char: string | null, shifted: string | null): string {
  return [char, shifted]
    .filter((c) => c !== null)
    .map((c) => JSON.stringify(c))
    .join(" and ");
}
