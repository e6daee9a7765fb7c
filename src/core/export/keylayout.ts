import type { Board } from "../board.ts";
import { failWithProblems, type Problem } from "../errors.ts";
import { KEY_POSITIONS, type KeyPosition } from "../key-positions.ts";
import type { Layout } from "../layout.ts";
import { type ExportOrigin, exportHeaderLines } from "./export-header.ts";
import { layoutFingerprint } from "./layout-fingerprint.ts";
import { type OsLayoutKey, osLayoutKeys } from "./os-layout-keys.ts";

/**
 * Exporter to a macOS keyboard layout (.keylayout, Apple TN2056): the XML file macOS loads from
 * ~/Library/Keyboard Layouts. Key maps for no modifier, Shift and Caps Lock give the layout's
 * characters (Option gives the same: the layout has no Option layer); the key maps chosen while
 * Command is held give the US characters of each place, so ⌘C, ⌘V and ⌘Z stay where QWERTY has
 * them, as on Apple's "Dvorak – QWERTY ⌘".
 */

/** The keyboard type macOS was told (it asks on first use: "press the key next to left Shift"). */
export type MacKeyboardType = "ansi" | "iso";

export interface KeylayoutOptions {
  readonly keyboard: MacKeyboardType;
}

/** The key codes macOS gives E00 and B00 with the keyboard type ANSI, swapped when it is ISO. */
const ISO_SWAPPED: ReadonlyMap<number, number> = new Map([
  [50, 10],
  [10, 50],
]);

/** The virtual key code a place sends to macOS with a keyboard of this type. */
export function macKeyCode(place: KeyPosition, keyboard: MacKeyboardType): number {
  return keyboard === "iso" ? (ISO_SWAPPED.get(place.mac) ?? place.mac) : place.mac;
}

/**
 * Keys that type no character but must be in every key map, or they do nothing: what Apple's
 * and Ukelele's layouts give them (Events.h kVK_* codes; the function keys all send U+0010).
 */
const CONTROL_KEYS: readonly (readonly [number, string])[] = [
  [36, "\r"], // Return
  [48, "\t"], // Tab
  [51, "\b"], // Delete
  [53, "\u001b"], // Escape
  [76, "\u0003"], // keypad Enter
  [114, "\u0005"], // Help
  [115, "\u0001"], // Home
  [116, "\u000b"], // Page Up
  [117, "\u007f"], // Forward Delete
  [119, "\u0004"], // End
  [121, "\u000c"], // Page Down
  [123, "\u001c"], // Left
  [124, "\u001d"], // Right
  [125, "\u001f"], // Down
  [126, "\u001e"], // Up
  ...[122, 120, 99, 118, 96, 97, 98, 100, 101, 109, 103, 111].map(
    (code) => [code, "\u0010"] as const, // F1 … F12
  ),
  [71, "\u001b"], // keypad Clear
  // keypad . * + / - = and 0 … 9
  [65, "."],
  [67, "*"],
  [69, "+"],
  [75, "/"],
  [78, "-"],
  [81, "="],
  ...[82, 83, 84, 85, 86, 87, 88, 89, 91, 92].map((code, digit) => [code, `${digit}`] as const),
];

/** One place per key code (ANSI's D13 and ISO's C12 are one key, 42). */
const PLACES: readonly KeyPosition[] = [
  ...new Map(KEY_POSITIONS.map((place) => [place.mac, place])).values(),
];

/** What each layer of the file gives on a key: its layout key (if any) and its place. */
type LayerOutput = (key: OsLayoutKey | undefined, place: KeyPosition) => string;

const isUsLetter = (place: KeyPosition) => /^[a-z]$/.test(place.us[0]);

/**
 * The key maps, each with the modifier combinations that select it. A combination no select
 * matches takes key map 0. Option is "don't care" throughout; Control is too when Command is
 * held, so ⌃⌘ shortcuts are QWERTY as well.
 */
const KEY_MAPS: readonly { readonly modifiers: readonly string[]; readonly output: LayerOutput }[] =
  [
    { modifiers: ["anyOption?"], output: (key) => key?.char ?? "" },
    { modifiers: ["anyShift caps? anyOption?"], output: (key) => key?.shifted ?? "" },
    {
      modifiers: ["caps anyOption?"],
      output: (key) => (key?.capsLock ? key.shifted : key?.char) ?? "",
    },
    { modifiers: ["command anyOption? anyControl?"], output: (_, place) => place.us[0] },
    {
      modifiers: ["anyShift caps? command anyOption? anyControl?"],
      output: (_, place) => place.us[1],
    },
    {
      modifiers: ["caps command anyOption? anyControl?"],
      output: (_, place) => (isUsLetter(place) ? place.us[1] : place.us[0]),
    },
  ];

/** Is this a character no XML document can hold, not even as a reference? */
function notInXml(char: string): boolean {
  const codePoint = char.codePointAt(0) as number;
  return (
    codePoint === 0 ||
    (codePoint >= 0xd800 && codePoint <= 0xdfff) ||
    codePoint === 0xfffe ||
    codePoint === 0xffff
  );
}

/**
 * An attribute value: characters of the BMP that print stay as they are, everything else
 * (markup characters, spaces, controls) becomes a numeric reference, the only kind TN2056
 * allows. A character outside the BMP is one reference, which macOS turns into its surrogate
 * pair (as Ukelele writes them).
 */
