import type { Board } from "../board.ts";
import type { Layout } from "../layout.ts";
import { cBlockComment } from "./c-block-comment.ts";
import { type ExportOrigin, exportHeaderLines } from "./export-header.ts";
import { type FirmwareKey, firmwareLayer } from "./firmware-layer.ts";
import { entriesByRow } from "./firmware-rows.ts";
import {
  QMK_FIRMWARE,
  QMK_NO_KEY,
  type QmkKeymapOptions,
  qmkKeymapName,
  qmkMacroKeycodes,
  qmkMacroOrder,
  qmkOriginOf,
} from "./qmk-keymap.ts";
import { qmkCodeOf } from "./us-keycodes.ts";

/**
 * Exporter to a QMK `keymap.c`, the keymap source `qmk compile` builds: one layer of basic
 * keycodes in the layout macro's order, and a key override for every key whose Shift character
 * is not the one a US host types for its keycode with Shift (what a keymap.json cannot say).
 */

/**
 * The QMK release that reads `const key_override_t *key_overrides[]` (the 2024-08-25 breaking
 * changes; before it the list was a NULL-terminated `const key_override_t **`).
 */
const KEY_OVERRIDE_ARRAY_QMK = "0.26.0";

/** One Shift replacement: the key's keycode, and what Shift sends instead (KC_NO: nothing). */
interface ShiftOverride {
  readonly name: string;
  readonly trigger: string;
  readonly replacement: string;
  readonly key: FirmwareKey;
}

/** A C identifier for the override of a keycode: KC_SCLN → shift_scln, LSFT(KC_A) → shift_lsft_a. */
function overrideName(trigger: string): string {
  const words = trigger
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "" && word !== "kc");
  return `shift_${words.join("_")}`;
}

function shiftOverrides(keys: readonly (FirmwareKey | null)[]): ShiftOverride[] {
  return keys.flatMap((key) => {
    if (!key || key.shiftPress === undefined) return [];
    const trigger = qmkCodeOf(key.press);
    const replacement = key.shiftPress ? qmkCodeOf(key.shiftPress) : QMK_NO_KEY;
    return [{ name: overrideName(trigger), trigger, replacement, key }];
  });
}

function installLines(board: Board, keymap: string, overrides: readonly ShiftOverride[]): string[] {
  const { keyboard, layout } = qmkOriginOf(board);
  const target = `-kb ${keyboard} -km ${keymap}`;
  const lines = [
    `QMK keymap.c for keyboard ${keyboard}, layout macro ${layout}.`,
    "Install:",
    `  1. qmk new-keymap ${target}`,
    "  2. Replace the keymap.c it creates with this file.",
  ];
  if (overrides.length > 0) {
    lines.push(
      "  3. Add the line KEY_OVERRIDE_ENABLE = yes to rules.mk beside it (create the file if",
      `     there is none): Shift on ${overrides.length} key${overrides.length === 1 ? "" : "s"} types the layout's character through QMK key`,
      `     overrides, written for QMK ${KEY_OVERRIDE_ARRAY_QMK} (August 2024) or newer.`,
    );
  }
  const next = overrides.length > 0 ? 4 : 3;
  lines.push(
    `  ${next}. qmk compile ${target}`,
    `  ${next + 1}. qmk flash ${target} (on a split keyboard, flash each half).`,
    "Keycodes are key positions: the computer's keyboard layout must be US (QWERTY) for them",
    "to type these characters.",
    "Keys the layout leaves unused do nothing (KC_NO): put your modifiers, Backspace and layer",
    "keys on them before flashing.",
  );
  return lines;
}

function overrideLines(overrides: readonly ShiftOverride[]): string[] {
  if (overrides.length === 0) return [];
  return [
    "#if !defined(KEY_OVERRIDE_ENABLE)",
    '#    error "Shift on some keys needs key overrides: add KEY_OVERRIDE_ENABLE = yes to rules.mk"',
    "#endif",
    "",
    "/* Shift types the layout's character, not the US one, on these keys. */",
    ...overrides.map(
      ({ name, trigger, replacement, key }) =>
        `const key_override_t ${name} = ko_make_basic(MOD_MASK_SHIFT, ${trigger}, ${replacement}); /* ${JSON.stringify(key.char)} Shift ${key.shifted === null ? "none" : JSON.stringify(key.shifted)} */`,
    ),
    "",
    "const key_override_t *key_overrides[] = {",
    ...overrides.map(({ name }) => `    &${name},`),
    "};",
    "",
  ];
}

/**
 * The layout as a QMK keymap.c for the board's QMK keyboard, starting with the export header
 * (how to build and flash it). Throws EXPORT_NOT_FROM_QMK for a board without `qmk`,
 * EXPORT_QMK_UNMAPPED naming every key and character no US keycode types.
 */
export function layoutQmkKeymapC(
  board: Board,
  layout: Layout,
  origin: ExportOrigin,
  options: QmkKeymapOptions = {},
): string {
  const qmk = qmkOriginOf(board);
  const keys = firmwareLayer(board, layout, QMK_FIRMWARE);
  const order = qmkMacroOrder(board, qmk);
  const overrides = shiftOverrides(keys);
  const header = exportHeaderLines(
    layout,
    board,
    origin,
    installLines(board, qmkKeymapName(layout, options), overrides),
  );
  const rows = entriesByRow(board, order, qmkMacroKeycodes(order, keys));
  const macroLines = rows.map(
    (row, r) => `        ${row.join(", ")}${r < rows.length - 1 ? "," : ""}`,
  );
  return [
    cBlockComment(header),
    "",
    "#include QMK_KEYBOARD_H",
    "",
    ...overrideLines(overrides),
    "const uint16_t PROGMEM keymaps[][MATRIX_ROWS][MATRIX_COLS] = {",
    `    [0] = ${qmk.layout}(`,
    ...macroLines,
    "    ),",
    "};",
    "",
  ].join("\n");
}
