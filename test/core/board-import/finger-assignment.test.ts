import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Key } from "../../../src/core/board.ts";
import {
  assignFingers,
  type FingerAssignment,
  type ImportOptions,
} from "../../../src/core/board-import/finger-assignment.ts";
import type { PlacedKey } from "../../../src/core/board-import/placed-key.ts";
import { KeyForgeError } from "../../../src/core/errors.ts";

function placed(id: string, x: number, y: number, more: Partial<PlacedKey> = {}): PlacedKey {
  return { id, x, y, w: 1, h: 1, r: 0, rx: 0, ry: 0, legends: [], ...more };
}

/** A block of `rows` x `cols` 1u keys with ids "r<row>c<col>", optionally split after `splitAfter` columns. */
function grid(
  rows: number,
  cols: number,
  options: { gap?: number; splitAfter?: number; top?: number } = {},
): PlacedKey[] {
  const keys: PlacedKey[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const shift =
        options.splitAfter !== undefined && c >= options.splitAfter ? (options.gap ?? 0) : 0;
      keys.push(placed(`r${r}c${c}`, c + shift, r + (options.top ?? 0)));
    }
  }
  return keys;
}

function key(assignment: FingerAssignment, id: string): Key {
  const found = assignment.keys.find((k) => k.id === id);
  assert.ok(found, `no key ${id}`);
  return found;
}

function fingerText(assignment: FingerAssignment, ids: readonly string[]): string[] {
  return ids.map((id) => {
    const k = key(assignment, id);
    return `${k.hand[0]}-${k.finger}${k.home ? "*" : ""}`;
  });
}

const rowIds = (r: number, cols: number) => Array.from({ length: cols }, (_, c) => `r${r}c${c}`);

function assertOptionsError(
  keys: readonly PlacedKey[],
  options: ImportOptions,
  problem: RegExp,
): void {
  assert.throws(
    () => assignFingers(keys, options),
    (error: unknown) => {
      assert.ok(error instanceof KeyForgeError);
      assert.equal(error.code, "IMPORT_OPTIONS_INVALID");
      assert.match(error.message, problem);
      return true;
    },
  );
}