function xmlAttribute(text: string): string {
  let out = "";
  for (const char of text) {
    const printable =
      char.length === 1 && /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(char) && !/[<>&"']/.test(char);
    out += printable
      ? char
      : `&#x${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")};`;
  }
  return out;
}

/** A name for an attribute: what XML cannot hold becomes U+FFFD. */
function xmlName(text: string): string {
  return xmlAttribute([...text].map((char) => (notInXml(char) ? "\uFFFD" : char)).join(""));
}

/**
 * A comment's text: no `--` (which ends an XML comment), and none of the control characters
 * XML 1.1 allows only as references.
 */
function xmlCommentText(text: string): string {
  return text
    .replace(/-(?=-)/g, "- ")
    .replace(/[\p{Cc}\p{Cs}\uFFFE\uFFFF]/gu, (c) => (c === "\t" ? c : "\uFFFD"));
}

function unmappedProblems(keys: readonly OsLayoutKey[]): Problem[] {
  return keys.flatMap(({ key, char, shifted }) =>
    [char, shifted]
      .filter((c): c is string => c !== null && [...c].some(notInXml))
      .map((c) => ({
        code: "KEYLAYOUT_CHAR_NOT_IN_XML",
        subject: key.id,
        message: `${JSON.stringify(c)} cannot be written in an XML file`,
      })),
  );
}

/** Negative, as TN2056 asks of Unicode layouts, and new for every changed layout. */
function keylayoutId(layout: Layout, board: Board): number {
  return -(1 + (layoutFingerprint(layout, board) % 32767));
}

function installLines(keyboard: MacKeyboardType, id: number): string[] {
  const type = keyboard.toUpperCase();
  const other = keyboard === "iso" ? "ANSI" : "ISO";
  return [
    `macOS keyboard layout for a keyboard of type ${type}.`,
    "Install: copy this file to ~/Library/Keyboard Layouts/ (or /Library/Keyboard Layouts/ for",
    "every user), log out and back in, then add it in System Settings > Keyboard > Text Input >",
    "Input Sources > Edit > + (it is listed under Others).",
    `Keyboard type: this file is for ${type}. macOS asks for the type when it first sees a keyboard`,
    "(press the key next to the left Shift). If the key left of 1 and the key right of the left",
    "Shift come out swapped, set the type in System Settings > Keyboard > Change Keyboard Type,",
    `or export the layout for ${other}.`,
    "Command shortcuts stay on their QWERTY places: Command+C is the key where QWERTY has C.",
    "Caps Lock capitalises letters only; Option gives the same characters as without it.",
    `macOS caches layouts by id (${id} here, new for every changed layout): if an older version`,
    "still types after you replace the file, log out again or restart.",
  ];
}

function keyMapLines(
  index: number,
  output: LayerOutput,
  keys: readonly OsLayoutKey[],
  keyboard: MacKeyboardType,
): string[] {
  const byCode = new Map(keys.map((key) => [macKeyCode(key.place, keyboard), key]));
  const outputs = new Map<number, string>(CONTROL_KEYS);
  for (const place of PLACES) {
    const code = macKeyCode(place, keyboard);
    outputs.set(code, output(byCode.get(code), place));
  }
  return [
    `\t\t<keyMap index="${index}">`,
    ...[...outputs]
      .sort(([a], [b]) => a - b)
      .map(([code, text]) => `\t\t\t<key code="${code}" output="${xmlAttribute(text)}"/>`),
    "\t\t</keyMap>",
  ];
}

/**
 * The layout as a .keylayout for a Mac whose keyboard type is `keyboard`. Throws
 * EXPORT_KEY_PLACE_INVALID for a character on a key with no place on a PC keyboard,
 * EXPORT_KEYLAYOUT_UNMAPPED naming every character no XML file can hold (U+0000, lone
 * surrogates, U+FFFE, U+FFFF).
 */
export function layoutKeylayout(
  board: Board,
  layout: Layout,
  origin: ExportOrigin,
  options: KeylayoutOptions,
): string {
  const { keyboard } = options;
  const keys = osLayoutKeys(board, layout, "a macOS keylayout");
  const problems = unmappedProblems(keys);
  if (problems.length > 0) {
    failWithProblems(
      "EXPORT_KEYLAYOUT_UNMAPPED",
      `layout ${layout.name} has characters a macOS keylayout cannot hold`,
      problems,
    );
  }
  const id = keylayoutId(layout, board);
  const header = exportHeaderLines(layout, board, origin, installLines(keyboard, id));
  const outputs = keys.flatMap((key) => [key.char ?? "", key.shifted ?? ""]);
  // The longest output in UTF-16 units: 2 when a character lies outside the BMP.
  const maxout = Math.max(1, ...outputs.map((text) => text.length));
  const lines = [
    // 1.1: the references to control characters every keylayout has (&#x0008; on Delete) are
    // well-formed only in XML 1.1. Ukelele writes 1.1 too.
    '<?xml version="1.1" encoding="UTF-8"?>',
    '<!DOCTYPE keyboard SYSTEM "file://localhost/System/Library/DTDs/KeyboardLayout.dtd">',
    "<!--",
    ...header.map(xmlCommentText),
    "-->",
    `<keyboard group="126" id="${id}" name="${xmlName(layout.name)}" maxout="${maxout}">`,
    "\t<layouts>",
    '\t\t<layout first="0" last="17" modifiers="Modifiers" mapSet="KeyForge"/>',
    "\t</layouts>",
    '\t<modifierMap id="Modifiers" defaultIndex="0">',
    ...KEY_MAPS.flatMap(({ modifiers }, index) => [
      `\t\t<keyMapSelect mapIndex="${index}">`,
      ...modifiers.map((keys) => `\t\t\t<modifier keys="${keys}"/>`),
      "\t\t</keyMapSelect>",
    ]),
    "\t</modifierMap>",
    '\t<keyMapSet id="KeyForge">',
    ...KEY_MAPS.flatMap(({ output }, index) => keyMapLines(index, output, keys, keyboard)),
    "\t</keyMapSet>",
    "</keyboard>",
  ];
  return lines.map((line) => `${line}\n`).join("");
}
