import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseBoard } from "../../src/core/board-validation.ts";
import { KeyForgeError } from "../../src/core/errors.ts";
import {
  checkedLayout,
  formatLayout,
  formatToken,
  layoutFromText,
  parseKeyToken,
  parseLayout,
  placeLetterBlock,
  rearrangedLayout,
  shiftedLayer,
} from "../../src/core/layout.ts";
import { layoutOnBoard, parseLayoutDefinition } from "../../src/core/layout-definition.ts";
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
    const charOf = (token: string) => parseKeyToken(token).char;
    assert.equal(charOf("_"), null);
    assert.equal(charOf("\\_"), "_");
    assert.equal(charOf("\\s"), " ");
    assert.equal(charOf("\\n"), "\n");
    assert.equal(charOf("\\t"), "\t");
    assert.equal(charOf("\\"), "\\");
    assert.equal(charOf("😀"), "😀");
    assert.equal(charOf("é"), "é");
    assert.deepEqual(parseKeyToken("q"), { char: "q" }, "one character: the default Shift");
  });

  it("reads a second character as the key's Shift character, _ second as none", () => {
    assert.deepEqual(parseKeyToken(";:"), { char: ";", shifted: ":" });
    assert.deepEqual(parseKeyToken("ß?"), { char: "ß", shifted: "?" });
    assert.deepEqual(parseKeyToken("i\u0130".replace("\\u0130", "\u0130")), {
      char: "i",
      shifted: "\u0130",
    });
    assert.deepEqual(parseKeyToken("-\\_"), { char: "-", shifted: "_" });
    assert.deepEqual(parseKeyToken("\\s\\_"), { char: " ", shifted: "_" });
    assert.deepEqual(parseKeyToken("'_"), { char: "'", shifted: null });
    assert.deepEqual(parseKeyToken("😀😁"), { char: "😀", shifted: "😁" });
    for (const bad of ["abc", "_a", "__", "a\\s\\n"]) {
      assert.equal(
        codeOf(() => parseKeyToken(bad)),
        "LAYOUT_TOKEN_INVALID",
        bad,
      );
    }
    assert.throws(() => parseKeyToken("_a"), /an unused key has no Shift character/);
  });

  it("keeps a Shift layer only where it differs from the defaults, and prints it back", () => {
    const custom = "q w e r t y u i o p\na s d f g h j k l ;\nz x c v b n m ,! .> /_\n_ \\s\n";
    const layout = parseLayout(custom, board, "custom");
    const shifted = shiftedLayer(layout, board);
    assert.deepEqual(shifted.slice(0, 3), ["Q", "W", "E"], "letters: capitals");
    assert.equal(shifted[19], ":", "; keeps its default");
    assert.deepEqual(shifted.slice(27, 32), ["!", ">", null, null, " "], "space: itself");
    assert.equal(
      formatLayout(layout, board),
      custom.replace(".>", "."),
      "a default is not written",
    );
    assert.deepEqual(parseLayout(formatLayout(layout, board), board, "custom"), layout);
    assert.equal(parseLayout(QWERTY_TEXT, board, "qwerty").shifted, undefined, "no layer");
    const explicitDefaults = QWERTY_TEXT.replace(";", ";:").replace("q", "qQ");
    assert.deepEqual(
      parseLayout(explicitDefaults, board, "qwerty"),
      parseLayout(QWERTY_TEXT, board, "qwerty"),
    );
  });

  it("moves each key's Shift character with its character when the characters are rearranged", () => {
    const custom = parseLayout(QWERTY_TEXT.replace(";", ";!"), board, "custom");
    const semicolon = custom.chars.indexOf(";");
    const chars = [...custom.chars];
    [chars[0], chars[semicolon]] = [chars[semicolon] ?? null, chars[0] ?? null];
    const moved = rearrangedLayout(custom, chars, board, "moved");
    assert.equal(moved.name, "moved");
    const shifted = shiftedLayer(moved, board);
    assert.equal(shifted[0], "!", "; took its Shift character along");
    assert.equal(shifted[semicolon], "Q");
    assert.deepEqual(rearrangedLayout(custom, custom.chars, board), custom);
  });

  it("reads Shift characters in a layout definition's letter block", () => {
    const definition = parseLayoutDefinition(
      {
        format: "keyforge-layout/1",
        name: "pairs",
        author: "test",
        letterBlock: ["q w e r t y u i o p", "a s d f g h j k l ;!", "z x c v b n m ,_ .: /?"],
      },
      "pairs",
    );
    const shifted = shiftedLayer(layoutOnBoard(definition, board), board);
    assert.deepEqual([shifted[19], shifted[27], shifted[28], shifted[29]], ["!", null, ":", "?"]);
    assert.throws(
      () => layoutOnBoard({ ...definition, shiftedBlock: [[], [], ["q"]] }, board),
      /"q" is already on key r0c0/,
    );
  });

  it("rejects a character on both layers, naming both keys", () => {
    const text = QWERTY_TEXT.replace(",", ",w");
    assert.throws(
      () => parseLayout(text, board, "twice"),
      (e: unknown) =>
        e instanceof KeyForgeError &&
        e.code === "LAYOUT_INVALID" &&
        e.problems.length === 1 &&
        e.problems[0]?.code === "LAYOUT_DUPLICATE_CHAR" &&
        e.problems[0]?.subject === "r2c7 with Shift" &&
        /"w" is already on key r0c1/.test(e.problems[0]?.message ?? ""),
    );
    const layout = parseLayout(QWERTY_TEXT, board, "qwerty");
    const onUnused = layout.chars.map((char) => (char === null ? "x" : undefined));
    assert.throws(
      () => checkedLayout("x", board, [...layout.chars], onUnused),
      (e: unknown) =>
        e instanceof KeyForgeError && e.problems[0]?.code === "LAYOUT_SHIFT_WITHOUT_CHAR",
    );
    const shiftedTwice = QWERTY_TEXT.replace(",", ",!").replace(".", ".!");
    assert.throws(
      () => parseLayout(shiftedTwice, board, "twice"),
      /"!" is already on key r2c7 with Shift/,
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
        fc.constantFrom(" ", "\n", "\t", "_", "\\", "'", ";", "~", ":", "A", "a", "ß", "ẞ"),
        fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
        fc.integer({ min: 0xa1, max: 0x2fff }).map((cp) => String.fromCodePoint(cp)),
        fc.integer({ min: 0x1f300, max: 0x1faff }).map((cp) => String.fromCodePoint(cp)),
      )
      .filter((c) => !/^\s$/u.test(c) || c === " " || c === "\n" || c === "\t");
    /** 32 keys: a character or none; a Shift character set, none set (null), or the default. */
    const layouts = fc.uniqueArray(character, { minLength: 64, maxLength: 64 }).chain((pool) =>
      fc
        .array(fc.constantFrom("char", "unused", "char+shift", "char+none"), {
          minLength: 32,
          maxLength: 32,
        })
        .map((kinds) => ({
          chars: kinds.map((kind, i) => (kind === "unused" ? null : (pool[i] as string))),
          explicit: kinds.map((kind, i) =>
            kind === "char+shift"
              ? (pool[32 + i] as string)
              : kind === "char+none"
                ? null
                : undefined,
          ),
        })),
    );
    fc.assert(
      fc.property(layouts, ({ chars, explicit }) => {
        const layout = checkedLayout("p", board, chars, explicit);
        const text = formatLayout(layout, board);
        const parsed = parseLayout(text, board, "p");
        assert.deepEqual(parsed, layout);
        assert.equal(formatLayout(parsed, board), text);
        const shifted = shiftedLayer(parsed, board);
        explicit.forEach((set, i) => {
          if (set !== undefined)
            assert.equal(shifted[i], set, `key ${i} keeps its Shift character`);
        });
        const others = shifted.filter((c, i) => c !== chars[i]);
        const all = [...chars, ...others].filter((c) => c !== null);
        assert.equal(new Set(all).size, all.length, "no character twice (but a key's own)");
      }),
      { numRuns: 300 },
    );
  });

  it("prints every token so it parses back to the same character", () => {
    for (const c of [" ", "\n", "\t", "_", "\\", "a", "😀", null])
      assert.deepEqual(parseKeyToken(formatToken(c)), { char: c });
  });
});
