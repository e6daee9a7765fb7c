import type { Board } from "../board.ts";
import { failWithProblems, KeyForgeError, type Problem } from "../errors.ts";
import type { Layout } from "../layout.ts";
import { checkLayoutFits } from "./layout-fit.ts";

/**
 * Exporter to a QMK `keymap.json` (what `qmk compile keymap.json` builds and the QMK Configurator
 * imports): one layer holding the layout's characters as basic keycodes, in the order of the
 * layout macro the board was imported from.
 */

/** A QMK keymap.json with a single layer. */
export interface QmkKeymap {
  readonly version: 1;
  readonly keyboard: string;
  readonly keymap: string;
  readonly layout: string;
  readonly layers: readonly (readonly string[])[];
  readonly notes: string;
}

export interface QmkKeymapOptions {
  /**
   * Keymap name (the firmware file is named after it); default: the layout's name in lower case,
   * other characters than letters, digits, `_` and `-` replaced by `_`.
   */
  readonly keymap?: string;
}

/** Keycode of a key that does nothing: the unused keys. */
export const QMK_NO_KEY = "KC_NO";

/** US-layout keycodes: the character each types, unshifted then shifted (the QMK aliases). */
const US_KEYS: readonly (readonly [string, string, string, string])[] = [
  ["1", "KC_1", "!", "KC_EXLM"],
  ["2", "KC_2", "@", "KC_AT"],
  ["3", "KC_3", "#", "KC_HASH"],
  ["4", "KC_4", "$", "KC_DLR"],
  ["5", "KC_5", "%", "KC_PERC"],
  ["6", "KC_6", "^", "KC_CIRC"],
  ["7", "KC_7", "&", "KC_AMPR"],
  ["8", "KC_8", "*", "KC_ASTR"],
  ["9", "KC_9", "(", "KC_LPRN"],
  ["0", "KC_0", ")", "KC_RPRN"],
  ["-", "KC_MINS", "_", "KC_UNDS"],
  ["=", "KC_EQL", "+", "KC_PLUS"],
  ["[", "KC_LBRC", "{", "KC_LCBR"],
  ["]", "KC_RBRC", "}", "KC_RCBR"],
  ["\\", "KC_BSLS", "|", "KC_PIPE"],
  [";", "KC_SCLN", ":", "KC_COLN"],
  ["'", "KC_QUOT", '"', "KC_DQUO"],
  ["`", "KC_GRV", "~", "KC_TILD"],
  [",", "KC_COMM", "<", "KC_LABK"],
  [".", "KC_DOT", ">", "KC_RABK"],
  ["/", "KC_SLSH", "?", "KC_QUES"],
];

function keycodeTable(): ReadonlyMap<string, string> {
  const table = new Map<string, string>([
    [" ", "KC_SPC"],
    ["\n", "KC_ENT"],
    ["\t", "KC_TAB"],
  ]);
  for (const [plain, code, shifted, shiftedCode] of US_KEYS) {
    table.set(plain, code);
    table.set(shifted, shiftedCode);
  }
  for (let c = "a".charCodeAt(0); c <= "z".charCodeAt(0); c++) {
    const letter = String.fromCharCode(c);
    const code = `KC_${letter.toUpperCase()}`;
    table.set(letter, code);
    table.set(letter.toUpperCase(), `LSFT(${code})`);
  }
  return table;
}

const KEYCODES = keycodeTable();

/** The basic QMK keycode that types `char` on a US host layout, or undefined when none does. */
export function qmkKeycode(char: string): string | undefined {
  return KEYCODES.get(char);
}

/** A keymap name that works as a folder and file name, from the layout's name. */
function keymapName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "_")
    .replace(/^[_-]+|[_-]+$/g, "");
  return slug || "keyforge";
}

/** Board key indices in the layout macro's order; -1 where the board lacks the macro's key. */
function macroOrder(board: Board): number[] {
  const qmk = board.qmk;
  if (!qmk?.keys) return board.keys.map((_, i) => i);
  const index = new Map(board.keys.map((key, i) => [key.id, i]));
  const listed = new Set(qmk.keys);
  const missing = board.keys.filter((key) => !listed.has(key.id));
  const problems: Problem[] = missing.map((key) => ({
    code: "QMK_KEY_NOT_IN_LAYOUT",
    subject: key.id,
    message: `the key is not one of layout ${qmk.layout}'s keys`,
  }));
  if (listed.size !== qmk.keys.length) {
    problems.push({
      code: "QMK_KEY_LISTED_TWICE",
      subject: "qmk.keys",
      message: "a key id is listed twice",
    });
  }
  if (problems.length > 0) {
    failWithProblems(
      "EXPORT_QMK_KEYS_MISMATCH",
      `board ${board.id} does not match QMK layout ${qmk.layout}`,
      problems,
    );
  }
  // A key deleted from the board after import still has its place in the macro: it does nothing.
  return qmk.keys.map((id) => index.get(id) ?? -1);
}

/**
 * A QMK keymap.json for the layout on a board imported from QMK: `keyboard` and `layout` from the
 * board's `qmk` field, one layer of basic keycodes (KC_A, KC_SCLN, KC_EXLM, ...; KC_NO on unused
 * keys) in the layout macro's key order. Throws EXPORT_NOT_FROM_QMK for a board without `qmk`,
 * EXPORT_QMK_UNMAPPED listing every character that has no basic keycode, with its key.
 */
export function layoutQmkKeymap(
  board: Board,
  layout: Layout,
  options: QmkKeymapOptions = {},
): QmkKeymap {
  checkLayoutFits(board, layout);
  const qmk = board.qmk;
  if (!qmk) {
    throw new KeyForgeError(
      "EXPORT_NOT_FROM_QMK",
      `board ${board.id} does not say which QMK keyboard and layout it is: import the keyboard's ` +
        "info.json / keyboard.json with `keyforge board import qmk <file> --keyboard <path, e.g. crkbd/rev1>` " +
        "and export the layout on that board",
    );
  }
  const problems: Problem[] = [];
  const unmapped = new Set<string>();
  const codes = layout.chars.map((char, i) => {
    if (char === null) return QMK_NO_KEY;
    const code = qmkKeycode(char);
    if (code === undefined) {
      unmapped.add(JSON.stringify(char));
      problems.push({
        code: "QMK_KEYCODE_UNKNOWN",
        subject: board.keys[i]?.id ?? `keys[${i}]`,
        message: `${JSON.stringify(char)} has no basic QMK keycode`,
      });
    }
    return code ?? QMK_NO_KEY;
  });
  if (problems.length > 0) {
    failWithProblems(
      "EXPORT_QMK_UNMAPPED",
      `layout ${layout.name} uses characters no basic QMK keycode types (${[...unmapped].join(" ")})`,
      problems,
    );
  }
  return {
    version: 1,
    keyboard: qmk.keyboard,
    keymap: options.keymap?.trim() || keymapName(layout.name),
    layout: qmk.layout,
    layers: [macroOrder(board).map((i) => (i < 0 ? QMK_NO_KEY : (codes[i] as string)))],
    notes: `Layout ${layout.name} on board ${board.id}, exported by KeyForge. Characters assume a US host layout.`,
  };
}
