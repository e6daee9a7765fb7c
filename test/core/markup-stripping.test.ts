import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MarkupStripper, textFormatOf, visibleLength } from "../../src/core/markup-stripping.ts";

function strip(format: "markdown" | "html", chunks: readonly string[]) {
  const stripper = new MarkupStripper(format);
  const parts: string[] = [];
  const sink = (text: string) => parts.push(text);
  for (const chunk of chunks) stripper.push(chunk, sink);
  const beforeEnd = parts.join("");
  stripper.end(sink);
  return {
    text: parts.join("").replace(/\s+/g, " ").trim(),
    beforeEnd,
    stripped: stripper.stripped,
  };
}

describe("markup stripping", () => {
  it("tells the format from the file name, whatever its case", () => {
    assert.equal(textFormatOf("docs/README.md"), "markdown");
    assert.equal(textFormatOf("notes.MARKDOWN"), "markdown");
    assert.equal(textFormatOf("site/index.html"), "html");
    assert.equal(textFormatOf("C:\\site\\old.HTM"), "html");
    for (const plain of ["book.txt", "notes", "md", "archive.md.txt", "dir.md/file"]) {
      assert.equal(textFormatOf(plain), "plain", plain);
    }
  });

  it("counts visible characters: no whitespace or control codes, an astral character once", () => {
    assert.equal(visibleLength(" a\tb\n😀\u00a0\u0007"), 3);
  });

  it("counts the visible characters it takes out of Markdown", () => {
    const { text, stripped } = strip("markdown", ["# Title\n\n| a | b |\n|--|", "--|\n"]);
    assert.equal(text, "Title a b");
    assert.equal(stripped, "#|||".length + "|--|--|".length);
  });

  it("waits for the end of a Markdown document, whose later lines can change earlier ones", () => {
    const { beforeEnd, text } = strip("markdown", ["a | b\n", "--|--\n"]);
    assert.equal(beforeEnd, "");
    assert.equal(text, "a b");
  });

  it("streams HTML and counts its tags as stripped", () => {
    const { text, beforeEnd, stripped } = strip("html", ["<p>Hello <b>wor", "ld</b></p>"]);
    assert.equal(text, "Hello world");
    assert.match(beforeEnd, /Hello/);
    assert.equal(stripped, "<p><b></b></p>".length);
  });
});
