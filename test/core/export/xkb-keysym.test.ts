import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { xkbKeysym } from "../../../src/core/export/xkb-keysym.ts";

describe("the xkb keysym of a character", () => {
  it("is the X11 name for ASCII, and Return and Tab for Enter and Tab", () => {
    for (const [char, keysym] of [
      ["a", "a"],
      ["Z", "Z"],
      ["7", "7"],
      [" ", "space"],
      ["~", "asciitilde"],
      ["\\", "backslash"],
      ["\n", "Return"],
      ["\t", "Tab"],
    ]) {
      assert.equal(xkbKeysym(char as string), keysym, JSON.stringify(char));
    }
  });

  it("is U and the code point's hex digits for any other character, beyond the BMP too", () => {
    assert.equal(xkbKeysym("é"), "U00E9");
    assert.equal(xkbKeysym("€"), "U20AC");
    assert.equal(xkbKeysym("😀"), "U1F600");
    assert.equal(xkbKeysym("\u{10FFFF}"), "U10FFFF");
  });

  it("is none for control characters, lone surrogates and more than one character", () => {
    for (const char of ["\u0000", "\r", "\u007f", "\u0085", "\ud800", "ab", "e\u0301", ""]) {
      assert.equal(xkbKeysym(char), undefined, JSON.stringify(char));
    }
  });
});
