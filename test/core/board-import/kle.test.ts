import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Serial } from "@ijprest/kle-serial";
import { type Board, boardRows, type Key, keyCentre, type Point } from "../../../src/core/board.ts";
import { importKleBoard, placeKleKeys } from "../../../src/core/board-import/kle.ts";
import { KeyForgeError } from "../../../src/core/errors.ts";

function fixture(name: string): unknown {
  const url = new URL(`../../fixtures/kle/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8"));
}

function importFixture(name: string): Board {
  return importKleBoard(fixture(name), { id: name });
}

function keyById(board: Board, id: string): Key {
  const key = board.keys.find((k) => k.id === id);
  assert.ok(key, `no key ${id}`);
  return key;
}

function keyByChar(board: Board, char: string): Key {
  const key = board.keys.find((k) => k.char === char);
  assert.ok(key, `no key carries ${JSON.stringify(char)}`);
  return key;
}

/** Centre of a key placed at (x, y), size w x h, turned r degrees clockwise about (rx, ry). */
function expectedCentre(
  x: number,
  y: number,
  w: number,
  h: number,
  r: number,
  rx: number,
  ry: number,
): Point {
  const a = (r * Math.PI) / 180;
  const dx = x + w / 2 - rx;
  const dy = y + h / 2 - ry;
  return {
    x: rx + dx * Math.cos(a) - dy * Math.sin(a),
    y: ry + dx * Math.sin(a) + dy * Math.cos(a),
  };
}

function assertNear(actual: Point, expected: Point, what: string): void {
  assert.ok(
    Math.abs(actual.x - expected.x) < 1e-6 && Math.abs(actual.y - expected.y) < 1e-6,
    `${what}: expected (${expected.x}, ${expected.y}), got (${actual.x}, ${actual.y})`,
  );
}

/** Where the published kle-serial puts the n-th key of the file (decals included). */
function rawSerialKey(data: unknown, index: number): { x: number; y: number } {
  const key = Serial.deserialize(data as unknown[]).keys[index];
  assert.ok(key);
  return { x: key.x, y: key.y };
}

function countBy<T>(items: readonly T[], name: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[name(item)] = (counts[name(item)] ?? 0) + 1;
  return counts;
}

function assertKleError(data: unknown, problemCode?: string): void {
  assert.throws(
    () => importKleBoard(data, { id: "broken" }),
    (error: unknown) => {
      assert.ok(error instanceof KeyForgeError, `expected a KeyForgeError, got ${String(error)}`);
      assert.equal(error.code, "IMPORT_KLE_INVALID");
      if (problemCode)
        assert.ok(
          error.problems.some((p) => p.code === problemCode),
          error.message,
        );
      return true;
    },
  );
}

describe("importKleBoard", () => {
  it("imports every key of each real layout (decals and ghost keys aside)", () => {
    const expected: Record<string, number> = {
      "ansi-104": 104,
      "iso-105": 105,
      "standard-60": 61,
      planck: 47,
      jd40: 40,
      ergodox: 76,
      "kinesis-advantage": 86,
      atreus: 42,
    };
    for (const [name, count] of Object.entries(expected)) {
      const board = importFixture(name);
      assert.equal(board.keys.length, count, name);
      assert.equal(board.id, name);
      assert.deepEqual(
        board.keys.map((k) => k.id).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))),
        Array.from({ length: count }, (_, i) => `k${i}`),
        `${name}: ids are k0..k${count - 1} in file order`,
      );
    }
  });

  it("puts F and J of a full-size board on different hands, both index home keys", () => {
    const board = importFixture("ansi-104");
    const f = keyByChar(board, "f");
    const j = keyByChar(board, "j");
    assert.deepEqual([f.hand, f.finger, f.home], ["left", "index", true]);
    assert.deepEqual([j.hand, j.finger, j.home], ["right", "index", true]);
  });

  it("assigns the touch-typing fingers to the home row and the rows around it", () => {
    const board = importFixture("ansi-104");
    const fingerOf = (chars: string) =>
      [...chars].map((c) => {
        const k = keyByChar(board, c);
        return `${k.hand[0]}-${k.finger}`;
      });
    assert.deepEqual(fingerOf("asdfg"), ["l-pinky", "l-ring", "l-middle", "l-index", "l-index"]);
    assert.deepEqual(fingerOf("hjkl;"), ["r-index", "r-index", "r-middle", "r-ring", "r-pinky"]);
    assert.deepEqual(fingerOf("qwert"), fingerOf("asdfg"));
    assert.deepEqual(fingerOf("zxcvb"), fingerOf("asdfg"));
    assert.deepEqual(fingerOf("yuiop"), fingerOf("hjkl;"));
    assert.deepEqual(fingerOf("nm,./"), fingerOf("hjkl;"));
    assert.deepEqual(fingerOf("12345"), fingerOf("asdfg"));
    assert.deepEqual(
      board.keys.filter((k) => k.home && k.finger !== "thumb").map((k) => k.char),
      [..."asdfjkl;"],
    );
    // Caps Lock, Enter and the numeric keypad are further out than the pinky column.
    assert.equal(keyById(board, "k58").finger, "pinky");
    assert.equal(keyByChar(board, "9").hand, "right");
  });

  it("makes the space bar the thumb's home and leaves Ctrl and Win to the pinkies", () => {
    const board = importFixture("ansi-104");
    const bottom = boardRows(board).at(-1) ?? [];
    const space = bottom.reduce((a, b) => (b.w > a.w ? b : a));
    assert.deepEqual([space.hand, space.finger, space.home], ["right", "thumb", true]);
    assert.equal(space.char, " ", "layouts type the space on it");
    assert.equal(board.keys.filter((k) => k.char === " ").length, 1);
    const leftCtrl = bottom[0] as Key;
    assert.deepEqual([leftCtrl.hand, leftCtrl.finger], ["left", "pinky"]);
  });

  it("finds the 3x10 letter block of row-staggered, ortholinear and split boards", () => {
    for (const name of [
      "ansi-104",
      "iso-105",
      "standard-60",
      "planck",
      "ergodox",
      "kinesis-advantage",
      "atreus",
    ]) {
      const board = importFixture(name);
      assert.ok(board.letterBlock, `${name} has a letter block`);
      const chars = board.letterBlock.map((row) =>
        row.map((id) => keyById(board, id).char ?? "?").join(""),
      );
      assert.deepEqual(chars, ["qwertyuiop", "asdfghjkl;", "zxcvbnm,./"], name);
    }
  });

  it("leaves out the letter block when the home row has no ten letter keys (JD40 has Enter there)", () => {
    assert.equal(importFixture("jd40").letterBlock, undefined);
  });

  it("turns single legends into characters, letters lower-cased, and keeps the unshifted one of a pair", () => {
    const board = importFixture("ansi-104");
    assert.equal(keyById(board, "k38").char, "q");
    assert.equal(keyByChar(board, "1").id, "k17", "!/1 types 1");
    assert.equal(keyByChar(board, "'").id, "k69");
    assert.equal(keyById(board, "k0").char, undefined, "Esc is not a character");
    // Numpad 5 repeats the 5 of the number row: only the key nearer the home row keeps it.
    assert.equal(board.keys.filter((k) => k.char === "5").length, 1);
    assert.equal(keyByChar(board, "5").id, "k21");
    assert.equal(keyByChar(board, "/").row, keyByChar(board, "z").row);
  });

  it("splits ErgoDox, Kinesis and Atreus into equal halves with index home keys on F and J", () => {
    for (const [name, half] of [
      ["ergodox", 38],
      ["kinesis-advantage", 43],
      ["atreus", 21],
    ] as const) {
      const board = importFixture(name);
      assert.deepEqual(
        countBy(board.keys, (k) => k.hand),
        { left: half, right: half },
        name,
      );
      const f = keyByChar(board, "f");
      const j = keyByChar(board, "j");
      assert.deepEqual([f.hand, f.finger, f.home], ["left", "index", true], name);
      assert.deepEqual([j.hand, j.finger, j.home], ["right", "index", true], name);
      const thumbs = board.keys.filter((k) => k.finger === "thumb");
      assert.ok(thumbs.length >= 2, `${name} has thumb keys`);
      assert.ok(
        thumbs.every((k) => k.r !== 0),
        `${name}: its thumb keys are the rotated ones`,
      );
      assert.equal(thumbs.filter((k) => k.home).length, 2, `${name}: one thumb home per hand`);
    }
  });

  it("places ErgoDox thumb clusters where the editor draws them, unlike raw kle-serial", () => {
    const data = fixture("ergodox");
    const board = importKleBoard(data, { id: "ergodox" });
    // Row {r:30, rx:6.5, ry:4.25, y:-1, x:1}: the cursor restarts at (6.5, 4.25), then moves by (1, -1).
    const left = keyById(board, "k64");
    assert.deepEqual([left.x, left.y, left.r, left.rx, left.ry], [7.5, 3.25, 30, 6.5, 4.25]);
    assertNear(keyCentre(left), expectedCentre(7.5, 3.25, 1, 1, 30, 6.5, 4.25), "left thumb key");
    assert.deepEqual(
      rawSerialKey(data, 64),
      { x: 1, y: 4.375 },
      "kle-serial 0.15.1 puts it 6.5u left",
    );
    // Row {r:-30, rx:13, y:-1, x:-3}: only rx given, so y restarts at the last ry (4.25).
    const right = keyById(board, "k70");
    assert.deepEqual([right.x, right.y, right.r], [10, 3.25, -30]);
    assertNear(keyCentre(right), expectedCentre(10, 3.25, 1, 1, -30, 13, 4.25), "right thumb key");
    assert.deepEqual(rawSerialKey(data, 70), { x: 3.5, y: 6.375 });
    // The two clusters mirror each other about the board's middle.
    const middle = (keyCentre(keyById(board, "k65")).x + keyCentre(right).x) / 2;
    assert.ok(Math.abs(middle - 9.75) < 1e-9);
    assert.ok(Math.abs(keyCentre(keyById(board, "k65")).y - keyCentre(right).y) < 1e-9);
  });

  it("places Kinesis Advantage thumb keys where the editor draws them, unlike raw kle-serial", () => {
    const data = fixture("kinesis-advantage");
    const board = importKleBoard(data, { id: "kinesis" });
    const ctrl = keyById(board, "k74");
    assert.deepEqual([ctrl.x, ctrl.y, ctrl.r, ctrl.rx, ctrl.ry], [6.75, 4, 15, 5.25, 4]);
    assertNear(keyCentre(ctrl), expectedCentre(6.75, 4, 1, 1, 15, 5.25, 4), "left Ctrl");
    assert.deepEqual(rawSerialKey(data, 74), { x: 1.5, y: 6.25 });
    const cmd = keyById(board, "k80");
    assert.deepEqual([cmd.x, cmd.y, cmd.r], [9.25, 4, -15]);
    assertNear(keyCentre(cmd), expectedCentre(9.25, 4, 1, 1, -15, 12.75, 4), "right Cmd");
    assert.deepEqual(rawSerialKey(data, 80), { x: 1.75, y: 9.25 });
    assert.equal(keyById(board, "k84").char, " ", "the key labelled Space types the space");
    const backspace = keyById(board, "k76");
    assert.deepEqual([backspace.hand, backspace.finger, backspace.h], ["left", "thumb", 2]);
  });

  it("rests the thumbs on the big cluster keys next to the letter block; the right one types space", () => {
    // ErgoDox: Backspace and Space in the usual keymaps; Kinesis Advantage: Backspace and Space
    // by their legends. Not the small keys at the cluster's top, which are nearer the index home.
    for (const [name, left, right] of [
      ["ergodox", "k66", "k74"],
      ["kinesis-advantage", "k76", "k84"],
    ] as const) {
      const board = importFixture(name);
      const homes = board.keys.filter((k) => k.finger === "thumb" && k.home);
      assert.deepEqual(
        homes.map((k) => [k.id, k.hand, k.h]),
        [
          [left, "left", 2],
          [right, "right", 2],
        ],
        name,
      );
      assert.deepEqual(
        board.keys.filter((k) => k.char === " ").map((k) => k.id),
        [right],
        name,
      );
    }
  });

  it("places both rotated Atreus halves where the editor draws them, unlike raw kle-serial", () => {
    const data = fixture("atreus");
    const board = importKleBoard(data, { id: "atreus" });
    const q = keyByChar(board, "q");
    assert.deepEqual([q.x, q.y, q.r, q.rx, q.ry], [1, 0.5, 10, 1, 0]);
    assertNear(keyCentre(q), expectedCentre(1, 0.5, 1, 1, 10, 1, 0), "Q");
    assert.deepEqual(rawSerialKey(data, 0), { x: 0, y: 0.5 });
    const y = keyByChar(board, "y");
    assert.deepEqual([y.x, y.y, y.r, y.rx, y.ry], [7, 1.465, -10, 7, 0.965]);
    assertNear(keyCentre(y), expectedCentre(7, 1.465, 1, 1, -10, 7, 0.965), "Y");
    assert.deepEqual(rawSerialKey(data, 21), { x: 1, y: 4.35 });
    // The two halves mirror each other: Q and P, A and ; sit at the same height.
    for (const [l, r] of [
      ["q", "p"],
      ["a", ";"],
      ["z", "/"],
    ] as const) {
      const dy = keyCentre(keyByChar(board, l)).y - keyCentre(keyByChar(board, r)).y;
      assert.ok(Math.abs(dy) < 0.01, `${l} and ${r} at one height (${dy})`);
    }
    const ctrl = keyById(board, "k20");
    const alt = keyById(board, "k36");
    assert.deepEqual(
      [ctrl.hand, ctrl.finger, alt.hand, alt.finger],
      ["left", "thumb", "right", "thumb"],
    );
  });

  it("restarts a row at the rotation origin as the editor does (kle-serial issue #7)", () => {
    const { keys } = placeKleKeys([["a"], [{ r: 30, rx: 1, x: 1 }, "b", "c"]]);
    assert.deepEqual(
      keys.map((k) => [k.x, k.y, k.r, k.rx, k.ry]),
      [
        [0, 0, 0, 0, 0],
        [2, 0, 30, 1, 0],
        [3, 0, 30, 1, 0],
      ],
    );
    // Only rx: y restarts at the last ry given. Only r: nothing restarts.
    const later = placeKleKeys([
      [{ r: 10, rx: 1, ry: 2 }, "a"],
      [{ r: 20, rx: 5 }, "b"],
      [{ r: 5 }, "c"],
      ["d"],
    ]).keys;
    assert.deepEqual(
      later.map((k) => [k.x, k.y]),
      [
        [1, 2],
        [5, 2],
        [5, 3],
        [5, 4],
      ],
    );
  });

  it("skips decals and ghost keys", () => {
    const { keys } = placeKleKeys([
      ["a", { d: true }, "label", "b", { g: true }, "ghost", "ghost 2", { g: false }, "c"],
    ]);
    assert.deepEqual(
      keys.map((k) => [k.id, k.char, k.x]),
      [
        ["k0", "a", 0],
        ["k1", "b", 2],
        ["k2", "c", 5],
      ],
    );
  });

  it("reads the metadata first element and the { meta, keys } object form", () => {
    const rows = [["Q", "W", "E"]];
    const named = importKleBoard([{ name: "Tiny pad", author: "me" }, ...rows], { id: "tiny" });
    assert.equal(named.name, "Tiny pad");
    const wrapped = importKleBoard({ meta: { name: "Wrapped" }, keys: rows }, { id: "tiny" });
    assert.equal(wrapped.name, "Wrapped");
    assert.deepEqual(
      wrapped.keys.map((k) => k.char),
      ["q", "w", "e"],
    );
    assert.equal(importKleBoard(rows, { id: "tiny", name: "Mine" }).name, "Mine");
    assert.equal(importKleBoard(rows, { id: "tiny" }).name, "tiny");
  });

  it("rejects malformed raw data with IMPORT_KLE_INVALID and says what is wrong", () => {
    assertKleError({ rows: [] });
    assertKleError('["Esc"]');
    assertKleError(null);
    assertKleError([["a"], "b"], "KLE_ROW_INVALID");
    assertKleError([["a"], { name: "late metadata" }], "KLE_ROW_INVALID");
    assertKleError([["a", 5]], "KLE_ITEM_INVALID");
    assertKleError([["a", null]], "KLE_ITEM_INVALID");
    assertKleError([[{ x: "1" }, "a"]], "KLE_PROPERTY_INVALID");
    assertKleError([["a", { r: 10 }, "b"]], "KLE_ROTATION_MISPLACED");
    assertKleError([]);
    assertKleError([[{ d: true }, "only a decal"]]);
    try {
      importKleBoard([["a"], 7], { id: "broken" });
      assert.fail("expected an error");
    } catch (error) {
      assert.ok(error instanceof KeyForgeError);
      assert.match(error.message, /rows\[1\]/);
      assert.match(error.message, /must be an array of keys/);
    }
  });

  it("fails with BOARD_INVALID, naming the keys, when the drawing has overlapping keys", () => {
    assert.throws(
      () => importKleBoard([["a", { x: -0.5 }, "b"]], { id: "overlap" }),
      (error: unknown) =>
        error instanceof KeyForgeError &&
        error.code === "BOARD_INVALID" &&
        error.problems.some((p) => p.code === "KEY_OVERLAP" && p.subject === "k0"),
    );
  });

  it("applies the user's overrides after inference", () => {
    const data = fixture("ansi-104");
    const plain = importKleBoard(data, { id: "ansi" });
    const six = keyByChar(plain, "6");
    assert.deepEqual([six.hand, six.finger], ["right", "index"]);
    assert.deepEqual([keyById(plain, "k93").finger, keyById(plain, "k93").home], ["thumb", true]);
    const moved = importKleBoard(data, {
      id: "ansi",
      hands: { [six.id]: "left" },
      fingers: { k93: "pinky" },
      homes: ["k92"],
    });
    assert.deepEqual(
      [keyById(moved, six.id).hand, keyById(moved, six.id).finger],
      ["left", "index"],
    );
    assert.deepEqual([keyById(moved, "k93").finger, keyById(moved, "k93").home], ["pinky", false]);
    assert.equal(keyById(moved, "k92").home, true, "Win is now the left pinky's home");
    assert.equal(keyByChar(moved, "a").home, false);
    assert.equal(
      moved.keys.filter((k) => k.hand === "left" && k.finger === "thumb").length,
      0,
      "the left hand has no thumb key left",
    );
  });

  it("reports overrides that name unknown keys or leave a finger with two homes", () => {
    const data = fixture("ansi-104");
    assert.throws(
      () => importKleBoard(data, { id: "ansi", fingers: { k999: "ring" } }),
      (error: unknown) =>
        error instanceof KeyForgeError &&
        error.code === "IMPORT_OPTIONS_INVALID" &&
        error.problems.some(
          (p) => p.code === "IMPORT_OPTION_UNKNOWN_KEY" && p.subject === "fingers.k999",
        ),
    );
    assert.throws(
      () => importKleBoard(data, { id: "ansi", homes: ["k59", "k74"] }),
      (error: unknown) =>
        error instanceof KeyForgeError &&
        error.code === "BOARD_INVALID" &&
        error.problems.some(
          (p) => p.code === "FINGER_MULTIPLE_HOMES" && p.subject === "left pinky",
        ),
    );
  });
});
