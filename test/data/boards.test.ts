import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type Board,
  boardRows,
  FINGERS,
  type Finger,
  HANDS,
  type Hand,
  type Key,
  keyCorners,
} from "../../src/core/board.ts";
import { parseBoard } from "../../src/core/board-validation.ts";
import { formatLayout, placeLetterBlock } from "../../src/core/layout.ts";
import { QWERTY_BLOCK } from "../helpers/qwerty-block.ts";

const BOARDS_DIR = fileURLToPath(new URL("../../data/system/boards/", import.meta.url));

/** What a user sees of each built-in board: key count and layout-text row lengths. */
const EXPECTED: Record<string, { keys: number; rows: string; split: boolean }> = {
  ansi: { keys: 49, rows: "13+13+11+10+2", split: false },
  "ansi-angle": { keys: 49, rows: "13+13+11+10+2", split: false },
  iso: { keys: 50, rows: "13+12+12+11+2", split: false },
  "ortho-3x10": { keys: 32, rows: "10+10+10+2", split: false },
  planck: { keys: 48, rows: "12+12+12+12", split: false },
  corne: { keys: 42, rows: "12+12+12+6", split: true },
  "corne-3x5": { keys: 36, rows: "10+10+10+6", split: true },
  ferris: { keys: 34, rows: "10+10+10+4", split: true },
};

