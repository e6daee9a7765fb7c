import type { Board } from "../board.ts";
import { failWithProblems, type Problem } from "../errors.ts";
import { KEY_POSITIONS } from "../key-positions.ts";
import type { Layout } from "../layout.ts";
import { invisibleCharName } from "./code-point-name.ts";
import { type ExportOrigin, exportHeaderLines } from "./export-header.ts";
import { layoutFingerprint } from "./layout-fingerprint.ts";
import { type OsLayoutKey, osLayoutKeys } from "./os-layout-keys.ts";

/**
 * Exporter to a Microsoft Keyboard Layout Creator source (.klc): the file MSKLC 1.4 opens and
 * builds into a Windows keyboard DLL with its installer. Two shift states (none, Shift); a key's
 * row gives its scan code, its virtual key, whether Caps Lock acts as Shift, and its characters.
 *
 * Virtual keys follow the characters, as on Windows' own Dvorak: the key that types `c` sends
 * VK C, so Ctrl+C copies with the key labelled C in the layout, not with the key where QWERTY has
 * C. (Windows looks shortcuts up by virtual key, and a virtual key given to two keys works on the
 * first one only, so every key gets its own.)
 */

/** The language the layout is installed under: Windows lists it with English (United States). */
const LOCALE = {
  name: "en-US",
  id: "00000409",
  language: "0409",
  languageName: "English (United States)",
};

/**
 * Windows' keyboard tables read these code points as "no character", "dead key" and
 * "ligature" (WCH_NONE, WCH_DEAD, WCH_LGTR in kbd.h), never as the characters themselves.
 */
const RESERVED_CELLS = new Set(["\uF000", "\uF001", "\uF002"]);

/** MSKLC's names of the keys that type no character (what its own files list). */
const KEY_NAMES: readonly (readonly [string, string])[] = [
  ["01", "Esc"],
  ["0e", "Backspace"],
  ["0f", "Tab"],
  ["1c", "Enter"],
  ["1d", "Ctrl"],
  ["2a", "Shift"],
  ["36", '"Right Shift"'],
  ["37", '"Num *"'],
  ["38", "Alt"],
  ["39", "Space"],
  ["3a", '"Caps Lock"'],
  ...Array.from({ length: 10 }, (_, i) => [(0x3b + i).toString(16), `F${i + 1}`] as const),
  ["45", "Pause"],
  ["46", '"Scroll Lock"'],
  ...["7", "8", "9", "-", "4", "5", "6", "+", "1", "2", "3", "0", "Del"].map(
    (label, i) => [(0x47 + i).toString(16), `"Num ${label}"`] as const,
  ),
  ["54", '"Sys Req"'],
  ["57", "F11"],
  ["58", "F12"],
  ...Array.from({ length: 12 }, (_, i) => [(0x7c + i).toString(16), `F${i + 13}`] as const),
];

/** MSKLC's names of the extended keys (scan codes sent after E0). */
const EXTENDED_KEY_NAMES: readonly (readonly [string, string])[] = [
  ["1c", '"Num Enter"'],
  ["1d", '"Right Ctrl"'],
  ["35", '"Num /"'],
  ["37", '"Prnt Scrn"'],
  ["38", '"Right Alt"'],
  ["45", '"Num Lock"'],
  ["46", "Break"],
  ["47", "Home"],
  ["48", "Up"],
  ["49", '"Page Up"'],
  ["4b", "Left"],
  ["4d", "Right"],
  ["4f", "End"],
  ["50", "Down"],
  ["51", '"Page Down"'],
  ["52", "Insert"],
  ["53", "Delete"],
  ["54", "<00>"],
  ["56", "Help"],
  ["5b", '"Left Windows"'],
  ["5c", '"Right Windows"'],
  ["5d", "Application"],
];

/**
 * The KBD name, which names the DLL and MSKLC's build folder: at most 8 characters, letters and
 * digits. Up to four letters of the layout's name, then hex digits of its fingerprint, so that
 * every version of a layout builds a DLL of its own (MSKLC refuses to build a DLL whose name is
 * already installed) and no name is one of Windows' own (kbdus, kbddv, ...).
 */
