import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Board } from "../../../src/core/board.ts";
import { layoutQmkKeymapC } from "../../../src/core/export/qmk-keymap-c.ts";
import { checkedLayout, placeLetterBlock } from "../../../src/core/layout.ts";
import { layoutOnBoard } from "../../../src/core/layout-definition.ts";
import { builtinIds, loadBoard, loadLayoutDefinition } from "../../../src/infra/system-data.ts";
import { thrownKeyForgeError } from "../../helpers/keyforge-errors.ts";
import { qmkTypedKeys, readQmkKeymapC } from "../../helpers/qmk-keymap-c-file.ts";
import { QWERTY_BLOCK } from "../../helpers/qwerty-block.ts";
import {
  expectedTyped,
  nonUsCharacters,
  randomFirmwareLayout,
} from "../../helpers/random-firmware-layout.ts";

const ORIGIN = { version: "9.8.7" };
const corne = await loadBoard("corne");
const ferris = await loadBoard("ferris");
const layoutIds = await builtinIds("layouts");

describe("layoutQmkKeymapC", () => {
  for (const [board, macro, count] of [
    [corne, "LAYOUT_split_3x6_3", 42],
    [ferris, "LAYOUT_split_3x5_2", 34],
  ] as const) {
    it(`exports every built-in layout on ${board.id} with ${macro} and reads back`, async () => {
      assert.ok(layoutIds.length > 10);
      for (const id of layoutIds) {
        const layout = layoutOnBoard(await loadLayoutDefinition(id), board);
        const missing = nonUsCharacters(board, layout);
        if (missing.length > 0) {
          const error = thrownKeyForgeError(
            () => layoutQmkKeymapC(board, layout, ORIGIN),
            "EXPORT_QMK_UNMAPPED",
          );
          for (const char of missing) assert.ok(error.message.includes(JSON.stringify(char)));
          continue;
        }
        const text = layoutQmkKeymapC(board, layout, ORIGIN);
        const file = readQmkKeymapC(text);
        assert.ok(file.includesKeyboard, id);
        assert.deepEqual(
          file.layers.map((layer) => [layer.index, layer.macro, layer.codes.length]),
          [[0, macro, count]],
          id,
        );
        assert.deepEqual(qmkTypedKeys(file), expectedTyped(board, layout, board.qmk?.keys), id);
        // Overrides need the feature: the file says so, and refuses to build without it.
        assert.equal(file.requiresKeyOverrides, file.overrides.length > 0, id);
        assert.equal(text.includes("KEY_OVERRIDE_ENABLE = yes"), file.overrides.length > 0, id);
      }
    });
  }

  it("writes KC_ codes in macro order, KC_NO on unused keys, no overrides for US Shift pairs", () => {
    const layout = placeLetterBlock(QWERTY_BLOCK, corne, "qwerty");
    const text = layoutQmkKeymapC(corne, layout, ORIGIN);
    const file = readQmkKeymapC(text);
    assert.deepEqual(file.layers[0]?.codes.slice(0, 12), [
      ...["KC_NO", "KC_Q", "KC_W", "KC_E", "KC_R", "KC_T"],
      ...["KC_Y", "KC_U", "KC_I", "KC_O", "KC_P", "KC_NO"],
    ]);
    assert.deepEqual(file.overrides, []);
    assert.ok(!text.includes("key_override"));
    assert.deepEqual(qmkTypedKeys(file), expectedTyped(corne, layout, undefined));
  });

  it("gives a key whose Shift character is not the US one a Shift key override", () => {
    const chars = placeLetterBlock(QWERTY_BLOCK, corne, "q").chars.slice();
    const semicolon = chars.indexOf(";");
    chars[chars.indexOf("/")] = "-";
    const a = chars.indexOf("a");
    const explicit = chars.map((_, i) => (i === semicolon ? "?" : i === a ? "!" : undefined));
    const layout = checkedLayout("shifted", corne, chars, explicit);
    const text = layoutQmkKeymapC(corne, layout, ORIGIN);
    const file = readQmkKeymapC(text);
    assert.deepEqual(file.overrides, [
      { mods: "MOD_MASK_SHIFT", trigger: "KC_A", replacement: "KC_EXLM" },
      { mods: "MOD_MASK_SHIFT", trigger: "KC_SCLN", replacement: "KC_QUES" },
    ]);
    assert.match(text, /^const key_override_t \*key_overrides\[\] = \{$/m);
    assert.ok(!text.includes("NULL"));
    assert.match(text, /KEY_OVERRIDE_ENABLE = yes/);
    assert.match(text, /QMK 0\.26\.0/);
    const typed = qmkTypedKeys(file);
    assert.deepEqual(typed[semicolon], { plain: ";", shifted: "?" });
    assert.deepEqual(typed[a], { plain: "a", shifted: "!" });
    assert.deepEqual(typed, expectedTyped(corne, layout, undefined));
  });

  it("reads back random ASCII layouts with their Shift characters, on both keyboards", () => {
    for (const board of [corne, ferris]) {
      fc.assert(
        fc.property(randomFirmwareLayout(board), (layout) => {
          const file = readQmkKeymapC(layoutQmkKeymapC(board, layout, ORIGIN));
          assert.deepEqual(qmkTypedKeys(file), expectedTyped(board, layout, board.qmk?.keys));
        }),
        { numRuns: 60 },
      );
    }
  });

  it("names every key and character no US keycode types, and boards without QMK origin", () => {
    const chars = placeLetterBlock(QWERTY_BLOCK, ferris, "q").chars.slice();
    const q = chars.indexOf("q");
    chars[q] = "ß";
    const error = thrownKeyForgeError(
      () => layoutQmkKeymapC(ferris, checkedLayout("eszett", ferris, chars), ORIGIN),
      "EXPORT_QMK_UNMAPPED",
      /"ß" "ẞ"/,
    );
    const id = ferris.keys[q]?.id as string;
    assert.deepEqual(
      error.problems.map((p) => p.subject),
      [id, `${id} with Shift`],
    );
    const { qmk: _qmk, ...plain } = ferris;
    thrownKeyForgeError(
      () => layoutQmkKeymapC(plain, placeLetterBlock(QWERTY_BLOCK, plain, "q"), ORIGIN),
      "EXPORT_NOT_FROM_QMK",
      /`qmk` field/,
    );
  });

  it("starts with a header comment no layout name can end early", () => {
    const layout = { ...placeLetterBlock(QWERTY_BLOCK, corne, "q"), name: "x */ int y; /*" };
    const text = layoutQmkKeymapC(corne, layout, ORIGIN, { keymap: "mine" });
    const header = text.slice(0, text.indexOf("*/") + 2);
    assert.ok(header.startsWith("/*\n"));
    for (const line of [
      "Layout: x * / int y; /*",
      "Board: Corne (crkbd) 3x6+3 (corne)",
      "Corpus: none given",
      "Exported by KeyForge 9.8.7",
      "qmk new-keymap -kb crkbd/rev1 -km mine",
      "qmk compile -kb crkbd/rev1 -km mine",
      "qmk flash -kb crkbd/rev1 -km mine",
      "must be US",
    ]) {
      assert.ok(header.includes(line), line);
    }
    assert.ok(text.slice(header.length).trimStart().startsWith("#include QMK_KEYBOARD_H"));
    assert.equal(readQmkKeymapC(text).layers[0]?.codes.length, 42);
  });

  it("follows the macro's order when the board lists its keys differently", () => {
    const ids = ferris.keys.map((key) => key.id).reverse();
    const reordered: Board = {
      ...ferris,
      qmk: { keyboard: "ferris/sweep", layout: "LAYOUT_split_3x5_2", keys: ids },
    };
    const layout = placeLetterBlock(QWERTY_BLOCK, ferris, "q");
    const file = readQmkKeymapC(layoutQmkKeymapC(reordered, layout, ORIGIN));
    assert.deepEqual(qmkTypedKeys(file), expectedTyped(ferris, layout, ids));
  });
});
