import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  defaultShifted,
  explicitShifted,
  resolveShifted,
  US_SHIFT_PAIRS,
} from "../../src/core/shift-layer.ts";

const US = {};
const UK = { shiftPairs: { "2": '"', "3": "£", "'": "@", "`": "¬", "#": "~" } };

describe("the Shift layer's defaults", () => {
  it("gives a letter its capital by Unicode's case mapping", () => {
    for (const [letter, capital] of [
      ["a", "A"],
      ["z", "Z"],
      ["é", "É"],
      ["ø", "Ø"],
      ["ω", "Ω"],
      ["я", "Я"],
      ["ß", "ẞ"],
      ["i", "I"],
      ["ı", "I"],
    ]) {
      assert.equal(defaultShifted(letter as string, US), capital, letter);
    }
    assert.equal(defaultShifted("A", US), null, "a capital has no Shift character");
    assert.equal(defaultShifted("ŉ", US), null, "an upper case of two characters is none");
  });

  it("pairs the US keys' punctuation and digits, and the board's own pairs before them", () => {
    assert.equal(Object.keys(US_SHIFT_PAIRS).length, 21);
    assert.equal(defaultShifted("/", US), "?");
    assert.equal(defaultShifted("1", US), "!");
    assert.equal(defaultShifted("'", US), '"');
    assert.equal(defaultShifted("'", UK), "@");
    assert.equal(defaultShifted("2", UK), '"');
    assert.equal(defaultShifted("#", US), null);
    assert.equal(defaultShifted("#", UK), "~");
    assert.equal(defaultShifted("€", US), null);
    assert.equal(defaultShifted(" ", US), " ", "space types a space with Shift too");
    assert.deepEqual(resolveShifted([" ", "\n"], undefined, US), [" ", "\n"]);
  });

  it("leaves out a default the layout has elsewhere, and keeps explicit settings as they are", () => {
    assert.deepEqual(resolveShifted(["a", "A", ";", ":", "/"], undefined, US), [
      null,
      null,
      null,
      null,
      "?",
    ]);
    assert.deepEqual(resolveShifted(["a", ";", "/"], [undefined, "?", undefined], US), [
      "A",
      "?",
      null,
    ]);
    assert.deepEqual(resolveShifted(["a", null], [null, undefined], US), [null, null]);
  });

  it("finds the explicit part of a layer again, none when it is all defaults", () => {
    const chars = ["a", ";", "/"];
    assert.equal(explicitShifted(chars, ["A", ":", "?"], US), undefined);
    assert.deepEqual(explicitShifted(chars, ["A", "?", null], US), [undefined, "?", null]);
    const explicit = [undefined, "!", null];
    const layer = resolveShifted(chars, explicit, US);
    assert.deepEqual(resolveShifted(chars, explicitShifted(chars, layer, US), US), layer);
  });
});
