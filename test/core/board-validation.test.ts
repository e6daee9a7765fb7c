import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { boardProblems, parseBoard } from "../../src/core/board-validation.ts";
import { KeyForgeError } from "../../src/core/errors.ts";
import { boardCentreDistance } from "../helpers/geometry.ts";
import { gridBoardData } from "../helpers/grid-board.ts";

type KeyData = Record<string, unknown>;

function withKey(index: number, change: (key: KeyData) => void): unknown {
  const data = gridBoardData();
  change(data.keys[index] as KeyData);
  return data;
}

function codes(data: unknown): string[] {
  return boardProblems(data).map((p) => p.code);
}

describe("board validation", () => {
  it("accepts a valid board and fills defaults", () => {
    const board = parseBoard(gridBoardData(), "grid");
    assert.equal(board.id, "grid");
    assert.equal(board.keys.length, 32);
    assert.deepEqual([board.keys[0]?.w, board.keys[0]?.h, board.keys[0]?.r], [1, 1, 0]);
    assert.equal(boardCentreDistance(board, "r1c0", "r1c1"), 1);
  });

  it("rejects a missing or wrong format tag", () => {
    assert.deepEqual(codes({ ...gridBoardData(), format: "kle" }), ["BOARD_FORMAT_UNSUPPORTED"]);
    const { format: _f, ...noFormat } = gridBoardData();
    assert.deepEqual(codes(noFormat), ["BOARD_FORMAT_UNSUPPORTED"]);
  });

  it("rejects non-objects and boards without keys", () => {
    assert.ok(codes(null).length > 0);
    assert.ok(codes("board").length > 0);
    assert.deepEqual(codes({ ...gridBoardData(), keys: [] }), ["BOARD_NO_KEYS"]);
  });

  it("names the key with a duplicate id", () => {
    const problems = boardProblems(
      withKey(30, (k) => {
        k.id = "r0c0";
      }),
    );
    assert.deepEqual(
      problems.map((p) => [p.code, p.subject]),
      [["KEY_ID_DUPLICATE", "r0c0"]],
    );
  });

  it("reports missing and unknown hands and fingers with the key id", () => {
    const problems = [
      ...boardProblems(
        withKey(0, (k) => {
          delete k.hand;
        }),
      ),
      ...boardProblems(
        withKey(0, (k) => {
          k.hand = "middle";
        }),
      ),
      ...boardProblems(
        withKey(0, (k) => {
          delete k.finger;
        }),
      ),
      ...boardProblems(
        withKey(0, (k) => {
          k.finger = "toe";
        }),
      ),
    ];
    assert.deepEqual(
      problems.map((p) => [p.code, p.subject]),
      [
        ["KEY_HAND_MISSING", "r0c0"],
        ["KEY_HAND_UNKNOWN", "r0c0"],
        ["KEY_FINGER_MISSING", "r0c0"],
        ["KEY_FINGER_UNKNOWN", "r0c0"],
      ],
    );
  });

  it("rejects non-finite, missing and absurd coordinates", () => {
    assert.deepEqual(
      codes(
        withKey(2, (k) => {
          k.x = Number.NaN;
        }),
      ),
      ["KEY_COORDINATE_INVALID"],
    );
    assert.deepEqual(
      codes(
        withKey(2, (k) => {
          k.y = Number.POSITIVE_INFINITY;
        }),
      ),
      ["KEY_COORDINATE_INVALID"],
    );
    assert.deepEqual(
      codes(
        withKey(2, (k) => {
          delete k.y;
        }),
      ),
      ["KEY_COORDINATE_INVALID"],
    );
    assert.deepEqual(
      codes(
        withKey(2, (k) => {
          k.x = "3";
        }),
      ),
      ["KEY_COORDINATE_INVALID"],
    );
    assert.deepEqual(
      codes(
        withKey(2, (k) => {
          k.x = 1905;
        }),
      ),
      ["KEY_COORDINATE_ABSURD"],
    );
    assert.deepEqual(
      codes(
        withKey(2, (k) => {
          k.rx = -500;
        }),
      ),
      ["KEY_COORDINATE_ABSURD"],
    );
  });

  it("rejects absurd key sizes and rotations", () => {
    assert.deepEqual(
      codes(
        withKey(3, (k) => {
          k.w = 0;
        }),
      ),
      ["KEY_SIZE_INVALID"],
    );
    assert.deepEqual(
      codes(
        withKey(3, (k) => {
          k.h = 40;
        }),
      ),
      ["KEY_SIZE_INVALID"],
    );
    assert.deepEqual(
      codes(
        withKey(3, (k) => {
          k.r = 720;
        }),
      ),
      ["KEY_FIELD_INVALID"],
    );
    assert.deepEqual(
      codes(
        withKey(3, (k) => {
          k.row = 1.5;
        }),
      ),
      ["KEY_FIELD_INVALID"],
    );
    assert.deepEqual(
      codes(
        withKey(3, (k) => {
          k.char = "ab";
        }),
      ),
      ["KEY_FIELD_INVALID"],
    );
    assert.deepEqual(
      codes(
        withKey(3, (k) => {
          k.effort = -1;
        }),
      ),
      ["KEY_FIELD_INVALID"],
    );
  });

  it("requires exactly one home key per finger that has keys", () => {
    const noHome = boardProblems(
      withKey(10, (k) => {
        k.home = false;
      }),
    );
    assert.deepEqual(
      noHome.map((p) => [p.code, p.subject]),
      [["FINGER_WITHOUT_HOME", "left pinky"]],
    );
    const twoHomes = boardProblems(
      withKey(0, (k) => {
        k.home = true;
      }),
    );
    assert.deepEqual(
      twoHomes.map((p) => [p.code, p.subject]),
      [["FINGER_MULTIPLE_HOMES", "left pinky"]],
    );
  });

  it("detects overlapping keys, also when rotated, but lets keys touch", () => {
    assert.deepEqual(
      codes(
        withKey(1, (k) => {
          k.x = 0.5;
        }),
      ),
      ["KEY_OVERLAP"],
    );
    // Rotating a key by 45 degrees about its own centre makes its corners reach into its neighbours.
    assert.deepEqual(
      codes(
        withKey(11, (k) => {
          k.r = 45;
          k.rx = 1.5;
          k.ry = 1.5;
        }),
      ),
      ["KEY_OVERLAP", "KEY_OVERLAP", "KEY_OVERLAP", "KEY_OVERLAP"],
    );
    // A whole row rotated about one origin stays clear of itself.
    const data = gridBoardData();
    for (const key of data.keys.filter((k) => k.row === 3))
      Object.assign(key, { y: (key.y as number) + 0.5, r: 15, rx: 5, ry: 4.2 });
    assert.deepEqual(codes(data), []);
  });

  it("checks the letter block's key ids", () => {
    const data = gridBoardData();
    (data.letterBlock[0] as string[])[0] = "nope";
    (data.letterBlock[1] as string[])[1] = "r1c0";
    assert.deepEqual(codes(data), ["LETTER_BLOCK_UNKNOWN_KEY", "LETTER_BLOCK_DUPLICATE_KEY"]);
    assert.deepEqual(codes({ ...gridBoardData(), letterBlock: [["r0c0"]] }), [
      "BOARD_FIELD_INVALID",
      "BOARD_FIELD_INVALID",
    ]);
  });

  it("names unknown (misspelt) fields instead of dropping them", () => {
    const problems = boardProblems(
      withKey(4, (k) => {
        k.fnger = "index";
      }),
    );
    assert.deepEqual(
      problems.map((p) => [p.code, p.subject]),
      [["KEY_FIELD_UNKNOWN", "r0c4"]],
    );
    assert.deepEqual(codes({ ...gridBoardData(), colour: "red" }), ["BOARD_FIELD_UNKNOWN"]);
  });

  it("accepts where a QMK import came from and checks its fields", () => {
    const qmk = { keyboard: "crkbd/rev1", layout: "LAYOUT_split_3x5_3", keys: ["r0c0"] };
    assert.deepEqual(parseBoard({ ...gridBoardData(), qmk }, "grid").qmk, qmk);
    const { keys: _keys, ...withoutKeys } = qmk;
    assert.deepEqual(codes({ ...gridBoardData(), qmk: withoutKeys }), []);
    assert.deepEqual(
      boardProblems({ ...gridBoardData(), qmk: { keyboard: "", layout: "LAYOUT" } }).map((p) => [
        p.code,
        p.subject,
      ]),
      [["BOARD_FIELD_INVALID", "qmk.keyboard"]],
    );
    assert.deepEqual(codes({ ...gridBoardData(), qmk: { ...qmk, keymap: "x" } }), [
      "BOARD_FIELD_UNKNOWN",
    ]);
  });

  it("accepts the ZMK shield a board is and checks its fields", () => {
    const zmk = { shield: "corne", keys: ["r0c0", "r0c1"] };
    assert.deepEqual(parseBoard({ ...gridBoardData(), zmk }, "grid").zmk, zmk);
    assert.deepEqual(codes({ ...gridBoardData(), zmk: { shield: "cradio" } }), []);
    assert.deepEqual(
      boardProblems({ ...gridBoardData(), zmk: { shield: "" } }).map((p) => [p.code, p.subject]),
      [["BOARD_FIELD_INVALID", "zmk.shield"]],
    );
    assert.deepEqual(codes({ ...gridBoardData(), zmk: { shield: "corne", keys: [] } }), [
      "BOARD_FIELD_INVALID",
    ]);
    assert.deepEqual(codes({ ...gridBoardData(), zmk: { ...zmk, board: "nice_nano_v2" } }), [
      "BOARD_FIELD_UNKNOWN",
    ]);
  });

  it("rejects a key list entry that is not an object", () => {
    const data = gridBoardData();
    (data.keys as unknown[])[3] = null;
    assert.deepEqual(
      boardProblems(data).map((p) => [p.code, p.subject]),
      [["KEY_FIELD_INVALID", "keys[3]"]],
    );
  });

  it("rejects a character on two keys", () => {
    const problems = boardProblems(
      withKey(30, (k) => {
        k.char = " ";
      }),
    );
    assert.deepEqual(
      problems.map((p) => [p.code, p.subject]),
      [["KEY_CHAR_DUPLICATE", "tr"]],
    );
  });

  it("reports every problem at once and throws BOARD_INVALID", () => {
    const data = gridBoardData();
    (data.keys[0] as KeyData).finger = "toe";
    (data.keys[5] as KeyData).hand = "up";
    assert.throws(
      () => parseBoard(data, "broken"),
      (error: unknown) =>
        error instanceof KeyForgeError &&
        error.code === "BOARD_INVALID" &&
        error.problems.length === 2 &&
        /r0c0/.test(error.message) &&
        /r0c5/.test(error.message),
    );
  });
});
