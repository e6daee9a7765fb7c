import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { type Board, boardRows, type Key, keyCentre } from "../../../src/core/board.ts";
import { importQmkBoard } from "../../../src/core/board-import/qmk.ts";
import { KeyForgeError } from "../../../src/core/errors.ts";

function fixture(name: string): Record<string, unknown> {
  const url = new URL(`../../fixtures/qmk/${name}.keyboard.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8"));
}

function keyById(board: Board, id: string): Key {
  const key = board.keys.find((k) => k.id === id);
  assert.ok(key, `no key ${id}`);
  return key;
}

function describeKey(board: Board, id: string): string {
  const k = keyById(board, id);
  return `${k.hand} ${k.finger}${k.home ? " home" : ""}`;
}

function countBy<T>(items: readonly T[], name: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[name(item)] = (counts[name(item)] ?? 0) + 1;
  return counts;
}

function assertQmkError(data: unknown, code: string, message?: RegExp, layoutName?: string): void {
  assert.throws(
    () => importQmkBoard(data, { id: "broken", ...(layoutName ? { layoutName } : {}) }),
    (error: unknown) => {
      assert.ok(error instanceof KeyForgeError, `expected a KeyForgeError, got ${String(error)}`);
      assert.equal(error.code, code);
      if (message) assert.match(error.message, message);
      return true;
    },
  );
}

describe("importQmkBoard", () => {
  it("imports the first layout by default and any other by name or alias", () => {
    const crkbd = fixture("crkbd-rev1");
    const first = importQmkBoard(crkbd, { id: "crkbd" });
    assert.equal(first.keys.length, 36);
    assert.match(first.description, /LAYOUT_split_3x5_3/);
    assert.equal(
      importQmkBoard(crkbd, { id: "crkbd", layoutName: "LAYOUT_split_3x6_3" }).keys.length,
      42,
    );
    assert.equal(importQmkBoard(crkbd, { id: "crkbd", layoutName: "LAYOUT" }).keys.length, 42);
    assert.equal(importQmkBoard(fixture("ferris-sweep"), { id: "sweep" }).keys.length, 34);
  });

  it("names keys after their matrix position and the board after the keyboard", () => {
    const board = importQmkBoard(fixture("ferris-sweep"), { id: "sweep" });
    assert.equal(board.name, "Ferris sweep");
    assert.deepEqual(
      board.keys.slice(0, 5).map((k) => k.id),
      ["m0-0", "m0-1", "m0-2", "m0-3", "m0-4"],
    );
    assert.equal(
      importQmkBoard(fixture("ferris-sweep"), { id: "sweep", name: "My Sweep" }).name,
      "My Sweep",
    );
  });

  it("records the QMK keyboard, layout macro and macro key order for keymap export", () => {
    const crkbd = fixture("crkbd-rev1");
    const board = importQmkBoard(crkbd, { id: "crkbd", layoutName: "LAYOUT" });
    const macro = (crkbd.layouts as Record<string, { layout: { matrix: number[] }[] }>)
      .LAYOUT_split_3x6_3;
    assert.deepEqual(board.qmk, {
      keyboard: "crkbd",
      layout: "LAYOUT_split_3x6_3",
      keys: macro?.layout.map((k) => `m${k.matrix[0]}-${k.matrix[1]}`),
    });
    assert.equal(
      importQmkBoard(crkbd, { id: "crkbd", keyboard: "crkbd/rev1" }).qmk?.keyboard,
      "crkbd/rev1",
    );
    // "Ferris sweep" is a display name, not a keyboard path: the user has to name the keyboard.
    const sweep = fixture("ferris-sweep");
    assert.equal(importQmkBoard(sweep, { id: "sweep" }).qmk, undefined);
    assert.equal(
      importQmkBoard(sweep, { id: "sweep", keyboard: "ferris/sweep" }).qmk?.keyboard,
      "ferris/sweep",
    );
    assert.equal(
      importQmkBoard({ ...sweep, keyboard_folder: "ferris/sweep" }, { id: "sweep" }).qmk?.keyboard,
      "ferris/sweep",
    );
    assert.throws(
      () => importQmkBoard(sweep, { id: "sweep", keyboard: "ferris sweep" }),
      (e: unknown) => e instanceof KeyForgeError && e.code === "IMPORT_OPTIONS_INVALID",
    );
  });

  it("splits Corne and Sweep into equal halves", () => {
    for (const [name, layoutName, half] of [
      ["crkbd-rev1", "LAYOUT_split_3x5_3", 18],
      ["crkbd-rev1", "LAYOUT_split_3x6_3", 21],
      ["ferris-sweep", undefined, 17],
    ] as const) {
      const board = importQmkBoard(fixture(name), {
        id: "split",
        ...(layoutName ? { layoutName } : {}),
      });
      assert.deepEqual(
        countBy(board.keys, (k) => k.hand),
        { left: half, right: half },
        `${name} ${layoutName}`,
      );
      // Matrix rows 0-3 are the left half, 4-7 the right half on both boards.
      for (const key of board.keys) {
        assert.equal(
          key.hand,
          Number(key.id.slice(1).split("-")[0]) < 4 ? "left" : "right",
          key.id,
        );
      }
    }
  });

  it("assigns Corne fingers column by column, the outer column to the pinky", () => {
    const board = importQmkBoard(fixture("crkbd-rev1"), {
      id: "crkbd",
      layoutName: "LAYOUT_split_3x6_3",
    });
    assert.deepEqual(
      ["m1-0", "m1-1", "m1-2", "m1-3", "m1-4", "m1-5"].map((id) => describeKey(board, id)),
      [
        "left pinky",
        "left pinky home",
        "left ring home",
        "left middle home",
        "left index home",
        "left index",
      ],
    );
    assert.deepEqual(
      ["m5-5", "m5-4", "m5-3", "m5-2", "m5-1", "m5-0"].map((id) => describeKey(board, id)),
      [
        "right index",
        "right index home",
        "right middle home",
        "right ring home",
        "right pinky home",
        "right pinky",
      ],
    );
    assert.equal(describeKey(board, "m0-4"), "left index");
    assert.equal(describeKey(board, "m2-1"), "left pinky");
    for (const id of ["m3-3", "m3-4", "m3-5"]) assert.match(describeKey(board, id), /^left thumb/);
    for (const id of ["m7-3", "m7-4", "m7-5"]) assert.match(describeKey(board, id), /^right thumb/);
    // The thumbs rest on the middle keys, as on the built-in Corne; the right one types space.
    const thumbHomes = board.keys.filter((k) => k.finger === "thumb" && k.home);
    assert.deepEqual(
      thumbHomes.map((k) => k.id),
      ["m3-4", "m7-4"],
    );
    assert.deepEqual(
      board.keys.filter((k) => k.char === " ").map((k) => k.id),
      ["m7-4"],
    );
    assert.deepEqual(board.letterBlock?.[1], [
      "m1-1",
      "m1-2",
      "m1-3",
      "m1-4",
      "m1-5",
      "m5-5",
      "m5-4",
      "m5-3",
      "m5-2",
      "m5-1",
    ]);
  });

  it("keeps the Sweep's low pinky column in the rows it belongs to", () => {
    // The pinky column sits 0.62u below the ring column, closer to the ring's next row.
    const board = importQmkBoard(fixture("ferris-sweep"), { id: "sweep" });
    const rows = boardRows(board).map((row) => row.map((k) => k.id));
    assert.deepEqual(rows[0], [
      "m0-0",
      "m0-1",
      "m0-2",
      "m0-3",
      "m0-4",
      "m4-0",
      "m4-1",
      "m4-2",
      "m4-3",
      "m4-4",
    ]);
    assert.deepEqual(rows[3], ["m3-0", "m3-1", "m7-0", "m7-1"]);
    assert.deepEqual(board.letterBlock?.[0]?.[0], "m0-0");
    assert.deepEqual(board.letterBlock?.[2]?.[9], "m6-4");
    assert.equal(describeKey(board, "m1-0"), "left pinky home");
    // The inner thumb keys, where the thumbs rest; the right one types space.
    assert.equal(describeKey(board, "m3-1"), "left thumb home");
    assert.equal(describeKey(board, "m7-0"), "right thumb home");
    assert.equal(keyById(board, "m7-0").char, " ");
    assert.equal(describeKey(board, "m3-0"), "left thumb");
  });

  it("keeps rotation and labels of QMK keys", () => {
    const file = {
      keyboard_name: "tilted",
      layouts: {
        LAYOUT: {
          layout: [
            ...[..."QWEIOP", ..."ASDKL;", ..."ZXC,./"].map((label, i) => ({
              matrix: [Math.floor(i / 6), i % 6],
              x: (i % 6) + (i % 6 >= 3 ? 2 : 0),
              y: Math.floor(i / 6),
              label,
            })),
            { matrix: [3, 0], x: 3, y: 3.5, r: 20, rx: 3, ry: 3.5, label: "Space" },
            { matrix: [3, 1], x: 4, y: 3.5, r: -20, rx: 5, ry: 3.5, label: "Enter" },
          ],
        },
      },
    };
    const board = importQmkBoard(file, { id: "tilted" });
    const thumb = keyById(board, "m3-0");
    assert.deepEqual([thumb.r, thumb.rx, thumb.ry, thumb.finger], [20, 3, 3.5, "thumb"]);
    const centre = keyCentre(thumb);
    const a = (20 * Math.PI) / 180;
    assert.ok(Math.abs(centre.x - (3 + 0.5 * Math.cos(a) - 0.5 * Math.sin(a))) < 1e-9);
    assert.ok(Math.abs(centre.y - (3.5 + 0.5 * Math.sin(a) + 0.5 * Math.cos(a))) < 1e-9);
    assert.equal(keyById(board, "m1-0").char, "a");
    assert.equal(keyById(board, "m1-5").char, ";");
    assert.equal(thumb.char, " ", "the label Space types the space");
    assert.equal(keyById(board, "m3-1").char, undefined);
    assert.deepEqual(
      [keyById(board, "m3-1").hand, keyById(board, "m3-1").finger],
      ["right", "thumb"],
    );
  });

  it("rejects files without layouts with IMPORT_QMK_INVALID", () => {
    assertQmkError([1, 2], "IMPORT_QMK_INVALID");
    assertQmkError("keyboard.json", "IMPORT_QMK_INVALID");
    assertQmkError({ keyboard_name: "x" }, "IMPORT_QMK_INVALID", /no `layouts` section/);
    assertQmkError({ layouts: [] }, "IMPORT_QMK_INVALID");
    assertQmkError({ layouts: {} }, "IMPORT_QMK_INVALID", /empty/);
    assertQmkError(
      { layouts: { LAYOUT: { keys: [] } } },
      "IMPORT_QMK_INVALID",
      /layouts\.LAYOUT\.layout/,
    );
  });

  it("rejects broken keys with IMPORT_QMK_INVALID naming the key", () => {
    assertQmkError(
      { layouts: { L: { layout: [{ matrix: [0, 0], y: 0 }] } } },
      "IMPORT_QMK_INVALID",
      /layout\[0\]\.x/,
    );
    assertQmkError({ layouts: { L: { layout: [] } } }, "IMPORT_QMK_INVALID", /no keys/);
    assertQmkError(
      {
        layouts: {
          L: {
            layout: [
              { matrix: [0, 0], x: 0, y: 0 },
              { matrix: [0, 0], x: 1, y: 0 },
            ],
          },
        },
      },
      "IMPORT_QMK_INVALID",
      /matrix position 0-0 is used by two keys/,
    );
  });

  it("names the available layouts when the requested one does not exist", () => {
    assertQmkError(
      fixture("crkbd-rev1"),
      "IMPORT_QMK_LAYOUT_UNKNOWN",
      /no layout "LAYOUT_split_3x7_3"; available: LAYOUT_split_3x5_3, LAYOUT_split_3x6_3 \(aliases: LAYOUT\)/,
      "LAYOUT_split_3x7_3",
    );
  });

  it("lets the user override fingers by matrix id", () => {
    const board = importQmkBoard(fixture("ferris-sweep"), {
      id: "sweep",
      fingers: { "m3-1": "index" },
      homes: ["m3-1"],
    });
    assert.equal(describeKey(board, "m3-1"), "left index home");
    assert.equal(describeKey(board, "m1-3"), "left index", "the inferred index home gave way");
    assert.equal(describeKey(board, "m3-0"), "left thumb home");
  });
});
