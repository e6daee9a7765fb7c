import type { Board } from "../board.ts";
import { failWithProblems, type Problem } from "../errors.ts";
import { boardPositions } from "../key-positions.ts";
import type { Layout } from "../layout.ts";
import { type ExportOrigin, exportHeaderLines } from "./export-header.ts";
import { osLayoutKeys } from "./os-layout-keys.ts";
import { xkbKeysym } from "./xkb-keysym.ts";

/**
 * Exporter to xkb, the keyboard description of Linux (X11 and every Wayland compositor): a
 * symbols file to install beside the system's layouts, and a complete keymap for tools that load
 * one file (Sway's `xkb_file`, `xkbcomp` on X11).
 *
 * Each board key with a place on a PC keyboard (key-positions.ts) becomes the xkb key of that
 * place, with two levels: its character, and its Shift character.
 */

/** Keysym of an empty level. Unlike NoSymbol, it replaces what an included layout has there. */
const NO_CHARACTER = "VoidSymbol";

/** One xkb key the file defines: its name (AC01), what it types without and with Shift. */
interface XkbKey {
  readonly name: string;
  readonly base: string | null;
  readonly shifted: string | null;
  /** Caps Lock types the Shift character (a letter and its capital). */
  readonly capsLock: boolean;
}

/**
 * The file name a user installs the symbols file as: the layout's name reduced to characters
 * any file system and xkb rule accept, prefixed so that it never replaces a system layout
 * (a layout named "us" must not overwrite `symbols/us`).
 */
export function xkbSymbolsFileName(layout: Pick<Layout, "name">): string {
  const slug = layout.name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return slug ? `keyforge_${slug}` : "keyforge";
}

/**
 * The layout's xkb keys. Throws EXPORT_KEY_PLACE_INVALID for a character on a key with no
 * place on a PC keyboard (osLayoutKeys), EXPORT_XKB_UNMAPPED naming every character no keysym
 * types. Keys with a place that the layout leaves unused are written too, typing nothing, so
 * that neither the `pc` layout (it puts `< > | ¦` on the ISO key) nor another layout the user
 * combines with this one shows through.
 */
function xkbKeys(board: Board, layout: Layout): XkbKey[] {
  const used = osLayoutKeys(board, layout, "an xkb layout");
  const problems: Problem[] = used.flatMap(({ key, char, shifted }) =>
    [char, shifted]
      .filter((c): c is string => c !== null && xkbKeysym(c) === undefined)
      .map((c) => ({
        code: "XKB_NO_KEYSYM",
        subject: key.id,
        message: `no xkb keysym types ${JSON.stringify(c)} (a control character, or more than one character)`,
      })),
  );
  if (problems.length > 0) {
    failWithProblems(
      "EXPORT_XKB_UNMAPPED",
      `layout ${layout.name} uses characters no xkb keysym types`,
      problems,
    );
  }
  const usedAt = new Map(used.map((key) => [key.place.evdev, key]));
  const keys = new Map<number, XkbKey>();
  for (const place of boardPositions(board)) {
    if (!place || keys.has(place.evdev)) continue;
    const key = usedAt.get(place.evdev);
    keys.set(place.evdev, {
      name: place.xkb,
      base: key?.char ?? null,
      shifted: key?.shifted ?? null,
      capsLock: key?.capsLock ?? false,
    });
  }
  return [...keys.values()];
}

/**
 * The key type, which decides what Caps Lock does: ALPHABETIC (Caps Lock types the Shift
 * character) for a letter and its capital, TWO_LEVEL (Caps Lock changes nothing) otherwise, so
 * that Caps Lock never turns `1` into `!`. Written out, because xkb otherwise picks one by
 * itself, and on the ISO key picks the four levels of the `pc` layout it merges with.
 */
function keyType(key: XkbKey): string {
  return key.capsLock ? "ALPHABETIC" : "TWO_LEVEL";
}

function keysym(char: string | null): string {
  return char === null ? NO_CHARACTER : (xkbKeysym(char) as string);
}

function keyLine(key: XkbKey): string {
  const levels = `${keysym(key.base)}, ${keysym(key.shifted)}`;
  return `key <${key.name}> { type[Group1] = "${keyType(key)}", [ ${levels} ] };`;
}

