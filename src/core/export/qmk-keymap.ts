import type { Board, QmkOrigin } from "../board.ts";
import { failWithProblems, KeyForgeError, type Problem } from "../errors.ts";
import type { Layout } from "../layout.ts";
import { firmwareKeyOrder } from "./firmware-key-order.ts";
import { type FirmwareFormat, type FirmwareKey, firmwareLayer } from "./firmware-layer.ts";
import { qmkCodeOf, typedBy, typedWithShiftBy, usKeyPress } from "./us-keycodes.ts";

/**
 * Exporter to a QMK `keymap.json` (what `qmk compile keymap.json` builds and the QMK Configurator
 * imports): one layer holding the layout's characters as basic keycodes, in the order of the
 * layout macro the board was imported from. A keymap.json holds keycodes only, so it cannot
 * change what Shift types on a key: layouts that need that are exported as a keymap.c
 * (qmk-keymap-c.ts), which can.
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

export const QMK_FIRMWARE: FirmwareFormat = { name: "QMK", unmappedCode: "EXPORT_QMK_UNMAPPED" };

/** The basic QMK keycode that types `char` on a US host layout, or undefined when none does. */
export function qmkKeycode(char: string): string | undefined {
  const press = usKeyPress(char);
  return press && qmkCodeOf(press);
}

/** A keymap name that works as a folder and file name, from the layout's name. */
export function qmkKeymapName(layout: Pick<Layout, "name">, options: QmkKeymapOptions): string {
  const slug = layout.name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "_")
    .replace(/^[_-]+|[_-]+$/g, "");
  return options.keymap?.trim() || slug || "keyforge";
}

/** The board's QMK keyboard and layout macro, or EXPORT_NOT_FROM_QMK saying how to give them. */
export function qmkOriginOf(board: Board): QmkOrigin {
  if (board.qmk) return board.qmk;
  throw new KeyForgeError(
    "EXPORT_NOT_FROM_QMK",
    `board ${board.id} does not say which QMK keyboard and layout it is: import the keyboard's ` +
      "info.json / keyboard.json with `keyforge board import qmk <file> --keyboard <path, e.g. crkbd/rev1>` " +
      "and export the layout on that board, or add a `qmk` field naming the keyboard and its " +
      "layout macro to the board file (docs/formats/board.md, QMK origin)",
  );
}

/** Board key indices in the layout macro's order; -1 where the board lacks the macro's key. */
export function qmkMacroOrder(board: Board, qmk: QmkOrigin): number[] {
  return firmwareKeyOrder(board, {
    keys: qmk.keys,
    what: `QMK layout ${qmk.layout}`,
    problemPrefix: "QMK",
    errorCode: "EXPORT_QMK_KEYS_MISMATCH",
  });
}

/** The macro's arguments: each key's keycode in macro order, KC_NO where nothing is typed. */
export function qmkMacroKeycodes(
  order: readonly number[],
  keys: readonly (FirmwareKey | null)[],
): string[] {
  return order.map((i) => {
    const key = keys[i];
    return key ? qmkCodeOf(key.press) : QMK_NO_KEY;
  });
}

/**
 * Refuses keys whose Shift character is a character other than the one the host types for
 * their keycode with Shift: a keymap.json would type the wrong character. A key whose layout
 * has no Shift character is let through (the host's own Shift character is then an extra one).
 */
function checkShiftExpressible(
  board: Board,
  layout: Layout,
  keys: readonly (FirmwareKey | null)[],
) {
  const problems: Problem[] = [];
  keys.forEach((key, i) => {
    if (!key?.shiftPress) return;
    problems.push({
      code: "QMK_SHIFT_NOT_EXPRESSIBLE",
      subject: board.keys[i]?.id ?? `keys[${i}]`,
      message: `${JSON.stringify(key.char)} types ${JSON.stringify(typedBy(key.shiftPress))} with Shift in the layout, ${JSON.stringify(typedWithShiftBy(key.press))} with ${qmkCodeOf(key.press)} on a US host`,
    });
  });
  if (problems.length > 0) {
    failWithProblems(
      "EXPORT_QMK_SHIFT_UNSUPPORTED",
      `layout ${layout.name} changes what Shift types on keys a QMK keymap.json cannot change ` +
        "(it holds keycodes only); export a QMK keymap.c instead, which does it with key overrides",
      problems,
    );
  }
}

/**
 * A QMK keymap.json for the layout on a board that names its QMK keyboard: `keyboard` and
 * `layout` from the board's `qmk` field, one layer of basic keycodes (KC_A, KC_SCLN, KC_EXLM,
 * ...; KC_NO on unused keys) in the layout macro's key order. Throws EXPORT_NOT_FROM_QMK for a
 * board without `qmk`, EXPORT_QMK_UNMAPPED listing every character that has no basic keycode,
 * with its key, EXPORT_QMK_SHIFT_UNSUPPORTED naming the keys whose Shift character needs a
 * key override.
 */
export function layoutQmkKeymap(
  board: Board,
  layout: Layout,
  options: QmkKeymapOptions = {},
): QmkKeymap {
  const qmk = qmkOriginOf(board);
  const keys = firmwareLayer(board, layout, QMK_FIRMWARE);
  checkShiftExpressible(board, layout, keys);
  return {
    version: 1,
    keyboard: qmk.keyboard,
    keymap: qmkKeymapName(layout, options),
    layout: qmk.layout,
    layers: [qmkMacroKeycodes(qmkMacroOrder(board, qmk), keys)],
    notes: `Layout ${layout.name} on board ${board.id}, exported by KeyForge. Characters assume a US host layout.`,
  };
}
