import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { HtmlText, htmlToText } from "../../src/core/html-text.ts";

/** Whitespace runs as one space, ends trimmed: how the normaliser will see the text. */
const words = (text: string) => text.replace(/\s+/g, " ").trim();

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Caf&eacute; notes</title>
  <style>p { margin: 0 } /* a <b>style</b> */</style>
  <script>if (a < b && c > d) { document.write("</p>never"); }</script>
</head>
<body>
  <!-- a comment with words that must not count -->
  <h1>Fish &amp; chips</h1>
  <p>Tea at&nbsp;five, <em>not</em> <a href="https://example.com/x?y=1">six</a>.</p>
  <p>Second
     paragraph &lt;here&gt; &#x263A;</p>
  <table><tr><th>Key</th><th>Finger</th></tr><tr><td>a</td><td>pinky</td></tr></table>
  <pre>  indented
  lines</pre>
  <template><p>hidden template</p></template>
  one<br>two
</body>
</html>`;

describe("HTML text", () => {
  it("keeps what a browser shows: no tags, comments, scripts or styles; entities decoded", () => {
    const text = htmlToText(PAGE);
    assert.equal(
      words(text),
      "Café notes Fish & chips Tea at five, not six. Second paragraph <here> ☺ Key Finger a pinky indented lines one two",
    );
    assert.ok(text.includes("at\u00a0five"), "&nbsp; is a no-break space");
    for (const hidden of ["comment", "never", "margin", "document", "hidden", "https", "<b>"]) {
      assert.ok(!text.includes(hidden), `${hidden} is not text`);
    }
  });

  it("keeps blocks apart by a blank line and collapses whitespace as a page does", () => {
    const text = htmlToText("<p>one\n\n\ntwo</p><p>three</p><div>four</div>five<br>six");
    assert.match(text, /one two\n\n+three\n\n+four\n\n+five\nsix/);
  });

  it("keeps the whitespace of <pre> as it is", () => {
    assert.match(htmlToText("<pre>a\n\n  b</pre>"), /a\n\n {2}b/);
  });

  it("gives the same text whatever chunks the document arrives in", () => {
    // A run of spaces split between chunks may come out as two spaces: the normaliser collapses
    // them anyway.
    const spaced = (text: string) => text.replace(/ +/g, " ");
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: PAGE.length - 1 }), { maxLength: 8 }),
        (cuts) => {
          const points = [0, ...new Set(cuts)].sort((a, b) => a - b);
          const parts: string[] = [];
          const sink = (text: string) => parts.push(text);
          const html = new HtmlText();
          for (const [i, start] of points.entries()) {
            html.push(PAGE.slice(start, points[i + 1]), sink);
          }
          html.end(sink);
          assert.equal(spaced(parts.join("")), spaced(htmlToText(PAGE)));
        },
      ),
      { numRuns: 50 },
    );
  });
});
