import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { markdownToText } from "../../src/core/markdown-text.ts";

/** Whitespace runs as one space, ends trimmed: how the normaliser will see the text. */
const words = (markdown: string) => markdownToText(markdown).replace(/\s+/g, " ").trim();

describe("Markdown text", () => {
  it("drops table rules and cell pipes, keeps the cells' words", () => {
    const table = [
      "| metric | weight |",
      "| ------ | -----: |",
      "| `sfb`  | 10     |",
      "| a \\| b | **5**  |",
    ].join("\n");
    assert.equal(words(table), "metric weight sfb 10 a | b 5");
  });

  it("drops fenced and indented code blocks", () => {
    const text = [
      "Run this:",
      "",
      "```sh",
      "keyforge corpus build docs -- --name x",
      "```",
      "",
      "~~~",
      "tilde fence",
      "~~~",
      "",
      "    indented code --flag",
      "",
      "Done.",
    ].join("\n");
    assert.equal(words(text), "Run this: Done.");
  });

  it("keeps link text and inline code, drops link targets, URLs and images", () => {
    const text =
      "See [the docs](https://example.com/docs 'title') and [ref][r], `npm test`, " +
      "![a diagram](diagram.png) <https://example.com> https://bare.example.com.\n\n" +
      "[r]: https://example.com/ref";
    assert.equal(words(text), "See the docs and ref, npm test, .");
  });

  it("drops heading marks, emphasis, list and quote markers, task boxes, rules and front matter", () => {
    const text = [
      "---",
      "title: Front matter",
      "---",
      "# Heading *one*",
      "",
      "Setext heading",
      "==============",
      "",
      "Some **bold**, _italic_ and ~~struck~~ words; a\\*literal\\* star.",
      "",
      "- [x] done",
      "- item",
      "  1. nested",
      "",
      "> quoted **text**",
      "",
      "***",
    ].join("\n");
    assert.equal(
      words(text),
      "Heading one Setext heading Some bold, italic and struck words; a*literal* star. done item nested quoted text",
    );
  });

  it("keeps the text of HTML in Markdown, drops its tags and comments, decodes entities", () => {
    const text = [
      "Press <kbd>Ctrl</kbd>+<kbd>C</kbd> &amp; go<br>on.",
      "",
      "<!-- a note to editors -->",
      "<details><summary>More</summary>",
      "",
      "Hidden &mdash; not really.",
      "",
      "</details>",
      "",
      "Code keeps entities as typed: `&amp;`.",
    ].join("\n");
    assert.equal(
      words(text),
      "Press Ctrl+C & go on. More Hidden — not really. Code keeps entities as typed: &amp;.",
    );
  });

  it("ends every block with a blank line, so paragraph breaks survive", () => {
    assert.match(
      markdownToText("# Title\n\nOne\ntwo.\n\n- a\n- b"),
      /Title\n\n+One\ntwo\.\n\n+a\n\n+b/,
    );
  });
});
