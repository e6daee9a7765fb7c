import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DEFAULT_NORMALIZATION } from "../../src/core/text-normalization.ts";
import { countTextFiles, rootName } from "../../src/infra/corpus-counting.ts";

const work = mkdtempSync(join(tmpdir(), "keyforge-corpus-counting-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** A folder of notes: Markdown, HTML, plain text, a binary file, a Latin-1 file, a hidden one. */
function notesFolder(): string {
  const notes = join(work, "notes");
  mkdirSync(join(notes, "web"), { recursive: true });
  writeFileSync(join(notes, "guide.md"), "# Guide\n\n| a | b |\n|---|---|\n| c | d |\n");
  writeFileSync(join(notes, "web", "page.html"), "<p>Hello <b>there</b></p>");
  writeFileSync(join(notes, "plain.txt"), "# not a heading");
  writeFileSync(join(notes, "logo.png"), Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0, 1));
  writeFileSync(join(notes, "latin1.txt"), Uint8Array.of(0x63, 0x61, 0x66, 0xe9));
  writeFileSync(join(notes, ".hidden.txt"), "secret");
  return notes;
}

describe("counting text files", () => {
  it("names files from the folder given, its own name first, in reading order", async () => {
    const notes = notesFolder();
    const result = await countTextFiles([notes], DEFAULT_NORMALIZATION);
    assert.deepEqual(
      result.files.map((f) => f.name),
      [
        "notes/guide.md",
        "notes/latin1.txt",
        "notes/logo.png",
        "notes/plain.txt",
        "notes/web/page.html",
      ],
    );
    assert.equal(rootName(join(notes, "guide.md")), "guide.md");
    assert.equal(rootName(`${notes}/`), "notes");
  });

  it("strips Markdown and HTML markup, and says how much each file gave and lost", async () => {
    const result = await countTextFiles([notesFolder()], DEFAULT_NORMALIZATION);
    const counted = Object.fromEntries(
      result.counted.map((c) => [c.file.name, [c.characters, c.markupStripped]]),
    );
    assert.deepEqual(counted, {
      "notes/guide.md": ["guide a b c d".length, "#||||---|---||||".length],
      "notes/plain.txt": ["# not a heading".length, 0],
      "notes/web/page.html": ["hello there".length, "<p><b></b></p>".length],
    });
    assert.equal(result.tables.bigrams["||"], undefined);
    assert.equal(result.tables.monograms["#"], 1, "only the plain file's");
  });

  it("skips binary files and files that are not UTF-8, saying why", async () => {
    const result = await countTextFiles([notesFolder()], DEFAULT_NORMALIZATION);
    assert.deepEqual(
      result.skipped.map((s) => [s.file.name, s.reason]),
      [
        ["notes/latin1.txt", "not-utf8"],
        ["notes/logo.png", "binary"],
      ],
    );
    assert.equal(result.tables.monograms["\ufffd"], undefined);
  });

  it("reads a character split between two chunks of a big file as UTF-8", async () => {
    const big = join(work, "big.txt");
    // The 1 MiB chunk ends between the two bytes of "é".
    writeFileSync(big, `${"a".repeat((1 << 20) - 1)}é and more`);
    const result = await countTextFiles([big], DEFAULT_NORMALIZATION);
    assert.deepEqual(result.skipped, []);
    assert.equal(result.tables.monograms["é"], 1);
  });

  it("counts markup as text when asked to keep it", async () => {
    const result = await countTextFiles([notesFolder()], DEFAULT_NORMALIZATION, {
      keepMarkup: true,
    });
    assert.ok((result.tables.bigrams["||"] ?? 0) === 0 && (result.tables.bigrams["--"] ?? 0) > 0);
    assert.ok(result.counted.every((c) => c.markupStripped === 0));
  });
});
