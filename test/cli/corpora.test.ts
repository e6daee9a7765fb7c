import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { corpusDocument } from "../../src/core/corpus.ts";
import { corpusOf, ENOUGH_TEXT } from "../helpers/corpus.ts";
import { assertCleanFailure, REPO_ROOT, runCli } from "../helpers/run-cli.ts";

const work = mkdtempSync(join(tmpdir(), "keyforge-corpora-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** The corpus file `corpus build` wrote, as JSON. */
const corpusFile = (path: string) => JSON.parse(readFileSync(path, "utf8"));

/** The n most frequent bigrams of a corpus file. */
function topBigrams(path: string, n = 12): string[] {
  const { bigrams } = corpusFile(path) as { bigrams: Record<string, number> };
  return Object.entries(bigrams)
    .sort(([, a], [, b]) => b - a)
    .slice(0, n)
    .map(([gram]) => gram);
}

function build(paths: readonly string[], out: string, ...flags: string[]) {
  return runCli(["corpus", "build", ...paths, "--name", "Mine", "--out", out, ...flags]);
}

/** A too-small corpus file, as an older KeyForge could write. */
function tinyCorpusFile(): string {
  const path = join(work, "tiny.json");
  writeFileSync(path, JSON.stringify(corpusDocument(corpusOf("tiny", "Hello there."))));
  return path;
}

const TOO_SMALL =
  /corpus tiny is too small to score layouts: 12 characters, 11 bigrams; a corpus needs at least 1,000 bigrams/;

describe("keyforge corpora, corpus info, build and blend", () => {
  it("shows the default English corpus as a user expects", () => {
    const { status, stdout } = runCli(["corpus", "info", "en"]);
    assert.equal(status, 0);
    assert.match(stdout, /sources:/);
    assert.match(stdout, /licence: /);
    assert.match(stdout, /monograms\s+[\d,]+\s+\d+/);
    assert.match(stdout, /top characters: ␣ /);
    assert.match(stdout, /top bigrams: .* th \d/);
    assert.doesNotMatch(stdout, /files read/, "a corpus not built from files lists none");
  });

  it("builds a corpus from files and directories, then blends it", () => {
    writeFileSync(join(work, "a.txt"), `Hello, wörld! 😀\n\nSecond paragraph. ${ENOUGH_TEXT}`);
    const out = join(work, "mine.json");
    const built = build([join(work, "a.txt")], out, "--paragraphs", "enter");
    assert.equal(built.status, 0, built.stderr);
    const corpus = corpusFile(out);
    assert.equal(corpus.monograms["😀"], 1);
    assert.equal(corpus.monograms["\n"], 1);
    assert.equal(corpus.normalization.paragraphBreak, "enter");
    const info = runCli(["corpus", "info", out]);
    assert.equal(info.status, 0);
    const blendOut = join(work, "mix.json");
    const blended = runCli([
      "corpus",
      "blend",
      `${out}:1`,
      `${out}:3`,
      "--name",
      "Mix",
      "--out",
      blendOut,
    ]);
    assert.equal(blended.status, 0, blended.stderr);
  });

  it("strips the markup of the docs folder: no -- or | pairs among the top bigrams", () => {
    const out = join(work, "docs.json");
    const built = runCli(["corpus", "build", "docs", "--name", "my-docs", "--out", out], {
      cwd: REPO_ROOT,
    });
    assert.equal(built.status, 0, built.stderr);
    assert.match(built.stderr, /docs: \d+ files read \([\d,]+ characters of markup stripped\)/);
    const top = topBigrams(out);
    for (const gram of top) assert.doesNotMatch(gram, /-|\|/, `top bigrams: ${top.join(" ")}`);
    assert.ok(top.includes("th"), "prose is what remains");

    const raw = join(work, "docs-raw.json");
    assert.equal(build(["docs"], raw, "--keep-markup").status, 0);
    assert.ok(topBigrams(raw).includes("--"), "--keep-markup counts the markup");
    assert.equal(corpusFile(raw).sources[0].files.markup, "kept");
  });

  it("reads tables, fences, links and HTML as a reader sees them, and records every file", () => {
    const notes = join(work, "notes");
    mkdirSync(join(notes, "site"), { recursive: true });
    writeFileSync(
      join(notes, "guide.md"),
      [
        "# Guide",
        "",
        "| key | finger |",
        "| --- | ------ |",
        "| a   | pinky  |",
        "",
        "```sh",
        "keyforge corpus build -- --x",
        "```",
        "",
        "Read [the manual](https://example.com/manual) and `npm test`. ![logo](logo.png)",
        "",
        ENOUGH_TEXT,
      ].join("\n"),
    );
    writeFileSync(
      join(notes, "site", "index.html"),
      "<html><head><style>p{x:1}</style><script>var y = 1;</script></head>" +
        "<body><!-- note --><p>Fish &amp; chips</p></body></html>",
    );
    writeFileSync(join(notes, "logo.png"), Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0));
    const out = join(work, "notes.json");
    const built = build([notes], out);
    assert.equal(built.status, 0, built.stderr);
    assert.match(built.stderr, /skipped notes\/logo\.png: not text/);

    const corpus = corpusFile(out);
    for (const gone of ["||", "--", "](", "ht", "<p", "p{", "va", "`n", "{x"]) {
      assert.equal(corpus.bigrams[gone], undefined, `${gone} is markup, not text`);
    }
    for (const kept of ["fi", "& ", "ma", "np"]) {
      assert.ok(corpus.bigrams[kept] > 0, `${kept} is text`);
    }
    const files = corpus.sources[0].files;
    assert.equal(files.markup, "stripped");
    assert.deepEqual(
      files.read.first.map((f: { path: string }) => f.path),
      ["notes/guide.md", "notes/site/index.html"],
    );
    assert.deepEqual(files.skipped, {
      count: 1,
      first: [{ path: "notes/logo.png", reason: "binary" }],
    });
    assert.ok(files.markupStripped > 100);

    const info = runCli(["corpus", "info", out]);
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /2 files read \([\d,]+ characters of markup stripped\), 1 skipped/);
    assert.match(info.stdout, /files read for Mine:\n\s+file\s+characters\s+markup stripped\n/);
    assert.match(info.stdout, /notes\/guide\.md\s+1,1\d\d\s+\d+/);
    assert.match(info.stdout, /notes\/site\/index\.html\s+12\s+\d+/);
    assert.match(info.stdout, /files skipped for Mine:\n\s+notes\/logo\.png: not text/);
  });

  it("refuses to build a corpus from too little text, saying how much it found", () => {
    const note = join(work, "note.md");
    writeFileSync(note, "# Hello\n\n| a | b |\n|---|---|\n");
    const out = join(work, "note.json");
    const result = build([note], out);
    assertCleanFailure(
      result,
      /the text read from note\.md is too small to score layouts: 9 characters, 8 bigrams; a corpus needs at least 1,000 bigrams/,
    );
    assert.match(
      result.stderr,
      /note\.md: 1 file read \(\d+ characters of markup stripped\), 0 skipped/,
    );
    assert.equal(existsSync(out), false, "nothing written");
  });

  it("refuses a corpus file too small to score layouts wherever it is read", () => {
    const tiny = tinyCorpusFile();
    assertCleanFailure(runCli(["analyze", "qwerty", "--corpus", tiny]), TOO_SMALL);
    assertCleanFailure(runCli(["optimize", "--corpus", tiny, "--steps", "10000"]), TOO_SMALL);
    assertCleanFailure(runCli(["analyze", "qwerty", "--corpus", `en:0.9,${tiny}:0.1`]), TOO_SMALL);
    assertCleanFailure(
      runCli(["corpus", "blend", "en", tiny, "--name", "x", "--out", join(work, "x.json")]),
      TOO_SMALL,
    );
    assertCleanFailure(runCli(["corpus", "info", tiny]), TOO_SMALL);
  });

  it("explains missing input and bad flags", () => {
    assertCleanFailure(
      build([join(work, "missing")], join(work, "x.json")),
      /no such file or directory/,
    );
    assertCleanFailure(
      build([work], join(work, "x.json"), "--paragraphs", "tab"),
      /--paragraphs must be space or enter/,
    );
    assertCleanFailure(runCli(["corpus", "info", "klingon"]), /no built-in corpus "klingon"/);
  });
});
