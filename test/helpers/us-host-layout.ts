/**
 * What a computer set to the US (QWERTY) keyboard layout types for each key, without and with
 * Shift, written from the US layout (xkb `symbols/us` "basic"), not from KeyForge's tables.
 * Keys are named by what they type without Shift: "a", ";", " " (space), "\n" (Enter).
 */
const US_PAIRS: readonly string[] = [
  "`~",
  "1!",
  "2@",
  "3#",
  "4$",
  "5%",
  "6^",
  "7&",
  "8*",
  "9(",
  "0)",
  "-_",
  "=+",
  "[{",
  "]}",
  "\\|",
  ";:",
  `'"`,
  ",<",
  ".>",
  "/?",
  ..."abcdefghijklmnopqrstuvwxyz".split("").map((c) => `${c}${c.toUpperCase()}`),
  "  ",
  "\n\n",
  "\t\t",
];

const SHIFTED: ReadonlyMap<string, string> = new Map(
  US_PAIRS.map((pair) => [pair[0] as string, pair[1] as string]),
);

/** A key press as firmware sends it: the US key, and whether the keycode adds Shift itself. */
export interface UsHostPress {
  readonly key: string;
  readonly shift: boolean;
}

/** What the US host types for the press, with or without the user holding Shift. */
export function usHostTypes(press: UsHostPress, shiftHeld: boolean): string {
  const shifted = SHIFTED.get(press.key);
  if (shifted === undefined) throw new Error(`no US key ${JSON.stringify(press.key)}`);
  return press.shift || shiftHeld ? shifted : press.key;
}

/** The press of a key named by its unshifted character. */
export function usKey(key: string, shift = false): UsHostPress {
  if (!SHIFTED.has(key)) throw new Error(`no US key ${JSON.stringify(key)}`);
  return { key, shift };
}

/** Text with C and devicetree comments blanked out (both formats go through the C preprocessor). */
export function withoutCComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, "");
}

/** One key of a firmware keymap read back: what it types, without and with Shift held. */
export interface TypedKey {
  readonly plain: string | null;
  readonly shifted: string | null;
}
