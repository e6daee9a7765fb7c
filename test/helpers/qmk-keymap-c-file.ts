/**
 * A reader of QMK keymap.c sources, written from QMK's documentation (the keymaps array, basic
 * and US ANSI shifted keycodes, key overrides as of the 2024-08-25 release), not from the
 * exporter: it reads the layers' layout macro calls and the key overrides, and works out what
 * each key of the first layer types on a US host, without and with Shift held.
 */
import {
  type TypedKey,
  type UsHostPress,
  usHostTypes,
  usKey,
  withoutCComments,
} from "./us-host-layout.ts";

/** QMK's basic keycodes and US ANSI shifted aliases of the keys that type characters. */
const QMK_KEYS: ReadonlyMap<string, UsHostPress> = new Map([
  ...[..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"].map(
    (c) => [`KC_${c}`, usKey(c.toLowerCase())] as const,
  ),
  ["KC_EXLM", usKey("1", true)],
  ["KC_AT", usKey("2", true)],
  ["KC_HASH", usKey("3", true)],
  ["KC_DLR", usKey("4", true)],
  ["KC_PERC", usKey("5", true)],
  ["KC_CIRC", usKey("6", true)],
  ["KC_AMPR", usKey("7", true)],
  ["KC_ASTR", usKey("8", true)],
  ["KC_LPRN", usKey("9", true)],
  ["KC_RPRN", usKey("0", true)],
  ["KC_MINS", usKey("-")],
  ["KC_UNDS", usKey("-", true)],
  ["KC_EQL", usKey("=")],
  ["KC_PLUS", usKey("=", true)],
  ["KC_LBRC", usKey("[")],
  ["KC_LCBR", usKey("[", true)],
  ["KC_RBRC", usKey("]")],
  ["KC_RCBR", usKey("]", true)],
  ["KC_BSLS", usKey("\\")],
  ["KC_PIPE", usKey("\\", true)],
  ["KC_SCLN", usKey(";")],
  ["KC_COLN", usKey(";", true)],
  ["KC_QUOT", usKey("'")],
  ["KC_DQUO", usKey("'", true)],
  ["KC_DQT", usKey("'", true)],
  ["KC_GRV", usKey("`")],
  ["KC_TILD", usKey("`", true)],
  ["KC_COMM", usKey(",")],
  ["KC_LT", usKey(",", true)],
  ["KC_LABK", usKey(",", true)],
  ["KC_DOT", usKey(".")],
  ["KC_GT", usKey(".", true)],
  ["KC_RABK", usKey(".", true)],
  ["KC_SLSH", usKey("/")],
  ["KC_QUES", usKey("/", true)],
  ["KC_SPC", usKey(" ")],
  ["KC_ENT", usKey("\n")],
  ["KC_TAB", usKey("\t")],
]);

/** Keycodes that do nothing. */
const NO_KEYS = new Set(["KC_NO", "XXXXXXX"]);

/** A keycode: a basic one, or LSFT(…) / S(…) of one for the key with left Shift. */
export function qmkKeyPress(code: string): UsHostPress {
  const shifted = /^(?:LSFT|S)\((.+)\)$/.exec(code);
  const press = QMK_KEYS.get(shifted ? (shifted[1] as string) : code);
  if (!press) throw new Error(`unknown QMK keycode ${code}`);
  return shifted ? { ...press, shift: true } : press;
}

/** Splits a C argument list at its top-level commas. */
function args(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of list) {
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += c;
  }
  if (current.trim() !== "") parts.push(current.trim());
  return parts;
}

/** The text between the parenthesis opening at `open` and its match. */
function parenthesised(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    if (text[i] === ")" && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error("keymap.c: unbalanced parentheses");
}

export interface QmkKeyOverride {
  readonly mods: string;
  readonly trigger: string;
  readonly replacement: string;
}

export interface QmkKeymapCFile {
  readonly includesKeyboard: boolean;
  /** Each layer's index, layout macro and keycodes, in file order. */
  readonly layers: readonly {
    readonly index: number;
    readonly macro: string;
    readonly codes: readonly string[];
  }[];
  /** The overrides the `key_overrides` array lists, in its order. */
  readonly overrides: readonly QmkKeyOverride[];
  /** Whether the file stops the build when KEY_OVERRIDE_ENABLE is not set. */
  readonly requiresKeyOverrides: boolean;
}

export function readQmkKeymapC(source: string): QmkKeymapCFile {
  const text = withoutCComments(source);
  const keymaps =
    /const uint16_t PROGMEM keymaps\[\]\[MATRIX_ROWS\]\[MATRIX_COLS\]\s*=\s*\{([\s\S]*)\};/.exec(
      text,
    );
  if (!keymaps) throw new Error("keymap.c: no keymaps array");
  const body = keymaps[1] as string;
  const layers = [...body.matchAll(/\[(\d+)\]\s*=\s*(LAYOUT\w*)\s*\(/g)].map((m) => ({
    index: Number(m[1]),
    macro: m[2] as string,
    codes: args(parenthesised(body, (m.index as number) + m[0].length - 1)),
  }));
  const defined = new Map<string, QmkKeyOverride>();
  for (const m of text.matchAll(/const key_override_t (\w+)\s*=\s*ko_make_basic\(/g)) {
    const [mods, trigger, replacement, ...rest] = args(
      parenthesised(text, (m.index as number) + m[0].length - 1),
    );
    if (!mods || !trigger || !replacement || rest.length > 0) {
      throw new Error(`key override ${m[1]}: ko_make_basic takes three arguments`);
    }
    defined.set(m[1] as string, { mods, trigger, replacement });
  }
  if (/key_override_t\s*\*\*\s*key_overrides/.test(text)) {
    throw new Error("keymap.c: the NULL-terminated key_overrides pointer QMK dropped in 2024");
  }
  const list = /const key_override_t \*key_overrides\[\]\s*=\s*\{([^}]*)\};/.exec(text);
  const overrides = args(list?.[1] ?? "").map((entry) => {
    const override = defined.get(entry.replace(/^&/, ""));
    if (!override) throw new Error(`key_overrides lists ${entry}, which is not defined`);
    return override;
  });
  return {
    includesKeyboard: /^\s*#include QMK_KEYBOARD_H\s*$/m.test(text),
    layers,
    overrides,
    requiresKeyOverrides: /#\s*if !defined\(KEY_OVERRIDE_ENABLE\)\s*\n\s*#\s*error/.test(text),
  };
}

/** What a keycode types, with or without Shift held, after the key overrides. */
export function qmkCodeTypes(
  file: QmkKeymapCFile,
  code: string,
  shiftHeld: boolean,
): string | null {
  if (NO_KEYS.has(code)) return null;
  if (shiftHeld) {
    const override = file.overrides.find((o) => o.trigger === code);
    if (override) {
      if (override.mods !== "MOD_MASK_SHIFT") throw new Error(`override of ${code}: not Shift`);
      // ko_make_basic holds the trigger's modifiers back while the replacement is sent.
      return qmkCodeTypes({ ...file, overrides: [] }, override.replacement, false);
    }
  }
  return usHostTypes(qmkKeyPress(code), shiftHeld);
}

/** What each key of the first layer types, in the layout macro's order. */
export function qmkTypedKeys(file: QmkKeymapCFile): TypedKey[] {
  const [layer] = file.layers;
  if (!layer) throw new Error("the keymap has no layer");
  return layer.codes.map((code) => ({
    plain: qmkCodeTypes(file, code, false),
    shifted: qmkCodeTypes(file, code, true),
  }));
}
