import type { Board } from "./board.ts";

/**
 * Where a key sits on a standard PC keyboard, as ISO/IEC 9995-1 names it: a row letter (E: the
 * digit row, D, C, B: the letter rows, A: the space bar row) and a column number (00 left of 1,
 * 01 for the column of 1, Q, A, Z). Operating-system layouts map characters to these places,
 * whatever the keys look like; a firmware that sends US keycodes sends them too.
 *
 * Each place with the codes the systems give it. Sources: xkeyboard-config's `keycodes/evdev`
 * (xkb names; an X key code is the evdev code + 8), Linux `input-event-codes.h` (evdev codes;
 * Windows scan codes of set 1 are the same numbers), Windows `winuser.h` (virtual keys on a US
 * layout), Apple `Events.h` (kVK_* virtual key codes) and the US layout of `symbols/us`.
 */
export interface KeyPosition {
  /** ISO/IEC 9995-1 place: E00, E01 … A03. */
  readonly code: string;
  /** xkb key name (TLDE, AE01, …). */
  readonly xkb: string;
  /** Linux evdev key code; the Windows scan code is the same number. */
  readonly evdev: number;
  /** Windows virtual key of a US layout, without its VK_ prefix. */
  readonly vk: string;
  /**
   * macOS virtual key code with the keyboard type ANSI. With the type ISO, the key left of 1
   * (E00) and the key right of the left Shift (B00) send each other's codes (10 and 50).
   */
  readonly mac: number;
  /** What the key types on the US layout, without and with Shift. */
  readonly us: readonly [string, string];
}

const position = (
  code: string,
  xkb: string,
  evdev: number,
  vk: string,
  mac: number,
  us: readonly [string, string],
): KeyPosition => ({ code, xkb, evdev, vk, mac, us });

/** Every place a layout can use: the alphanumeric block of ANSI (104) and ISO (105) boards. */
export const KEY_POSITIONS: readonly KeyPosition[] = [
  position("E00", "TLDE", 41, "OEM_3", 50, ["`", "~"]),
  ...[..."1234567890"].map((digit, i) =>
    position(
      `E${String(i + 1).padStart(2, "0")}`,
      `AE${String(i + 1).padStart(2, "0")}`,
      2 + i,
      digit,
      [18, 19, 20, 21, 23, 22, 26, 28, 25, 29][i] as number,
      [digit, ")!@#$%^&*("[(i + 1) % 10] as string],
    ),
  ),
  position("E11", "AE11", 12, "OEM_MINUS", 27, ["-", "_"]),
  position("E12", "AE12", 13, "OEM_PLUS", 24, ["=", "+"]),
  ...[..."qwertyuiop"].map((letter, i) =>
    position(
      `D${String(i + 1).padStart(2, "0")}`,
      `AD${String(i + 1).padStart(2, "0")}`,
      16 + i,
      letter.toUpperCase(),
      [12, 13, 14, 15, 17, 16, 32, 34, 31, 35][i] as number,
      [letter, letter.toUpperCase()],
    ),
  ),
  position("D11", "AD11", 26, "OEM_4", 33, ["[", "{"]),
  position("D12", "AD12", 27, "OEM_6", 30, ["]", "}"]),
  // ANSI's backslash above Enter and ISO's key left of Enter are one key to every system.
  position("D13", "BKSL", 43, "OEM_5", 42, ["\\", "|"]),
  ...[..."asdfghjkl"].map((letter, i) =>
    position(
      `C${String(i + 1).padStart(2, "0")}`,
      `AC${String(i + 1).padStart(2, "0")}`,
      30 + i,
      letter.toUpperCase(),
      [0, 1, 2, 3, 5, 4, 38, 40, 37][i] as number,
      [letter, letter.toUpperCase()],
    ),
  ),
  position("C10", "AC10", 39, "OEM_1", 41, [";", ":"]),
  position("C11", "AC11", 40, "OEM_7", 39, ["'", '"']),
  position("C12", "BKSL", 43, "OEM_5", 42, ["\\", "|"]),
  position("B00", "LSGT", 86, "OEM_102", 10, ["\\", "|"]),
  ...[..."zxcvbnm"].map((letter, i) =>
    position(
      `B${String(i + 1).padStart(2, "0")}`,
      `AB${String(i + 1).padStart(2, "0")}`,
      44 + i,
      letter.toUpperCase(),
      [6, 7, 8, 9, 11, 45, 46][i] as number,
      [letter, letter.toUpperCase()],
    ),
  ),
  position("B08", "AB08", 51, "OEM_COMMA", 43, [",", "<"]),
  position("B09", "AB09", 52, "OEM_PERIOD", 47, [".", ">"]),
  position("B10", "AB10", 53, "OEM_2", 44, ["/", "?"]),
  position("A03", "SPCE", 57, "SPACE", 49, [" ", " "]),
];

const BY_CODE: ReadonlyMap<string, KeyPosition> = new Map(
  KEY_POSITIONS.map((place) => [place.code, place]),
);

/** The place named `code`, or undefined when it is none of KEY_POSITIONS. */
export function keyPosition(code: string): KeyPosition | undefined {
  return BY_CODE.get(code);
}

/** The letter block's places, three rows of ten. */
const LETTER_BLOCK_PLACES = ["D", "C", "B"].map((row) =>
  Array.from({ length: 10 }, (_, i) => `${row}${String(i + 1).padStart(2, "0")}`),
);

/**
 * The place of each board key (null: none). A key's `position` says it; a board that names
 * none has its 3x10 letter block on the letter places (as a firmware sending QWERTY keycodes
 * does), its space on the space bar, and each other key with a character of the US layout on
 * that character's place, while it is free.
 */
export function boardPositions(board: Board): (KeyPosition | null)[] {
  if (board.keys.some((key) => key.position !== undefined)) {
    return board.keys.map((key) => (key.position ? (keyPosition(key.position) ?? null) : null));
  }
  const places: (KeyPosition | null)[] = board.keys.map(() => null);
  const index = new Map(board.keys.map((key, k) => [key.id, k]));
  const taken = new Set<string>();
  const put = (k: number, code: string) => {
    places[k] = keyPosition(code) ?? null;
    taken.add(code);
  };
  board.letterBlock?.forEach((row, r) => {
    row.forEach((id, c) => {
      put(index.get(id) as number, LETTER_BLOCK_PLACES[r]?.[c] as string);
    });
  });
  board.keys.forEach((key, k) => {
    if (places[k] !== null || key.char === undefined) return;
    const place = KEY_POSITIONS.find((p) => p.us[0] === key.char && !taken.has(p.code));
    if (place) put(k, place.code);
  });
  return places;
}