describe("assignFingers", () => {
  it("splits a one-piece grid in the middle of the home row and walks the fingers outwards", () => {
    const result = assignFingers(grid(3, 10));
    assert.equal(result.split, false);
    assert.equal(result.homeRow, 1);
    assert.deepEqual(fingerText(result, rowIds(1, 10)), [
      "l-pinky*",
      "l-ring*",
      "l-middle*",
      "l-index*",
      "l-index",
      "r-index",
      "r-index*",
      "r-middle*",
      "r-ring*",
      "r-pinky*",
    ]);
    assert.deepEqual(
      fingerText(result, rowIds(0, 10)),
      fingerText(result, rowIds(1, 10)).map((f) => f.replace("*", "")),
    );
    assert.deepEqual(result.letterBlock, [rowIds(0, 10), rowIds(1, 10), rowIds(2, 10)]);
  });

  it("gives every column beyond the pinky's to the pinky too", () => {
    const result = assignFingers(grid(3, 14, { splitAfter: 7, gap: 2 }));
    assert.equal(result.split, true);
    assert.deepEqual(fingerText(result, rowIds(1, 14)).slice(0, 7), [
      "l-pinky",
      "l-pinky",
      "l-pinky*",
      "l-ring*",
      "l-middle*",
      "l-index*",
      "l-index",
    ]);
    assert.deepEqual(result.letterBlock?.[1], rowIds(1, 14).slice(2, 12));
  });

  it("calls a board split when the home row has a gap of at least splitGap", () => {
    const keys = grid(3, 10, { splitAfter: 5, gap: 1 });
    assert.equal(assignFingers(keys).split, true);
    const oneBoard = assignFingers(keys, { splitGap: 1.5 });
    assert.equal(oneBoard.split, false);
    // Both rules put the hands' boundary in the middle of this symmetric board.
    assert.deepEqual(
      fingerText(oneBoard, rowIds(1, 10)),
      fingerText(assignFingers(keys), rowIds(1, 10)),
    );
  });

  it("does not mistake a numeric keypad beside the home row for the other half", () => {
    const keys = [...grid(3, 10), ...[0, 1, 2].map((i) => placed(`pad${i}`, 13 + i, 1))];
    const result = assignFingers(keys);
    assert.equal(result.split, false);
    assert.deepEqual(fingerText(result, ["r1c4", "r1c5", "pad0", "pad2"]), [
      "l-index",
      "r-index",
      "r-pinky",
      "r-pinky",
    ]);
  });

  it("takes the stagger of a typewriter board into account (ANSI: B belongs to the left index)", () => {
    // Home row offset 1.75u, the row above 1.5u, the row below 2.25u, as on ANSI boards.
    const row = (r: number, offset: number, count: number) =>
      Array.from({ length: count }, (_, c) => placed(`r${r}c${c}`, offset + c, r));
    const keys = [
      placed("tab", 0, 0, { w: 1.5 }),
      ...row(0, 1.5, 12),
      placed("caps", 0, 1, { w: 1.75 }),
      ...row(1, 1.75, 11),
      placed("shift", 0, 2, { w: 2.25 }),
      ...row(2, 2.25, 10),
    ];
    const result = assignFingers(keys);
    // Z X C V B sit half a key right of A S D F G: each goes to the finger of the key above-left.
    assert.deepEqual(fingerText(result, rowIds(2, 10)), [
      "l-pinky",
      "l-ring",
      "l-middle",
      "l-index",
      "l-index",
      "r-index",
      "r-index",
      "r-middle",
      "r-ring",
      "r-pinky",
    ]);
    assert.deepEqual(fingerText(result, ["caps", "tab", "shift"]), [
      "l-pinky",
      "l-pinky",
      "l-pinky",
    ]);
    assert.deepEqual(result.letterBlock?.[2], rowIds(2, 10));
  });

  describe("home row", () => {
    it("is the middle row of a three-row block", () => {
      assert.equal(assignFingers(grid(3, 10)).homeRow, 1);
    });

    it("is the second row of four when nothing lies below (the fourth row holds the thumbs)", () => {
      assert.equal(assignFingers(grid(4, 12)).homeRow, 1);
    });

    it("is the third row of four with thumb keys below (the first is a number row)", () => {
      const keys = [
        ...grid(4, 12, { splitAfter: 6, gap: 2 }),
        placed("tl", 5, 5.5),
        placed("tr", 8, 5.5),
      ];
      const result = assignFingers(keys);
      assert.equal(result.homeRow, 2);
      assert.deepEqual(fingerText(result, ["tl", "tr"]), ["l-thumb*", "r-thumb*"]);
    });

    it("follows the legends: a top row of digits is a number row", () => {
      const digits = grid(4, 10).map((k) =>
        k.id.startsWith("r0")
          ? { ...k, legends: [String(Number(k.id.slice(3)) % 10)] }
          : { ...k, legends: ["x"] },
      );
      assert.equal(assignFingers(digits).homeRow, 2);
      const letters = grid(4, 10).map((k) => ({ ...k, legends: ["x"] }));
      assert.equal(assignFingers(letters).homeRow, 1);
    });

    it("skips a function row set apart from the main block", () => {
      const keys = [
        ...grid(1, 10, { top: -1.5 }).map((k) => ({ ...k, id: `f${k.id}` })),
        ...grid(3, 10),
      ];
      assert.equal(assignFingers(keys).homeRow, 2);
    });

    it("is the row the user names with homeRow", () => {
      const result = assignFingers(grid(4, 10), { homeRow: 2 });
      assert.equal(result.homeRow, 2);
      assert.equal(key(result, "r2c0").home, true);
      assert.equal(key(result, "r1c0").home, false);
      assert.equal(result.letterBlock?.[0]?.[0], "r1c0");
    });
  });

  describe("thumbs", () => {
    it("are keys below the main block, between the pinkies, that do not continue a finger column", () => {
      const keys = [
        ...grid(3, 10),
        placed("ctrl", 0, 3), // under the left pinky column: a finger key
        placed("alt", 2, 3), // under the ring column: a finger key
        placed("space", 3, 3, { w: 4 }), // wide: no finger column continues into it
        placed("fn", 9, 3), // under the right pinky column
      ];
      const result = assignFingers(keys);
      assert.deepEqual(fingerText(result, ["ctrl", "alt", "space", "fn"]), [
        "l-pinky",
        "l-middle",
        "r-thumb*",
        "r-pinky",
      ]);
    });

    it("rest on the thumb key just inside the innermost column: the middle of three", () => {
      // Inner columns at x 4 (left) and 8 (right); thumb rows as on a Corne.
      const keys = [
        ...grid(3, 10, { splitAfter: 5, gap: 3 }),
        ...[3, 4, 5].map((x) => placed(`l${x}`, x, 4.2)),
        ...[7, 8, 9].map((x) => placed(`r${x}`, x, 4.2)),
      ];
      const result = assignFingers(keys);
      assert.deepEqual(fingerText(result, ["l3", "l4", "l5", "r7", "r8", "r9"]), [
        "l-thumb",
        "l-thumb*",
        "l-thumb",
        "r-thumb",
        "r-thumb*",
        "r-thumb",
      ]);
    });

    it("rest on the inner of two thumb keys that straddle the innermost column", () => {
      // As on a Ferris Sweep: the outer key is nearer the index finger's home, the inner one is
      // where the thumb lies.
      const keys = [
        ...grid(3, 10, { splitAfter: 5, gap: 3 }),
        placed("outer", 3.5, 4.25),
        placed("inner", 4.5, 4.5),
      ];
      const result = assignFingers(keys);
      assert.deepEqual(fingerText(result, ["outer", "inner"]), ["l-thumb", "l-thumb*"]);
    });
  });

  describe("overrides", () => {
    it("set hands, fingers and homes after inference", () => {
      const keys = [...grid(3, 10), placed("space", 3, 3, { w: 4 })];
      const result = assignFingers(keys, {
        hands: { space: "left" },
        fingers: { r1c4: "middle" },
        homes: ["r0c0"],
      });
      assert.deepEqual(fingerText(result, ["space", "r1c4", "r0c0", "r1c0"]), [
        "l-thumb*",
        "l-middle",
        "l-pinky*",
        "l-pinky",
      ]);
      // The left index keeps its inferred home; the middle finger keeps its own.
      assert.deepEqual(fingerText(result, ["r1c3", "r1c2"]), ["l-index*", "l-middle*"]);
    });

    it("find a new home for a finger whose home key was given to another finger", () => {
      const result = assignFingers(grid(3, 10), { fingers: { r1c0: "ring" } });
      assert.deepEqual(fingerText(result, ["r1c0", "r1c1"]), ["l-ring", "l-ring*"]);
      // The pinky's remaining keys sit above and below its old home: it rests on one of them.
      assert.equal(
        result.keys.filter((k) => k.hand === "left" && k.finger === "pinky" && k.home).length,
        1,
      );
    });

    it("are checked: unknown keys, hands, fingers and rows are reported together", () => {
      const keys = grid(3, 10);
      assertOptionsError(keys, { fingers: { r9c9: "ring" } }, /fingers\.r9c9/);
      assertOptionsError(keys, { homes: ["nope"] }, /homes\.nope/);
      assertOptionsError(keys, { fingers: { r0c0: "toe" as never } }, /fingers\.r0c0/);
      assertOptionsError(keys, { hands: { r0c0: "middle" as never } }, /hands\.r0c0/);
      assertOptionsError(keys, { splitGap: -1 }, /splitGap/);
      assertOptionsError(keys, { homeRow: 3 }, /rows 0 to 2/);
      assertOptionsError(keys, { homeRow: 1.5 }, /homeRow/);
    });
  });

  it("turns any split column-staggered board with thumb keys into a consistent board", () => {
    const board = fc.record({
      cols: fc.integer({ min: 5, max: 7 }),
      rows: fc.integer({ min: 3, max: 4 }),
      gap: fc.double({ min: 1, max: 4, noNaN: true }),
      thumbs: fc.integer({ min: 1, max: 3 }),
      left: fc.array(fc.double({ min: 0, max: 0.9, noNaN: true }), { minLength: 7, maxLength: 7 }),
      right: fc.array(fc.double({ min: 0, max: 0.9, noNaN: true }), { minLength: 7, maxLength: 7 }),
    });
    fc.assert(
      fc.property(board, ({ cols, rows, gap, thumbs, left, right }) => {
        const keys: PlacedKey[] = [];
        const columnIds: string[][] = [];
        for (let c = 0; c < 2 * cols; c++) {
          const isLeft = c < cols;
          const stagger = (isLeft ? left[cols - 1 - c] : right[c - cols]) as number;
          const x = c + (isLeft ? 0 : gap);
          const ids: string[] = [];
          for (let r = 0; r < rows; r++) {
            ids.push(`c${c}r${r}`);
            keys.push(placed(`c${c}r${r}`, x, r + stagger));
          }
          columnIds.push(ids);
        }
        const thumbY = rows - 1 + Math.max(...left, ...right) + 1.6;
        const thumbIds: string[] = [];
        for (let t = 0; t < thumbs; t++) {
          keys.push(placed(`lt${t}`, cols - thumbs + t + 0.5, thumbY));
          keys.push(placed(`rt${t}`, cols + gap + t - 0.5, thumbY));
          thumbIds.push(`lt${t}`, `rt${t}`);
        }
        const result = assignFingers(keys);
        const homeRow = rows === 4 ? 2 : 1;
        assert.equal(result.split, true);
        assert.equal(result.homeRow, homeRow);
        // Each column reads top to bottom across consecutive rows, whatever its stagger.
        for (const ids of columnIds) {
          assert.deepEqual(
            ids.map((id) => key(result, id).row),
            ids.map((_, r) => r),
          );
        }
        const hands = result.keys.map((k) => k.hand);
        assert.equal(hands.filter((h) => h === "left").length, keys.length / 2);
        assert.deepEqual(
          result.keys
            .filter((k) => k.finger === "thumb")
            .map((k) => k.id)
            .sort(),
          [...thumbIds].sort(),
        );
        const homes = new Map<string, number>();
        for (const k of result.keys) {
          const name = `${k.hand} ${k.finger}`;
          homes.set(name, (homes.get(name) ?? 0) + (k.home ? 1 : 0));
        }
        assert.deepEqual(
          [...homes.values()],
          [...homes.values()].map(() => 1),
        );
        assert.deepEqual(
          result.letterBlock?.[1],
          columnIds.slice(cols - 5, cols + 5).map((ids) => ids[homeRow]),
        );
      }),
      { numRuns: 200 },
    );
  });
});