export function klcKbdName(layout: Layout, board: Pick<Board, "shiftPairs">): string {
  const letters = layout.name
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "")
    .replace(/^[0-9]+/, "")
    .slice(0, 4);
  const prefix = letters || "kf";
  const hex = layoutFingerprint(layout, board).toString(16).padStart(8, "0");
  return `${prefix}${hex.slice(0, 8 - prefix.length)}`;
}

/** Text on one line of a KLC, without the double quotes its strings cannot escape. */
function klcText(text: string): string {
  return text.replace(/[\p{C}\p{Zl}\p{Zp}]+/gu, " ").replace(/"/g, "'");
}

function klcString(text: string): string {
  return `"${klcText(text)}"`;
}

/** A character cell: its code point in four hex digits, or -1 for none. */
function klcCell(char: string | null): string {
  return char === null ? "-1" : (char.codePointAt(0) as number).toString(16).padStart(4, "0");
}

/** A character as the row comment shows it: itself, or U+XXXX when it would not show. */
function commentChar(char: string | null): string {
  if (char === null) return "(none)";
  return invisibleCharName(char) ?? char;
}

/** Every character a cell cannot hold, naming its key. */
function unmappedProblems(keys: readonly OsLayoutKey[]): Problem[] {
  return keys.flatMap(({ key, char, shifted }) =>
    [char, shifted].flatMap((c): Problem[] => {
      if (c === null) return [];
      if (c.length !== 1) {
        return [
          {
            code: "KLC_CHAR_OUTSIDE_BMP",
            subject: key.id,
            message: `${JSON.stringify(c)} is not one UTF-16 unit, which is all a KLC cell holds`,
          },
        ];
      }
      if (RESERVED_CELLS.has(c)) {
        return [
          {
            code: "KLC_CHAR_RESERVED",
            subject: key.id,
            message: `${invisibleCharName(c) ?? c} means "no character", "dead key" or "ligature" to Windows' keyboard tables`,
          },
        ];
      }
      return [];
    }),
  );
}

/** Places in table order, one per virtual key (ANSI's D13 and ISO's C12 share OEM_5). */
const VIRTUAL_KEYS = [...new Set(KEY_POSITIONS.map((place) => place.vk))];

/**
 * Each key's virtual key: the one the US layout gives the key that types the same character
 * (letters and digits, and OEM keys for the US punctuation), when no earlier key took it; then
 * the key's own place's, while free; then one no key uses.
 */
function virtualKeys(keys: readonly OsLayoutKey[]): string[] {
  const taken = new Set<string>();
  const vks: (string | undefined)[] = keys.map(({ char, place }) => {
    if (char === null) return undefined;
    const typed = char.toLowerCase();
    const candidates = KEY_POSITIONS.filter((p) => p.us[0] === typed).map((p) => p.vk);
    const vk = candidates.includes(place.vk) ? place.vk : candidates[0];
    if (vk === undefined || taken.has(vk)) return undefined;
    taken.add(vk);
    return vk;
  });
  keys.forEach(({ place }, k) => {
    if (vks[k] === undefined && !taken.has(place.vk)) {
      vks[k] = place.vk;
      taken.add(place.vk);
    }
  });
  return vks.map((vk) => {
    if (vk !== undefined) return vk;
    // There are as many virtual keys as places, and each key has a place of its own.
    const free = VIRTUAL_KEYS.find((candidate) => !taken.has(candidate)) as string;
    taken.add(free);
    return free;
  });
}

function layoutRows(keys: readonly OsLayoutKey[]): string[] {
  const vks = virtualKeys(keys);
  return keys.map((key, k) =>
    [
      key.place.evdev.toString(16).padStart(2, "0"),
      vks[k],
      key.capsLock ? "1" : "0",
      klcCell(key.char),
      klcCell(key.shifted),
      `// ${key.place.code} ${commentChar(key.char)} ${commentChar(key.shifted)}`,
    ].join("\t"),
  );
}

function installLines(kbdName: string): string[] {
  return [
    "Windows keyboard layout source for Microsoft Keyboard Layout Creator (MSKLC) 1.4.",
    "Install: open this file in MSKLC, choose Project > Build DLL and Setup Package, then run",
    `setup.exe from the folder MSKLC names (Documents\\${kbdName}) and log out and back in.`,
    "Windows lists it under English (United States): if it does not show, add it in Settings,",
    "Time & language, Language & region, English (United States), Language options, Keyboards.",
    "Ctrl shortcuts follow the characters, as on Windows' own Dvorak: Ctrl+C is the key that types c.",
    "Caps Lock capitalises letters only; the layout has no AltGr layer and no dead keys.",
    "Pitfalls: MSKLC opens its editor instead of building when a DLL of this name is already",
    `installed: uninstall an older build of ${kbdName} first (each changed layout gets a new name).`,
    "MSKLC dates from 2007 and may ask for the .NET Framework 3.5 (Windows features); its",
    "installer has builds for x86 and x64 (amd64, wow64), not for ARM64.",
    "Save the file as UTF-16 with CRLF line ends if you edit it: MSKLC rejects other encodings.",
  ];
}

/**
 * The layout as a .klc source (text starting with U+FEFF, CRLF line ends; write it with
 * `encodeKlc`). Throws EXPORT_KEY_PLACE_INVALID for a character on a key with no place on a PC
 * keyboard, EXPORT_KLC_UNMAPPED naming every character a cell cannot hold (outside the BMP).
 */
export function layoutKlc(board: Board, layout: Layout, origin: ExportOrigin): string {
  const keys = osLayoutKeys(board, layout, "a Windows KLC");
  const problems = unmappedProblems(keys);
  if (problems.length > 0) {
    failWithProblems(
      "EXPORT_KLC_UNMAPPED",
      `layout ${layout.name} has characters a Windows KLC cannot type`,
      problems,
    );
  }
  const kbdName = klcKbdName(layout, board);
  const header = exportHeaderLines(layout, board, origin, installLines(kbdName));
  const lines = [
    ...header.map((line) => `// ${line}`),
    "",
    `KBD\t${kbdName}\t${klcString(layout.name)}`,
    "",
    `COPYRIGHT\t${klcString(`(c) the authors of ${layout.name}`)}`,
    "",
    `COMPANY\t${klcString("KeyForge export")}`,
    "",
    `LOCALENAME\t"${LOCALE.name}"`,
    "",
    `LOCALEID\t"${LOCALE.id}"`,
    "",
    "VERSION\t1.0",
    "",
    "SHIFTSTATE",
    "",
    "0\t//Column 4",
    "1\t//Column 5 : Shft",
    "",
    "LAYOUT",
    "",
    "//SC\tVK_\t\tCap\t0\t1",
    "//--\t----\t\t----\t----\t----",
    "",
    ...layoutRows(keys),
    "",
    "KEYNAME",
    "",
    ...KEY_NAMES.map(([code, name]) => `${code}\t${name}`),
    "",
    "KEYNAME_EXT",
    "",
    ...EXTENDED_KEY_NAMES.map(([code, name]) => `${code}\t${name}`),
    "",
    "DESCRIPTIONS",
    "",
    `${LOCALE.language}\t${klcText(layout.name)}`,
    "",
    "LANGUAGENAMES",
    "",
    `${LOCALE.language}\t${LOCALE.languageName}`,
    "",
    "ENDKBD",
  ];
  return `\uFEFF${lines.map((line) => `${line}\r\n`).join("")}`;
}

/** The bytes of a .klc file: UTF-16LE, the only encoding MSKLC reads (with its byte order mark). */
export function encodeKlc(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[2 * i] = unit & 0xff;
    bytes[2 * i + 1] = unit >> 8;
  }
  return bytes;
}
