import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Board, QmkOrigin } from "../../../src/core/board.ts";
import { importQmkBoard } from "../../../src/core/board-import/qmk.ts";
import { parseBoard } from "../../../src/core/board-validation.ts";
import { KeyForgeError } from "../../../src/core/errors.ts";
import {
  layoutQmkKeymap,
  type QmkKeymap,
  qmkKeycode,
} from "../../../src/core/export/qmk-keymap.ts";
import { layoutQmkKeymapC } from "../../../src/core/export/qmk-keymap-c.ts";
import { checkedLayout, type Layout, placeLetterBlock } from "../../../src/core/layout.ts";
import { thrownKeyForgeError } from "../../helpers/keyforge-errors.ts";
import { readQmkKeymapC } from "../../helpers/qmk-keymap-c-file.ts";
import { QWERTY_BLOCK } from "../../helpers/qwerty-block.ts";
import { randomFirmwareLayout } from "../../helpers/random-firmware-layout.ts";

function qmkFixture(name: string): unknown {
  const url = new URL(`../../fixtures/qmk/${name}.keyboard.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8"));
}

/** The layout macro's key ids, in the order the fixture lists them. */
function macroKeyIds(data: unknown, layoutName: string): string[] {
  const layout = (data as { layouts: Record<string, { layout: { matrix: number[] }[] }> }).layouts[
    layoutName
  ];
  assert.ok(layout);
  return layout.layout.map((k) => `m${k.matrix[0]}-${k.matrix[1]}`);
}

function corne(): Board {
  return importQmkBoard(qmkFixture("crkbd-rev1"), {
    id: "corne-imported",
    layoutName: "LAYOUT_split_3x6_3",
  });
}

function qmkOf(board: Board): QmkOrigin {
  assert.ok(board.qmk, `board ${board.id} has no qmk field`);
  return board.qmk;
}

describe("layoutQmkKeymap", () => {
  it("exports a layout on an imported Corne as a keymap.json in the macro's key order", () => {
    const board = corne();
    const layout = placeLetterBlock(QWERTY_BLOCK, board, "QWERTY (test)");
    const keymap = layoutQmkKeymap(board, layout);
    assert.equal(keymap.version, 1);
    assert.equal(keymap.keyboard, "crkbd");
    assert.equal(keymap.layout, "LAYOUT_split_3x6_3");
    assert.equal(keymap.keymap, "qwerty_test");
    assert.equal(keymap.layers.length, 1);
    const layer = keymap.layers[0] as readonly string[];
    assert.equal(layer.length, 42);
    // Row by row, left half then right half, outer columns unused: as the macro lists them.
    assert.deepEqual(layer.slice(0, 36), [
      ...["KC_NO", "KC_Q", "KC_W", "KC_E", "KC_R", "KC_T"],
      ...["KC_Y", "KC_U", "KC_I", "KC_O", "KC_P", "KC_NO"],
      ...["KC_NO", "KC_A", "KC_S", "KC_D", "KC_F", "KC_G"],
      ...["KC_H", "KC_J", "KC_K", "KC_L", "KC_SCLN", "KC_NO"],
      ...["KC_NO", "KC_Z", "KC_X", "KC_C", "KC_V", "KC_B"],
      ...["KC_N", "KC_M", "KC_COMM", "KC_DOT", "KC_SLSH", "KC_NO"],
    ]);
    // Each keycode is the one of the character on the macro's key.
    const ids = macroKeyIds(qmkFixture("crkbd-rev1"), "LAYOUT_split_3x6_3");
    ids.forEach((id, i) => {
      const char = layout.chars[board.keys.findIndex((k) => k.id === id)] ?? null;
      assert.equal(layer[i], char === null ? "KC_NO" : qmkKeycode(char), id);
    });
    assert.equal(layer.filter((code) => code === "KC_SPC").length, 1);
    assert.equal(layoutQmkKeymap(board, layout, { keymap: "mine" }).keymap, "mine");
    assert.doesNotThrow(() => JSON.stringify(keymap));
  });

  it("follows the macro's order when the board lists its keys differently", () => {
    const board = corne();
    const qmk = qmkOf(board);
    const reordered: Board = { ...board, qmk: { ...qmk, keys: [...(qmk.keys ?? [])].reverse() } };
    const layout = placeLetterBlock(QWERTY_BLOCK, board, "qwerty");
    const forward = layoutQmkKeymap(board, layout).layers[0] as readonly string[];
    const backward = layoutQmkKeymap(reordered, layout).layers[0] as readonly string[];
    assert.deepEqual([...backward].reverse(), [...forward]);
    // Without a key order the board's own order is the macro's.
    const { keys: _keys, ...withoutOrder } = qmk;
    assert.deepEqual(
      layoutQmkKeymap({ ...board, qmk: withoutOrder }, layout).layers[0],
      layout.chars.map((c) => (c === null ? "KC_NO" : qmkKeycode(c))),
    );
  });

  it("maps letters, digits, whitespace and US punctuation to basic keycodes", () => {
    const expected: Record<string, string> = {
      a: "KC_A",
      z: "KC_Z",
      "1": "KC_1",
      "0": "KC_0",
      " ": "KC_SPC",
      "\n": "KC_ENT",
      "\t": "KC_TAB",
      ";": "KC_SCLN",
      "'": "KC_QUOT",
      ",": "KC_COMM",
      ".": "KC_DOT",
      "/": "KC_SLSH",
      "-": "KC_MINS",
      "=": "KC_EQL",
      "[": "KC_LBRC",
      "]": "KC_RBRC",
      "\\": "KC_BSLS",
      "`": "KC_GRV",
      "!": "KC_EXLM",
      "@": "KC_AT",
      "#": "KC_HASH",
      $: "KC_DLR",
      "%": "KC_PERC",
      "^": "KC_CIRC",
      "&": "KC_AMPR",
      "*": "KC_ASTR",
      "(": "KC_LPRN",
      ")": "KC_RPRN",
      _: "KC_UNDS",
      "+": "KC_PLUS",
      "{": "KC_LCBR",
      "}": "KC_RCBR",
      "|": "KC_PIPE",
      ":": "KC_COLN",
      '"': "KC_DQUO",
      "<": "KC_LABK",
      ">": "KC_RABK",
      "?": "KC_QUES",
      "~": "KC_TILD",
      Q: "LSFT(KC_Q)",
    };
    for (const [char, code] of Object.entries(expected)) {
      assert.equal(qmkKeycode(char), code, JSON.stringify(char));
    }
    assert.equal(qmkKeycode("é"), undefined);
  });

  it("names every character without a keycode and its key", () => {
    const board = corne();
    const layout: Layout = placeLetterBlock(
      [[..."éwertyuiop"], [..."asdfghjkl€"], [..."zxcvbnm,./"]],
      board,
      "accents",
    );
    const error = thrownKeyForgeError(
      () => layoutQmkKeymap(board, layout),
      "EXPORT_QMK_UNMAPPED",
      /"é".*"€"/,
    );
    const letterBlock = board.letterBlock ?? [];
    assert.deepEqual(
      error.problems.map((p) => p.subject),
      [letterBlock[0]?.[0], `${letterBlock[0]?.[0]} with Shift`, letterBlock[1]?.[9]],
    );
    assert.match(error.message, new RegExp(letterBlock[0]?.[0] as string));
  });

  it("refuses a board that names no QMK keyboard and says how to import one", () => {
    const url = new URL("../../../data/system/boards/corne.json", import.meta.url);
    const { qmk: _qmk, ...builtin } = parseBoard(JSON.parse(readFileSync(url, "utf8")), "corne");
    const layout = placeLetterBlock(QWERTY_BLOCK, builtin, "qwerty");
    thrownKeyForgeError(
      () => layoutQmkKeymap(builtin, layout),
      "EXPORT_NOT_FROM_QMK",
      /keyforge board import qmk.*`qmk` field/s,
    );
  });

  it("exports layouts on the built-in boards, which name their QMK keyboard", () => {
    const url = new URL("../../../data/system/boards/ferris.json", import.meta.url);
    const ferris = parseBoard(JSON.parse(readFileSync(url, "utf8")), "ferris");
    const keymap = layoutQmkKeymap(ferris, placeLetterBlock(QWERTY_BLOCK, ferris, "qwerty"));
    assert.equal(keymap.keyboard, "ferris/sweep");
    assert.equal(keymap.layout, "LAYOUT_split_3x5_2");
    assert.deepEqual(keymap.layers[0]?.slice(0, 10), [
      ...["KC_Q", "KC_W", "KC_E", "KC_R", "KC_T", "KC_Y", "KC_U", "KC_I", "KC_O", "KC_P"],
    ]);
  });

  it("refuses Shift characters a keymap.json cannot give, naming the keys", () => {
    const board = corne();
    const base = placeLetterBlock(QWERTY_BLOCK, board, "qwerty");
    const chars = base.chars.slice();
    const semicolon = chars.indexOf(";");
    const a = chars.indexOf("a");
    chars[chars.indexOf("/")] = "-";
    const explicit = chars.map((_, i) => (i === semicolon ? "?" : i === a ? "!" : undefined));
    const error = thrownKeyForgeError(
      () => layoutQmkKeymap(board, checkedLayout("shifted", board, chars, explicit)),
      "EXPORT_QMK_SHIFT_UNSUPPORTED",
      /keymap\.c/,
    );
    assert.deepEqual(
      error.problems.map((p) => p.subject),
      [board.keys[a]?.id, board.keys[semicolon]?.id],
    );
    assert.match(error.message, /";" types "\?" with Shift in the layout, ":" with KC_SCLN/);
    // A key whose Shift types nothing is let through: the host's Shift character is an extra.
    const none = chars.map((_, i) => (i === semicolon ? null : undefined));
    assert.equal(
      layoutQmkKeymap(board, checkedLayout("none", board, chars, none)).layers[0]?.includes(
        "KC_SCLN",
      ),
      true,
    );
  });

  it("agrees with the keymap.c it refuses to replace: same keycodes, or the keys it names", () => {
    const board = corne();
    fc.assert(
      fc.property(randomFirmwareLayout(board), (layout) => {
        const file = readQmkKeymapC(layoutQmkKeymapC(board, layout, { version: "0" }));
        const overridden = file.overrides
          .filter((o) => o.replacement !== "KC_NO")
          .map((o) => o.trigger);
        let keymap: QmkKeymap;
        try {
          keymap = layoutQmkKeymap(board, layout);
        } catch (error) {
          assert.ok(error instanceof KeyForgeError);
          assert.equal(error.code, "EXPORT_QMK_SHIFT_UNSUPPORTED");
          const subjects = error.problems.map((p) => p.subject);
          const ids = subjects.map((id) => board.keys.findIndex((k) => k.id === id));
          assert.deepEqual(
            ids.map((k) => qmkKeycode(layout.chars[k] as string)).sort(),
            [...overridden].sort(),
          );
          return;
        }
        assert.deepEqual(overridden, []);
        assert.deepEqual(keymap.layers[0], file.layers[0]?.codes);
      }),
      { numRuns: 60 },
    );
  });

  it("rejects a board with keys the macro does not have", () => {
    const board = corne();
    const qmk = qmkOf(board);
    const shortened: Board = { ...board, qmk: { ...qmk, keys: (qmk.keys ?? []).slice(1) } };
    thrownKeyForgeError(
      () => layoutQmkKeymap(shortened, placeLetterBlock(QWERTY_BLOCK, board, "qwerty")),
      "EXPORT_QMK_KEYS_MISMATCH",
      /m0-0/,
    );
  });
});
