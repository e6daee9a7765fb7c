import type { Board } from "./board.ts";

/**
 * The shifted layer: for each key, the character typed with Shift held. A layout may set it
 * key by key; where it does not, a key's Shift character is its default:
 * - a letter's capital, by Unicode's case mapping when that is one character (`é` → `É`,
 *   `ß` → `ẞ`; Turkish `i` → `I`, dotted `İ` only when set explicitly);
 * - otherwise the board's conventional pair (`shiftPairs` in the board file), else the US one
 *   (`,` → `<`, `/` → `?`, `1` → `!`, ...);
 * - space, Enter and Tab type themselves (a capital's Shift is often still held at the space);
 * - otherwise nothing.
 * A default that the layout already has on another key (as a base character, or set as a
 * Shift character) is left out: each character has one place.
 */

/** The US (ANSI) keyboard's Shift pairs of the non-letter keys. */
export const US_SHIFT_PAIRS: Readonly<Record<string, string>> = {
  "`": "~",
  "1": "!",
  "2": "@",
  "3": "#",
  "4": "$",
  "5": "%",
  "6": "^",
  "7": "&",
  "8": "*",
  "9": "(",
  "0": ")",
  "-": "_",
  "=": "+",
  "[": "{",
  "]": "}",
  "\\": "|",
  ";": ":",
  "'": '"',
  ",": "<",
  ".": ">",
  "/": "?",
};

/** Keys that type the same with Shift held. */
const SAME_WITH_SHIFT: ReadonlySet<string> = new Set([" ", "\n", "\t"]);

/** Capitals Unicode's one-to-one case mapping lacks: `ß` upper-cases to "SS". */
const CAPITALS: Readonly<Record<string, string>> = { ß: "ẞ" };

/** A letter's capital when it is one character other than the letter itself. */
function capitalOf(char: string): string | undefined {
  const explicit = CAPITALS[char];
  if (explicit !== undefined) return explicit;
  const upper = char.toUpperCase();
  return upper !== char && [...upper].length === 1 ? upper : undefined;
}

/** The character Shift gives on a key whose base character is `char`, by default. */
export function defaultShifted(char: string, board: Pick<Board, "shiftPairs">): string | null {
  if (SAME_WITH_SHIFT.has(char)) return char;
  return capitalOf(char) ?? board.shiftPairs?.[char] ?? US_SHIFT_PAIRS[char] ?? null;
}

/**
 * The Shift character of every key: `explicit[i]` where it is set (a character, or null for
 * nothing), the default elsewhere, without any character twice (a default already placed is
 * left out; a key may type its own character with Shift). `explicit` holds undefined for keys
 * that take their default.
 */
export function resolveShifted(
  chars: readonly (string | null)[],
  explicit: readonly (string | null | undefined)[] | undefined,
  board: Pick<Board, "shiftPairs">,
): (string | null)[] {
  const placed = new Set<string>();
  for (const char of chars) if (char !== null) placed.add(char);
  for (const char of explicit ?? []) if (typeof char === "string") placed.add(char);
  return chars.map((char, i) => {
    const set = explicit?.[i];
    if (set !== undefined) return set;
    if (char === null) return null;
    const fallback = defaultShifted(char, board);
    if (fallback === char) return char;
    if (fallback === null || placed.has(fallback)) return null;
    placed.add(fallback);
    return fallback;
  });
}

/**
 * The explicit part of a resolved Shift layer: undefined for keys whose Shift character is the
 * default (so a layout that keeps every default carries no layer at all), else the layer with
 * undefined on the keys that follow the default.
 */
export function explicitShifted(
  chars: readonly (string | null)[],
  shifted: readonly (string | null)[],
  board: Pick<Board, "shiftPairs">,
): (string | null | undefined)[] | undefined {
  const defaults = resolveShifted(chars, undefined, board);
  let anyExplicit = false;
  const explicit = shifted.map((char, i) => {
    if (char === defaults[i]) return undefined;
    anyExplicit = true;
    return char;
  });
  return anyExplicit ? explicit : undefined;
}