/**
 * A name as an xkb string. xkbcomp and libxkbcommon agree on few escapes: libxkbcommon (1.5)
 * rejects `\"`, and xkbcomp reads every octal digit after `\0` where libxkbcommon stops at three.
 * So a quote and the octal digits right after it are written as `\0` + two octal digits, which
 * both read alike; a backslash as `\\`; line breaks and other control characters, which have
 * no place in a layout's label, as spaces.
 */
export function xkbString(text: string): string {
  const escaped = text
    .replace(/[\p{Cc}\u2028\u2029]+/gu, " ")
    .replace(/\\/g, "\\\\")
    .replace(/"[0-7]*/g, (run) =>
      [...run].map((c) => `\\0${c.charCodeAt(0).toString(8).padStart(2, "0")}`).join(""),
    );
  return `"${escaped}"`;
}

/** The statements of a symbols section: the layout's label and its keys. */
function symbolsBody(board: Board, layout: Layout): string[] {
  return [
    `name[Group1] = ${xkbString(layout.name.trim() || "KeyForge layout")};`,
    ...xkbKeys(board, layout).map(keyLine),
  ];
}

function commentLines(lines: readonly string[]): string {
  return lines.map((line) => `// ${line}`.trimEnd()).join("\n");
}

function indented(lines: readonly string[], depth: number): string {
  return lines.map((line) => `${"    ".repeat(depth)}${line}`).join("\n");
}

/** How to install a symbols file named `file`, and what goes wrong on which desktop. */
function symbolsInstallLines(file: string): string[] {
  return [
    "",
    "An xkb symbols file: a keyboard layout for Linux (X11 and Wayland).",
    `For all users (X11 and Wayland): save it as /usr/share/X11/xkb/symbols/${file}`,
    `  and select the layout "${file}" (X11: setxkbmap ${file}; Sway: xkb_layout "${file}").`,
    "  Settings apps list only the layouts named in /usr/share/X11/xkb/rules/evdev.xml.",
    `For one user (Wayland only; X11 reads only the system folder): save it as ~/.config/xkb/symbols/${file}`,
    "  and log out and in. Sway and other compositors configured by file find it; KDE Plasma",
    "  and GNOME settings may not list layouts from ~/.config/xkb.",
    "If your settings app does not list it: save it as /usr/share/X11/xkb/symbols/custom",
    '  instead and choose "A user-defined custom Layout" (X11: setxkbmap custom), which',
    "  evdev.xml already names; that slot holds one layout at a time.",
    "setxkbmap changes nothing under Wayland: choose the layout in your desktop's settings.",
  ];
}

/** How to load a complete keymap file. */
function keymapInstallLines(file: string): string[] {
  return [
    "",
    "A complete xkb keymap (a US layout with this layout's keys) for tools that load one file:",
    `  Sway: input type:keyboard { xkb_file ~/.config/xkb/${file}.xkb }`,
    `  X11: xkbcomp ~/.config/xkb/${file}.xkb $DISPLAY (until the next log-in or setxkbmap).`,
    "  To pick it in your desktop's settings, export the xkb symbols file instead.",
  ];
}

/**
 * An xkb symbols file for the layout: install it as `symbols/<xkbSymbolsFileName>`. The layout's
 * keys only; the system's rules add the rest of the keyboard (`pc`) before it.
 */
export function layoutXkbSymbols(board: Board, layout: Layout, origin: ExportOrigin): string {
  const file = xkbSymbolsFileName(layout);
  const body = symbolsBody(board, layout);
  return [
    commentLines(exportHeaderLines(layout, board, origin, symbolsInstallLines(file))),
    "",
    "default partial alphanumeric_keys",
    'xkb_symbols "basic" {',
    indented(body, 1),
    "};",
    "",
  ].join("\n");
}

/**
 * A complete xkb keymap: the system's evdev key codes, types and compatibility map, and the US
 * layout with the layout's keys over it (keys the board lacks keep their US characters, and
 * `inet` keeps the media keys working).
 */
export function layoutXkbKeymap(board: Board, layout: Layout, origin: ExportOrigin): string {
  const file = xkbSymbolsFileName(layout);
  const body = symbolsBody(board, layout);
  return [
    commentLines(exportHeaderLines(layout, board, origin, keymapInstallLines(file))),
    "",
    "xkb_keymap {",
    '    xkb_keycodes { include "evdev+aliases(qwerty)" };',
    '    xkb_types { include "complete" };',
    '    xkb_compat { include "complete" };',
    "    xkb_symbols {",
    '        include "pc+us(basic)+inet(evdev)"',
    indented(body, 2),
    "    };",
    "};",
    "",
  ].join("\n");
}
