import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_NORMALIZATION,
  type NormalizationSettings,
  TextNormalizer,
} from "../../src/core/text-normalization.ts";

function normalize(
  chunks: readonly string[],
  settings: NormalizationSettings = DEFAULT_NORMALIZATION,
): string {
  const normalizer = new TextNormalizer(settings);
  let out = "";
  const sink = (cp: number) => {
    out += String.fromCodePoint(cp);
  };
  for (const chunk of chunks) normalizer.push(chunk, sink);
  normalizer.end(sink);
  return out;
}

describe("text normalisation", () => {
  it("folds case and collapses whitespace runs, trimming the ends", () => {
    assert.equal(normalize(["  Hello,\t\tWORLD \n again  \n"]), "hello, world again");
  });

  it("keeps case when asked", () => {
    assert.equal(
      normalize(["Hello World"], { ...DEFAULT_NORMALIZATION, caseFold: false }),
      "Hello World",
    );
  });

  it("folds typographic quotes, dashes and ellipses to ASCII", () => {
    assert.equal(
      normalize(["\u201cIt\u2019s\u2014well\u2026\u201d \u2018ok\u2019 \u2013 fine"]),
      "\"it's-well...\" 'ok' - fine",
    );
    assert.equal(
      normalize(["\u201cx\u201d"], { ...DEFAULT_NORMALIZATION, foldTypography: false }),
      "\u201cx\u201d",
    );
  });

  it("composes to NFC, also when a combining mark arrives in the next chunk of the same line", () => {
    assert.equal(normalize(["cafe\u0301"]), "caf\u00e9");
    assert.equal(normalize(["cafe", "\u0301 noir\n"]), "caf\u00e9 noir");
  });

  it("turns a blank line into Enter when asked, and into a space by default", () => {
    const text = ["one\ntwo\n\n\nthree\n   \nfour"];
    assert.equal(normalize(text), "one two three four");
    assert.equal(
      normalize(text, { ...DEFAULT_NORMALIZATION, paragraphBreak: "enter" }),
      "one two\nthree\nfour",
    );
  });

  it("drops control and format characters and carriage returns", () => {
    assert.equal(normalize(["\ufeffa\u00adb\u200bc\r\nd\u0007e"]), "abc de");
  });

  it("treats non-breaking and ideographic spaces as spaces", () => {
    assert.equal(normalize(["a\u00a0b\u3000c\u2009d"]), "a b c d");
  });

  it("keeps astral characters whole across chunk boundaries", () => {
    const emoji = "😀";
    assert.equal(normalize(["x", emoji.slice(0, 1), emoji.slice(1), "y"]), `x${emoji}y`);
  });

  it("never joins two documents: end() forgets the pending gap", () => {
    const normalizer = new TextNormalizer();
    const out: number[] = [];
    normalizer.push("one \n\n", (cp) => out.push(cp));
    normalizer.end((cp) => out.push(cp));
    normalizer.push("  two", (cp) => out.push(cp));
    normalizer.end((cp) => out.push(cp));
    assert.equal(String.fromCodePoint(...out), "onetwo");
  });

  it("cuts text without newlines at whitespace without changing it", () => {
    const word = "abcdefgh ";
    const long = word.repeat(300_000);
    assert.equal(normalize([long, long]), `${word.repeat(600_000)}`.trimEnd());
  });
});
