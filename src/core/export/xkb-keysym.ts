/**
 * The xkb keysym that types a character. ASCII characters go by their X11 names (`exclam`,
 * `bracketleft`; letters and digits by themselves), which every tool knows; Enter and Tab by the
 * function keysyms a keyboard sends for them; everything else by its Unicode form `U` + hex
 * (`U00E9`, `U1F600`), which xkbcomp and libxkbcommon resolve for any code point, with no table
 * to go stale (they even turn U+00A0..U+00FF into the Latin-1 keysyms `nobreakspace` … `ydiaeresis`).
 */

/** X11 names of the printable ASCII characters other than letters and digits (keysymdef.h). */
const ASCII_KEYSYMS: Readonly<Record<string, string>> = {
  " ": "space",
  "!": "exclam",
  '"': "quotedbl",
  "#": "numbersign",
  $: "dollar",
  "%": "percent",
  "&": "ampersand",
  "'": "apostrophe",
  "(": "parenleft",
  ")": "parenright",
  "*": "asterisk",
  "+": "plus",
  ",": "comma",
  "-": "minus",
  ".": "period",
  "/": "slash",
  ":": "colon",
  ";": "semicolon",
  "<": "less",
  "=": "equal",
  ">": "greater",
  "?": "question",
  "@": "at",
  "[": "bracketleft",
  "\\": "backslash",
  "]": "bracketright",
  "^": "asciicircum",
  _: "underscore",
  "`": "grave",
  "{": "braceleft",
  "|": "bar",
  "}": "braceright",
  "~": "asciitilde",
  "\n": "Return",
  "\t": "Tab",
};

/**
 * Control characters (other than Enter and Tab) have no keysym: xkbcomp answers `U0001` with
 * "Could not resolve keysym" and leaves the key empty. A lone surrogate is no character at all.
 */
const NO_KEYSYM = /^[\p{Cc}\p{Cs}]$/u;

/** The keysym that types `char`, or undefined when no keysym does (see NO_KEYSYM). */
export function xkbKeysym(char: string): string | undefined {
  const named = ASCII_KEYSYMS[char];
  if (named !== undefined) return named;
  if (/^[A-Za-z0-9]$/.test(char)) return char;
  const codePoint = char.codePointAt(0);
  if (codePoint === undefined || String.fromCodePoint(codePoint) !== char) return undefined;
  if (NO_KEYSYM.test(char)) return undefined;
  return `U${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}
