import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseBoard } from "../../src/core/board-validation.ts";
import { KeyForgeError } from "../../src/core/errors.ts";
import {
  formatLayout,
  formatToken,
  layoutFromText,
  parseLayout,
  parseToken,
  placeLetterBlock,
} from "../../src/core/layout.ts";
import { gridBoardData } from "../helpers/grid-board.ts";

const board = parseBoard(gridBoardData(), "grid");

const QWERTY_TEXT = "q w e r t y u i o p\na s d f g h j k l ;\nz x c v b n m , . /\n_ \\s\n";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeyForgeError) return error.code;
    throw error;
  }
  return "no error";
}

describe("layout text", () => {
  it("parses one line per board row and prints the same text back", () => {
    const layout = parseLayout(QWERTY_TEXT, board, "qwerty");
    assert.equal(layout.chars[0], "q");
    assert.equal(layout.chars[30], null);
    assert.equal(layout.chars[31], " ");
    assert.equal(formatLayout(layout, board), QWERTY_TEXT);
  });

  it("accepts any whitespace between keys and ignores blank lines", () => {
    const messy =
      "\n  q w e r t   y u i o p\r\n\ta s d f g h j k l ;\n\nz x c v b n m , . /\n_\t\\s";
    assert.equal(formatLayout(parseLayout(messy, board, "qwerty"), board), QWERTY_TEXT);
  });

  it("has tokens for unused keys and characters that whitespace would hide", () => {
    assert.equal(parseToken("_"), null);
    assert.equal(parseToken("\\_"), "_");
    assert.equal(parseToken("\\s"), " ");
    assert.equal(parseToken("\\n"), "\n");
    assert.equal(parseToken("\\t"), "\t");
    assert.equal(parseToken("\\"), "\\");
    assert.equal(parseToken("😀"), "😀");
    assert.equal(parseToken("é"), "é");
    assert.equal(
      codeOf(() => parseToken("ab")),
      "LAYOUT_TOKEN_INVALID",
    );
  });

  it("rejects text whose rows do not fit the board, saying both shapes", () => {
    assert.throws(
      () => parseLayout("q w e\na s d\n", board, "short"),
      (e: unknown) =>
        e instanceof KeyForgeError &&
        e.code === "LAYOUT_SHAPE_MISMATCH" &&
        /3\+3/.test(e.message) &&
        /10\+10\+10\+2/.test(e.message),
    );
  });

  it("rejects a character on two keys, naming both keys", () => {
    const text = QWERTY_TEXT.replace("w", "q");
    assert.throws(
      () => parseLayout(text, board, "twice"),
      (e: unknown) =>
        e instanceof KeyForgeError &&
        e.code === "LAYOUT_INVALID" &&
        /r0c1/.test(e.message) &&
        /r0c0/.test(e.message),
    );
  });

  it("places a 3x10 letter block on a board and keeps the board's own characters", () => {
    const block = [[..."qwertyuiop"], [..."asdfghjkl;"], [..."zxcvbnm,./"]];
    const layout = placeLetterBlock(block, board, "qwerty");
    assert.deepEqual(layout.chars.slice(10, 20), [..."asdfghjkl;"]);
    assert.equal(layout.chars[31], " ");
    const usesSpace = placeLetterBlock(
      [[..."qwertyuiop"], [..."asdfghjkl "], [..."zxcvbnm,./"]],
      board,
      "odd",
    );
    assert.equal(
      usesSpace.chars[31],
      null,
      "the board's space is dropped when the block already has it",
    );
  });

  it("reads the 3x10 form on a board with more rows", () => {
    const layout = layoutFromText(
      "q w e r t y u i o p\na s d f g h j k l ;\nz x c v b n m , . /\n",
      board,
      "q",
    );
    assert.equal(formatLayout(layout, board), QWERTY_TEXT);
  });

  it("says when a board has no letter block", () => {
    const { letterBlock: _block, ...noBlock } = gridBoardData();
    const plain = parseBoard(noBlock, "plain");
    assert.equal(
      codeOf(() => placeLetterBlock([[]], plain, "x")),
      "BOARD_HAS_NO_LETTER_BLOCK",
    );
  });

  it("round-trips any layout: parse(print(layout)) is the layout, print is stable", () => {
    const character = fc
      .oneof(
        fc.constantFrom(" ", "\n", "\t", "_", "\\", "'", ";", "~"),
        fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
        fc.integer({ min: 0xa1, max: 0x2fff }).map((cp) => String.fromCodePoint(cp)),
        fc.integer({ min: 0x1f300, max: 0x1faff }).map((cp) => String.fromCodePoint(cp)),
      )
      .filter((c) => !/^\s$/u.test(c) || c === " " || c === "\n" || c === "\t");
    const layouts = fc
      .uniqueArray(character, { minLength: 32, maxLength: 32 })
      .chain((chars) =>
        fc
          .array(fc.boolean(), { minLength: 32, maxLength: 32 })
          .map((unused) => chars.map((c, i) => (unused[i] ? null : c))),
      );
    fc.assert(
      fc.property(layouts, (chars) => {
        const text = formatLayout({ name: "p", boardId: board.id, chars }, board);
        const parsed = parseLayout(text, board, "p");
        assert.deepEqual(parsed.chars, chars);
        assert.equal(formatLayout(parsed, board), text);
      }),
      { numRuns: 300 },
    );
  });

  it("prints every token so it parses back to the same character", () => {
    for (const c of [" ", "\n", "\t", "_", "\\", "a", "😀", null])
      assert.equal(parseToken(formatToken(c)), c);
  });
});
