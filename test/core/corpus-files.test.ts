import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  corpusFiles,
  corpusFilesSchema,
  LISTED_FILES,
  skipReasonText,
} from "../../src/core/corpus-files.ts";

describe("the files a corpus records", () => {
  it("adds up the markup stripped and lists every file of a small build", () => {
    const read = [
      { path: "docs/a.md", characters: 900, markupStripped: 40 },
      { path: "docs/b.txt", characters: 300, markupStripped: 0 },
    ];
    const files = corpusFiles("stripped", read, [{ path: "docs/c.png", reason: "binary" }]);
    assert.deepEqual(files, {
      markup: "stripped",
      markupStripped: 40,
      read: { count: 2, first: read },
      skipped: { count: 1, first: [{ path: "docs/c.png", reason: "binary" }] },
    });
    assert.deepEqual(corpusFilesSchema.parse(files), files);
  });

  it("names only the first files of a big build, and says how many there were", () => {
    const read = Array.from({ length: 5000 }, (_, i) => ({
      path: `books/${String(i).padStart(4, "0")}.txt`,
      characters: 1000,
      markupStripped: 1,
    }));
    const files = corpusFiles("kept", read, []);
    assert.equal(files.read.count, 5000);
    assert.deepEqual(files.read.first, read.slice(0, LISTED_FILES));
    assert.equal(files.markupStripped, 5000, "the total covers every file, listed or not");
    assert.ok(JSON.stringify(files).length < 5000, "a few kilobytes");
  });

  it("explains why a file was skipped, and shows a reason it does not know as it is", () => {
    assert.match(skipReasonText("binary"), /NUL byte/);
    assert.match(skipReasonText("not-utf8"), /not UTF-8/);
    assert.equal(skipReasonText("too-old"), "too-old");
    assert.equal(skipReasonText("toString"), "toString");
  });
});
