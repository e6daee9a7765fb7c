import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Board } from "../../../src/core/board.ts";
import { layoutZmkKeymap, zmkKeymapFileName } from "../../../src/core/export/zmk-keymap.ts";
import { checkedLayout, placeLetterBlock } from "../../../src/core/layout.ts";
import { layoutOnBoard } from "../../../src/core/layout-definition.ts";
import { builtinIds, loadBoard, loadLayoutDefinition } from "../../../src/infra/system-data.ts";
import { thrownKeyForgeError } from "../../helpers/keyforge-errors.ts";
import { QWERTY_BLOCK } from "../../helpers/qwerty-block.ts";
import {
  expectedTyped,
  nonUsCharacters,
  randomFirmwareLayout,
} from "../../helpers/random-firmware-layout.ts";
import { readZmkKeymap, zmkTypedKeys } from "../../helpers/zmk-keymap-file.ts";

const ORIGIN = { version: "9.8.7" };
const corne = await loadBoard("corne");
const ferris = await loadBoard("ferris");
const layoutIds = await builtinIds("layouts");

describe("layoutZmkKeymap", () => {
  for (const [board, shield, count] of [
    [corne, "corne", 42],
    [ferris, "cradio", 34],
  ] as const) {
    it(`exports every built-in layout on ${board.id} for the ${shield} shield and reads back`, async () => {
      assert.ok(layoutIds.length > 10);
      for (const id of layoutIds) {
        const layout = layoutOnBoard(await loadLayoutDefinition(id), board);
        const missing = nonUsCharacters(board, layout);
        if (missing.length > 0) {
          const error = thrownKeyForgeError(
            () => layoutZmkKeymap(board, layout, ORIGIN),
            "EXPORT_ZMK_UNMAPPED",
          );
          for (const char of missing) assert.ok(error.message.includes(JSON.stringify(char)));
          continue;
        }
        const text = layoutZmkKeymap(board, layout, ORIGIN);
        const file = readZmkKeymap(text);
        assert.deepEqual(file.includes, ["<behaviors.dtsi>", "<dt-bindings/zmk/keys.h>"]);
        assert.deepEqual(
          file.layers.map((layer) => [layer.name, layer.bindings.length]),
          [["default_layer", count]],
          id,
        );
        assert.deepEqual(zmkTypedKeys(file), expectedTyped(board, layout, board.zmk?.keys), id);
        assert.match(text, new RegExp(`config/${shield}\\.keymap`));
        assert.equal(zmkKeymapFileName(board), `${shield}.keymap`);
      }
    });
  }

  it("binds US keycodes, ZMK's own names ([ is LBKT, { is LBRC) and &none for unused keys", () => {
    const layout = placeLetterBlock(
      [[..."qwertyuio["], [..."asdfghjkl{"], [..."zxcvbnm,./"]],
      ferris,
      "brackets",
    );
    const file = readZmkKeymap(layoutZmkKeymap(ferris, layout, ORIGIN));
    const bindings = file.layers[0]?.bindings ?? [];
    assert.equal(bindings[0], "&kp Q");
    assert.equal(bindings.filter((b) => b === "&kp SPACE").length, 1);
    assert.equal(bindings.filter((b) => b === "&none").length, 3);
    // { takes [ 's Shift default away, and { has none: with Shift, both type nothing.
    assert.equal(bindings[9], "&shift_lbkt");
    assert.deepEqual(file.morphs.get("shift_lbkt")?.bindings, ["&kp LBKT", "&none"]);
    assert.equal(bindings[19], "&shift_lbrc");
    assert.deepEqual(file.morphs.get("shift_lbrc")?.bindings, ["&kp LBRC", "&none"]);
    const typed = zmkTypedKeys(file);
    assert.deepEqual(typed[9], { plain: "[", shifted: null });
    assert.deepEqual(typed[19], { plain: "{", shifted: null });
  });

  it("gives a key whose Shift character is not the US one a mod-morph behavior", () => {
    const chars = placeLetterBlock(QWERTY_BLOCK, corne, "q").chars.slice();
    const semicolon = chars.indexOf(";");
    const explicit = chars.map((_, i) => (i === semicolon ? "?" : undefined));
    chars[chars.indexOf("/")] = "-";
    const layout = checkedLayout("semicolon ?", corne, chars, explicit);
    const text = layoutZmkKeymap(corne, layout, ORIGIN);
    assert.match(text, /shift_semi: shift_semi \{/);
    assert.match(text, /bindings = <&kp SEMI>, <&kp QMARK>;/);
    assert.match(text, /mods = <\(MOD_LSFT\|MOD_RSFT\)>;/);
    assert.match(text, /Shift on \d+ keys? types the layout's character through mod-morph/);
    const typed = zmkTypedKeys(readZmkKeymap(text));
    assert.deepEqual(typed[semicolon], { plain: ";", shifted: "?" });
    assert.deepEqual(typed, expectedTyped(corne, layout, undefined));
    // Deterministic: the same layout gives the same file.
    assert.equal(layoutZmkKeymap(corne, layout, ORIGIN), text);
  });

  it("reads back random ASCII layouts with their Shift characters, on both shields", () => {
    for (const board of [corne, ferris]) {
      fc.assert(
        fc.property(randomFirmwareLayout(board), (layout) => {
          const file = readZmkKeymap(layoutZmkKeymap(board, layout, ORIGIN));
          assert.deepEqual(zmkTypedKeys(file), expectedTyped(board, layout, board.zmk?.keys));
        }),
        { numRuns: 60 },
      );
    }
  });

  it("follows the shield's binding order when the board lists its keys differently", () => {
    const ids = corne.keys.map((key) => key.id).reverse();
    const reordered: Board = { ...corne, zmk: { shield: "corne", keys: ids } };
    const layout = placeLetterBlock(QWERTY_BLOCK, corne, "qwerty");
    const file = readZmkKeymap(layoutZmkKeymap(reordered, layout, ORIGIN));
    assert.deepEqual(zmkTypedKeys(file), expectedTyped(corne, layout, ids));
    thrownKeyForgeError(
      () =>
        layoutZmkKeymap({ ...corne, zmk: { shield: "corne", keys: ids.slice(1) } }, layout, ORIGIN),
      "EXPORT_ZMK_KEYS_MISMATCH",
      /r3c10/,
    );
  });

  it("names every key and character no US keycode types, on either layer", () => {
    const base = placeLetterBlock(QWERTY_BLOCK, corne, "q");
    const chars = base.chars.slice();
    const q = chars.indexOf("q");
    chars[q] = "é";
    const w = chars.indexOf("w");
    const explicit = chars.map((_, i) => (i === w ? "€" : undefined));
    const error = thrownKeyForgeError(
      () => layoutZmkKeymap(corne, checkedLayout("accents", corne, chars, explicit), ORIGIN),
      "EXPORT_ZMK_UNMAPPED",
      /"é" "É" "€"/,
    );
    const qId = corne.keys[q]?.id as string;
    const wId = corne.keys[w]?.id as string;
    assert.deepEqual(
      error.problems.map((p) => p.subject),
      [qId, `${qId} with Shift`, `${wId} with Shift`],
    );
    assert.match(error.message, new RegExp(`${qId}.*"é"`));
  });

  it("refuses a board that names no ZMK shield and says how to add one", () => {
    const { zmk: _zmk, ...plain } = corne;
    thrownKeyForgeError(
      () => layoutZmkKeymap(plain, placeLetterBlock(QWERTY_BLOCK, plain, "q"), ORIGIN),
      "EXPORT_NOT_FOR_ZMK",
      /"zmk": \{ "shield": "corne" \}.*docs\/formats\/board\.md/s,
    );
  });

  it("starts with a header comment no layout name can end early", () => {
    const layout = {
      ...placeLetterBlock(QWERTY_BLOCK, ferris, "q"),
      name: "Mine */ #include <x> \\",
    };
    const text = layoutZmkKeymap(ferris, layout, {
      version: "9.8.7",
      corpus: { id: "en", name: "English */" },
    });
    const header = text.slice(0, text.indexOf("*/") + 2);
    assert.ok(header.startsWith("/*\n"));
    for (const line of [
      "Layout: Mine * / #include <x> \\",
      "Board: Ferris Sweep 3x5+2 (ferris)",
      "Corpus: English * / (en)",
      "Exported by KeyForge 9.8.7",
      "config/cradio.keymap",
      "GitHub Actions",
      "must be US",
    ]) {
      assert.ok(header.includes(line), line);
    }
    // The rest is the keymap itself: the reader finds no stray text and every key.
    assert.equal(readZmkKeymap(text).layers[0]?.bindings.length, 34);
  });
});
