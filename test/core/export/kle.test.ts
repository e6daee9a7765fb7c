import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Board, Key } from "../../../src/core/board.ts";
import { importKleBoard, placeKleKeys } from "../../../src/core/board-import/kle.ts";
import { importQmkBoard } from "../../../src/core/board-import/qmk.ts";
import { parseBoard } from "../../../src/core/board-validation.ts";
import { kleJsonText, kleKeyOrder, kleLegend, layoutKle } from "../../../src/core/export/kle.ts";
import { type Layout, placeLetterBlock } from "../../../src/core/layout.ts";
import { QWERTY_BLOCK } from "../../helpers/qwerty-block.ts";

const BOARDS_DIR = new URL("../../../data/system/boards/", import.meta.url);
const KLE_DIR = new URL("../../fixtures/kle/", import.meta.url);
const QMK_DIR = new URL("../../fixtures/qmk/", import.meta.url);

function jsonFile(url: URL): unknown {
  return JSON.parse(readFileSync(url, "utf8"));
}

function builtinBoards(): Board[] {
  return readdirSync(BOARDS_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => parseBoard(jsonFile(new URL(f, BOARDS_DIR)), f.replace(/\.json$/, "")));
}

function kleFixtureBoards(): Board[] {
  return readdirSync(KLE_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => importKleBoard(jsonFile(new URL(f, KLE_DIR)), { id: f.replace(/\.json$/, "") }));
}

function qmkFixtureBoards(): Board[] {
  return [
    importQmkBoard(jsonFile(new URL("crkbd-rev1.keyboard.json", QMK_DIR)), {
      id: "crkbd",
      layoutName: "LAYOUT_split_3x6_3",
    }),
    importQmkBoard(jsonFile(new URL("ferris-sweep.keyboard.json", QMK_DIR)), { id: "sweep" }),
  ];
}

/** QWERTY on the letter block when the board has one, else the characters of its legends. */
function layoutFor(board: Board): Layout {
  if (board.letterBlock) return placeLetterBlock(QWERTY_BLOCK, board, "qwerty");
  return { name: "legends", boardId: board.id, chars: board.keys.map((k) => k.char ?? null) };
}

const GEOMETRY = ["x", "y", "w", "h", "r", "rx", "ry"] as const;

/** Exports, reads the result back with the KLE importer and compares every key's geometry. */
function assertRoundTrip(board: Board, layout: Layout): void {
  // Through JSON text, as a file would go.
  const data = JSON.parse(JSON.stringify(layoutKle(board, layout)));
  const placed = placeKleKeys(data).keys;
  const order = kleKeyOrder(board);
  assert.equal(placed.length, board.keys.length, `${board.id}: key count`);
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    board.keys.map((_, i) => i),
  );
  placed.forEach((back, j) => {
    const key = board.keys[order[j] as number] as Key;
    for (const field of GEOMETRY) {
      assert.ok(
        Math.abs(back[field] - key[field]) <= 1e-6,
        `${board.id} ${key.id}: ${field} ${back[field]} != ${key[field]}`,
      );
    }
    const char = layout.chars[order[j] as number] ?? null;
    assert.deepEqual(back.legends, char === null ? [] : [kleLegend(char)], `${key.id} legend`);
    // The importer reads the legend back as the same character (Enter and Tab have none).
    if (char !== null && char !== "\n" && char !== "\t") assert.equal(back.char, char);
  });
}

describe("layoutKle", () => {
  it("round-trips the geometry of every built-in board", () => {
    const boards = builtinBoards();
    assert.ok(boards.length >= 8);
    for (const board of boards) assertRoundTrip(board, layoutFor(board));
  });

  it("round-trips the KLE fixtures, rotated thumb clusters included", () => {
    const boards = kleFixtureBoards();
    const rotated = boards.filter((b) => b.keys.some((k) => k.r !== 0)).map((b) => b.id);
    assert.deepEqual(rotated.sort(), ["atreus", "ergodox", "kinesis-advantage"]);
    for (const board of boards) assertRoundTrip(board, layoutFor(board));
  });

  it("round-trips the QMK fixtures", () => {
    for (const board of qmkFixtureBoards()) assertRoundTrip(board, layoutFor(board));
  });

  it("round-trips any key geometry: rotation groups sharing an origin or an angle, r = 0 with an origin", () => {
    const coordinate = fc.double({ min: -30, max: 30, noNaN: true, noDefaultInfinity: true });
    const keyArb = fc.record({
      x: coordinate,
      y: coordinate,
      w: fc.constantFrom(1, 1.25, 1.5, 2, 2.25, 6.25, 0.5),
      h: fc.constantFrom(1, 1.5, 2),
      // Few distinct values so that keys share angles and origins.
      r: fc.constantFrom(0, 0, 15, -15, 30, -30, 90, 180, 350),
      rx: fc.constantFrom(0, 0, 4.25, 6.5, 13, -2),
      ry: fc.constantFrom(0, 0, 1, 4.25, 0.965),
    });
    fc.assert(
      fc.property(fc.array(keyArb, { minLength: 1, maxLength: 30 }), (geometries) => {
        const keys: Key[] = geometries.map((g, i) => ({
          ...g,
          id: `k${i}`,
          hand: "left",
          finger: "index",
          home: i === 0,
          row: 0,
          col: i,
        }));
        const board: Board = { id: "random", name: "Random", description: "", keys };
        const chars = keys.map((_, i) => (i % 3 === 2 ? null : String.fromCharCode(97 + (i % 26))));
        assertRoundTrip(board, { name: "random", boardId: board.id, chars });
      }),
      { numRuns: 300 },
    );
  });

  it("sets the rotation only on the first key of a row and starts with the metadata", () => {
    for (const board of kleFixtureBoards()) {
      const [meta, ...rows] = layoutKle(board, layoutFor(board));
      assert.ok(meta && typeof meta === "object" && !Array.isArray(meta));
      assert.match(String((meta as { name: unknown }).name), new RegExp(board.name));
      for (const row of rows) {
        assert.ok(Array.isArray(row));
        row.forEach((item, k) => {
          if (k === 0 || typeof item !== "object" || item === null) return;
          assert.ok(!("r" in item || "rx" in item || "ry" in item), "rotation mid-row");
        });
      }
    }
  });

  it("writes one row per line, so that the rows between the brackets are the Raw data text", () => {
    const board = kleFixtureBoards().find((b) => b.id === "ergodox") as Board;
    const data = layoutKle(board, layoutFor(board));
    const text = kleJsonText(data);
    assert.deepEqual(JSON.parse(text), data);
    const lines = text.trimEnd().split("\n");
    assert.equal(lines.length, data.length + 2);
    assert.deepEqual(JSON.parse(`[${lines.slice(1, -1).join("\n")}]`), data);
  });

  it("labels keys the way KLE presets do", () => {
    assert.equal(kleLegend("q"), "Q");
    assert.equal(kleLegend(";"), ";");
    assert.equal(kleLegend("ß"), "ß");
    assert.equal(kleLegend(" "), "Space");
    assert.equal(kleLegend("\n"), "Enter");
    assert.equal(kleLegend("\t"), "Tab");
    assert.equal(kleLegend(null), "");
    const board = builtinBoards().find((b) => b.id === "corne") as Board;
    const legends = layoutKle(board, layoutFor(board))
      .slice(1)
      .flat()
      .filter((item): item is string => typeof item === "string");
    for (const legend of [..."QWERTYUIOPASDFGHJKL;ZXCVBNM,./", "Space"]) {
      assert.ok(legends.includes(legend), `legend ${legend}`);
    }
    assert.equal(legends.length, board.keys.length);
  });
});
