import type { Board, ZmkOrigin } from "../board.ts";
import { KeyForgeError } from "../errors.ts";
import type { Layout } from "../layout.ts";
import { cBlockComment } from "./c-block-comment.ts";
import { type ExportOrigin, exportHeaderLines } from "./export-header.ts";
import { firmwareKeyOrder } from "./firmware-key-order.ts";
import { type FirmwareKey, firmwareLayer } from "./firmware-layer.ts";
import { entriesByRow } from "./firmware-rows.ts";
import { type UsKeyPress, zmkCodeOf } from "./us-keycodes.ts";

/**
 * Exporter to a ZMK keymap (`<shield>.keymap`, devicetree): one layer binding each key to the
 * key press that types its character on a US host, and a mod-morph behavior for every key whose
 * Shift character is not the one the host types for that press with Shift.
 */

/** The binding of a key that does nothing: the unused keys. */
const ZMK_NO_KEY = "&none";

/** ZMK reads both Shifts as one: either one held selects a mod-morph's second binding. */
const SHIFT_MODS = "(MOD_LSFT|MOD_RSFT)";

/** A mod-morph behavior: the key's press alone, something else with Shift held. */
interface ShiftMorph {
  /** Label and node name: a devicetree label, unique because every key's keycode is. */
  readonly name: string;
  readonly plain: string;
  readonly shifted: string;
  readonly key: FirmwareKey;
}

function pressBinding(press: UsKeyPress | null): string {
  return press ? `&kp ${zmkCodeOf(press)}` : ZMK_NO_KEY;
}

/** A devicetree label for the morph of a keycode: SEMI → shift_semi, LS(A) → shift_ls_a. */
function morphName(press: UsKeyPress): string {
  const words = zmkCodeOf(press)
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "");
  return `shift_${words.join("_")}`;
}

function shiftMorphs(keys: readonly (FirmwareKey | null)[]): ShiftMorph[] {
  return keys.flatMap((key) => {
    if (!key || key.shiftPress === undefined) return [];
    return [
      {
        name: morphName(key.press),
        plain: pressBinding(key.press),
        shifted: pressBinding(key.shiftPress),
        key,
      },
    ];
  });
}

/** The board's ZMK shield, or EXPORT_NOT_FOR_ZMK saying how to name one. */
export function zmkOriginOf(board: Board): ZmkOrigin {
  if (board.zmk) return board.zmk;
  throw new KeyForgeError(
    "EXPORT_NOT_FOR_ZMK",
    `board ${board.id} does not say which ZMK shield it is: add a \`zmk\` field to the board file, ` +
      'e.g. "zmk": { "shield": "corne" }, with "keys" listing the key ids in the order of the ' +
      "shield's bindings when that is not the board's key order (docs/formats/board.md, ZMK origin)",
  );
}

/** The name ZMK reads the keymap under, in the zmk-config's `config` folder. */
export function zmkKeymapFileName(board: Board): string {
  return `${zmkOriginOf(board).shield}.keymap`;
}

function installLines(board: Board, morphs: readonly ShiftMorph[]): string[] {
  const lines = [
    `ZMK keymap for the ${zmkOriginOf(board).shield} shield.`,
    "Install:",
    `  1. In your zmk-config repository, save this file as config/${zmkKeymapFileName(board)} (replacing`,
    "     the one there).",
    "  2. Commit and push: GitHub Actions builds the firmware; download it from the run's",
    "     artifacts.",
    "  3. Flash each half: double-tap its reset button and copy its .uf2 file onto the drive",
    "     that appears.",
    "Keycodes are key positions: the computer's keyboard layout must be US (QWERTY) for them",
    "to type these characters.",
    "Keys the layout leaves unused do nothing (&none): put your modifiers, Backspace and layer",
    "keys on them before flashing.",
  ];
  if (morphs.length > 0) {
    lines.push(
      `Shift on ${morphs.length} key${morphs.length === 1 ? "" : "s"} types the layout's character through mod-morph behaviors (shift_...).`,
    );
  }
  return lines;
}

function behaviorLines(morphs: readonly ShiftMorph[]): string[] {
  if (morphs.length === 0) return [];
  return [
    "    behaviors {",
    ...morphs.flatMap(({ name, plain, shifted, key }) => [
      `        /* ${JSON.stringify(key.char)} Shift ${key.shifted === null ? "none" : JSON.stringify(key.shifted)} */`,
      `        ${name}: ${name} {`,
      '            compatible = "zmk,behavior-mod-morph";',
      "            #binding-cells = <0>;",
      `            bindings = <${plain}>, <${shifted}>;`,
      `            mods = <${SHIFT_MODS}>;`,
      "        };",
    ]),
    "    };",
    "",
  ];
}

/**
 * The layout as a ZMK keymap for the board's shield, starting with the export header (how to
 * build and flash it). Throws EXPORT_NOT_FOR_ZMK for a board without `zmk`,
 * EXPORT_ZMK_KEYS_MISMATCH when its key order misses board keys, EXPORT_ZMK_UNMAPPED naming
 * every key and character no US keycode types.
 */
export function layoutZmkKeymap(board: Board, layout: Layout, origin: ExportOrigin): string {
  const zmk = zmkOriginOf(board);
  const keys = firmwareLayer(board, layout, {
    name: "ZMK",
    unmappedCode: "EXPORT_ZMK_UNMAPPED",
  });
  const order = firmwareKeyOrder(board, {
    keys: zmk.keys,
    what: `ZMK shield ${zmk.shield}`,
    problemPrefix: "ZMK",
    errorCode: "EXPORT_ZMK_KEYS_MISMATCH",
  });
  const morphs = shiftMorphs(keys);
  const morphOf = new Map(morphs.map((morph) => [morph.key, morph]));
  const bindings = order.map((i) => {
    const key = keys[i];
    if (!key) return ZMK_NO_KEY;
    const morph = morphOf.get(key);
    return morph ? `&${morph.name}` : pressBinding(key.press);
  });
  const header = exportHeaderLines(layout, board, origin, installLines(board, morphs));
  return [
    cBlockComment(header),
    "",
    "#include <behaviors.dtsi>",
    "#include <dt-bindings/zmk/keys.h>",
    "",
    "/ {",
    ...behaviorLines(morphs),
    "    keymap {",
    '        compatible = "zmk,keymap";',
    "",
    "        default_layer {",
    "            bindings = <",
    ...entriesByRow(board, order, bindings).map((row) => `                ${row.join("  ")}`),
    "            >;",
    "        };",
    "    };",
    "};",
    "",
  ].join("\n");
}