function loadBoards(): Map<string, Board> {
  const boards = new Map<string, Board>();
  for (const file of readdirSync(BOARDS_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const id = file.slice(0, -".json".length);
    boards.set(id, parseBoard(JSON.parse(readFileSync(`${BOARDS_DIR}${file}`, "utf8")), id));
  }
  return boards;
}

const boards = loadBoards();

function board(id: string): Board {
  const found = boards.get(id);
  assert.ok(found, `board ${id} exists`);
  return found;
}

function keyById(b: Board, id: string): Key {
  const key = b.keys.find((k) => k.id === id);
  assert.ok(key, `board ${b.id} has key ${id}`);
  return key;
}

function letterBlockKeys(b: Board): Key[][] {
  assert.ok(b.letterBlock, `board ${b.id} has a letter block`);
  return b.letterBlock.map((row) => row.map((id) => keyById(b, id)));
}

function homeKey(b: Board, hand: Hand, finger: Finger): Key | undefined {
  return b.keys.find((k) => k.home && k.hand === hand && k.finger === finger);
}

describe("built-in boards", () => {
  it("are all valid, named after their file, and all eight exist", () => {
    for (const [id, b] of boards) assert.equal(b.id, id);
    assert.deepEqual([...boards.keys()].sort(), Object.keys(EXPECTED).sort());
  });

  for (const [id, expected] of Object.entries(EXPECTED)) {
    describe(id, () => {
      it(`has ${expected.keys} keys in rows of ${expected.rows}`, () => {
        const b = board(id);
        assert.equal(b.keys.length, expected.keys);
        const rows = boardRows(b)
          .map((row) => row.length)
          .join("+");
        assert.equal(rows, expected.rows);
      });

      it("says where its dimensions come from", () => {
        assert.ok(board(id).source?.trim(), "source is set");
        assert.ok(board(id).description.trim(), "description is set");
      });

      it("gives each hand exactly one home key per finger, all ten fingers used", () => {
        const b = board(id);
        for (const hand of HANDS) {
          for (const finger of FINGERS) {
            const keys = b.keys.filter((k) => k.hand === hand && k.finger === finger);
            assert.ok(keys.length > 0, `${hand} ${finger} has keys`);
            assert.equal(keys.filter((k) => k.home).length, 1, `${hand} ${finger} home keys`);
          }
        }
      });

      it("has its home row in letter-block row 1: pinky..index, gap, index..pinky", () => {
        const b = board(id);
        const [, middle] = letterBlockKeys(b);
        assert.ok(middle);
        const expectedHomes: [number, Hand, Finger][] = [
          [0, "left", "pinky"],
          [1, "left", "ring"],
          [2, "left", "middle"],
          [3, "left", "index"],
          [6, "right", "index"],
          [7, "right", "middle"],
          [8, "right", "ring"],
          [9, "right", "pinky"],
        ];
        for (const [column, hand, finger] of expectedHomes) {
          assert.equal(middle[column], homeKey(b, hand, finger), `column ${column}`);
        }
      });

      it("puts letter-block columns 0-4 on the left hand and 5-9 on the right", () => {
        for (const row of letterBlockKeys(board(id))) {
          assert.deepEqual(
            row.map((k) => k.hand),
            [...Array(5).fill("left"), ...Array(5).fill("right")],
          );
        }
      });

      it("has one space key, the right thumb's home key, and no character twice", () => {
        const b = board(id);
        const spaces = b.keys.filter((k) => k.char === " ");
        assert.equal(spaces.length, 1);
        assert.equal(spaces[0], homeKey(b, "right", "thumb"));
        const chars = b.keys.flatMap((k) => (k.char === undefined ? [] : [k.char]));
        assert.equal(new Set(chars).size, chars.length);
      });

      it("takes a 3x10 layout on its letter block without conflicts", () => {
        const b = board(id);
        const layout = placeLetterBlock(QWERTY_BLOCK, b, "qwerty");
        const placed = layout.chars.filter((c) => c !== null);
        assert.ok(placed.includes(" "));
        for (const letter of QWERTY_BLOCK.flat()) assert.ok(placed.includes(letter), letter);
      });

      if (expected.split) {
        it("has every left-hand key left of every right-hand key", () => {
          const b = board(id);
          const xs = (hand: Hand) =>
            b.keys.filter((k) => k.hand === hand).flatMap((k) => keyCorners(k).map((p) => p.x));
          assert.ok(Math.max(...xs("left")) <= Math.min(...xs("right")));
        });
      }
    });
  }

  it("ansi: the home keys are a s d f and j k l ; and QWERTY reads as on a real keyboard", () => {
    const b = board("ansi");
    const layout = placeLetterBlock(QWERTY_BLOCK, b, "qwerty");
    const index = new Map(b.keys.map((k, i) => [k.id, i]));
    const homeChars = b.keys
      .filter((k) => k.home && k.finger !== "thumb")
      .sort((p, q) => p.x - q.x)
      .map((k) => layout.chars[index.get(k.id) as number]);
    assert.deepEqual(homeChars, [..."asdfjkl;"]);
    assert.equal(
      formatLayout(layout, b),
      [
        "` 1 2 3 4 5 6 7 8 9 0 - =",
        "q w e r t y u i o p [ ] \\",
        "a s d f g h j k l ; '",
        "z x c v b n m , . /",
        "_ \\s",
        "",
      ].join("\n"),
    );
  });

  it("ansi: rows are staggered 1.5u, 1.75u and 2.25u with a 6.25u space bar at 3.75u", () => {
    const [top, home, bottom] = letterBlockKeys(board("ansi"));
    assert.equal(top?.[0]?.x, 1.5);
    assert.equal(home?.[0]?.x, 1.75);
    assert.equal(bottom?.[0]?.x, 2.25);
    const left = keyById(board("ansi"), "space-l");
    const right = keyById(board("ansi"), "space-r");
    assert.equal(left.x, 3.75);
    assert.equal(right.x, left.x + left.w);
    assert.equal(left.w + right.w, 6.25);
  });

  it("ansi-angle: same keys as ansi, left bottom row typed one finger to the right", () => {
    const ansi = board("ansi");
    const angle = board("ansi-angle");
    const geometry = (k: Key) => [k.id, k.x, k.y, k.w, k.h, k.char];
    assert.deepEqual(angle.keys.map(geometry), ansi.keys.map(geometry));
    const bottom = letterBlockKeys(angle)[2] ?? [];
    assert.deepEqual(
      bottom.slice(0, 5).map((k) => k.finger),
      ["ring", "middle", "index", "index", "index"],
    );
    const changed = angle.keys.filter((k, i) => k.finger !== ansi.keys[i]?.finger);
    assert.deepEqual(
      changed.map((k) => k.id),
      bottom.slice(0, 3).map((k) => k.id),
    );
  });

  it("iso: an extra left-pinky key left of Z, a hash key on the home row, nothing above Enter", () => {
    const b = board("iso");
    assert.deepEqual(
      b.shiftPairs,
      { "`": "¬", "2": '"', "3": "£", "'": "@", "#": "~" },
      "UK pairs",
    );
    const z = letterBlockKeys(b)[2]?.[0];
    assert.ok(z);
    const extra = b.keys.find((k) => k.row === z.row && k.x + k.w <= z.x);
    assert.ok(extra);
    assert.equal(extra.x, 1.25);
    assert.equal(extra.hand, "left");
    assert.equal(extra.finger, "pinky");
    const hash = b.keys.find((k) => k.char === "#");
    assert.equal(hash?.hand, "right");
    assert.equal(hash?.x, 12.75);
    assert.ok(!b.keys.some((k) => k.row === 1 && k.x >= 13.5));
  });

  for (const [id, fixture, keyboard, layout, shield] of [
    ["corne", "crkbd-rev1", "crkbd/rev1", "LAYOUT_split_3x6_3", "corne"],
    ["ferris", "ferris-sweep", "ferris/sweep", "LAYOUT_split_3x5_2", "cradio"],
  ] as const) {
    it(`${id}: names its QMK keyboard and ZMK shield, keys in the macro's and bindings' order`, () => {
      const b = board(id);
      assert.deepEqual(b.qmk, { keyboard, layout });
      assert.deepEqual(b.zmk, { shield });
      // Without a key list, the board's key order is the macro's: the same keys at the same
      // places as QMK's own layout, argument by argument.
      const url = new URL(`../fixtures/qmk/${fixture}.keyboard.json`, import.meta.url);
      const data = JSON.parse(readFileSync(url, "utf8")) as {
        layouts: Record<string, { layout: { x: number; y: number }[] }>;
      };
      const macro = data.layouts[layout]?.layout ?? [];
      assert.deepEqual(
        b.keys.map((k) => [k.x, k.y]),
        macro.map((k) => [k.x, k.y]),
      );
      // ZMK's shield keymaps bind the same order: row by row, left half then right, thumbs last.
      const rowMajor = [...b.keys].sort((p, q) => p.row - q.row || p.x - q.x);
      assert.deepEqual(
        b.keys.map((k) => k.id),
        rowMajor.map((k) => k.id),
      );
    });
  }
});
