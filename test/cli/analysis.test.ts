import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { KEYFORGE_VERSION } from "../../src/infra/version.ts";
import { analysisDocumentSchema } from "../../src/protocol/analysis-document.ts";
import { assertCleanFailure, runCli } from "../helpers/run-cli.ts";

const work = mkdtempSync(join(tmpdir(), "keyforge-analysis-"));
after(() => rmSync(work, { recursive: true, force: true }));

function json(args: string[]): unknown {
  const result = runCli(args);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

describe("keyforge analyze", () => {
  it("prints a readable report: score, metrics, finger bars, heatmap, worst n-grams", () => {
    const { status, stdout } = runCli(["analyze", "colemak-dh", "--board", "ansi"]);
    assert.equal(status, 0);
    assert.match(stdout, /^score \d+\.\d+ \(lower is better\)$/m);
    assert.match(stdout, /same-finger bigrams \(SFB\)\s+\d+\.\d\d%\s+12\s+\d/);
    assert.match(stdout, /leftIndex\s+\d+\.\d%\s+█+/);
    assert.match(stdout, /key heatmap/);
    assert.match(stdout, /\[ a ]\s*\[ r ]\s*\[ s ]\s*\[ t ]/);
    assert.match(stdout, /worst SFBs: \S+ \d\.\d\d%/);
    assert.match(stdout, /worst redirects: /);
  });

  it("prints one JSON object that follows the documented schema", () => {
    const document = analysisDocumentSchema.parse(
      json(["analyze", "qwerty", "--board", "ansi", "--json"]),
    );
    assert.equal(document.board, "ansi");
    assert.equal(document.corpus, "en");
    assert.equal(document.weights, "balanced");
    const sum = Object.values(document.contributions).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - document.score) < 1e-9, "the contributions add up to the score");
    assert.equal(document.keys.find((k) => k.char === "f")?.finger, "index");
    assert.ok(Math.abs(document.usage.hands.left + document.usage.hands.right - 100) < 1e-9);
  });

  it("reads a layout from standard input and takes weight overrides", () => {
    const text = "q w f p b j l u y ;\na r s t g m n e i o\nz x c d v k h , . /\n";
    const plainRun = runCli(["analyze", "-", "--board", "ortho-3x10", "--json"], { input: text });
    assert.equal(plainRun.status, 0, plainRun.stderr);
    assert.equal(analysisDocumentSchema.parse(JSON.parse(plainRun.stdout)).layout.name, "stdin");
    assertCleanFailure(
      runCli(["analyze", "-", "--board", "ortho-3x10"], { input: "" }),
      /layout stdin is empty/,
    );
    const result = runCli(
      ["analyze", "-", "--board", "ortho-3x10", "--json", "--weight", "sfb=0"],
      { input: text },
    );
    assert.equal(result.status, 0, result.stderr);
    const free = analysisDocumentSchema.parse(JSON.parse(result.stdout));
    assert.equal(free.contributions.sfb, 0);
  });

  it("names the weight overrides in the header, and says what travel and effort are measured in", () => {
    const args = ["analyze", "qwerty", "--board", "corne", "--weight", "sfb=20"];
    const { status, stdout } = runCli([...args, "--weight", "trigramCoverage=0.95"]);
    assert.equal(status, 0);
    assert.match(stdout, /weights balanced with sfb=20, trigramCoverage=0\.95$/m);
    assert.match(stdout, /finger travel per keystroke \(1 u = a key's width\)\s+\d\.\d{3} u\s/);
    assert.match(stdout, /effort per keystroke \(1 = index finger at home\)\s+\d\.\d{3}\s/);
    const compared = runCli(["compare", "qwerty", "graphite", "--weight", "sfb=20"]);
    assert.match(compared.stdout, /^board ansi, corpus en, weights balanced with sfb=20$/m);
  });

  it("explains the hand imbalance by the hands' shares without the thumbs", () => {
    const { stdout } = runCli(["analyze", "qwerty", "--board", "corne"]);
    const imbalance = Number(
      /hand imbalance \(off 50\/50, thumbs left out\)\s+([\d.]+) pts/.exec(stdout)?.[1],
    );
    const shares =
      /without the thumbs \(the hand imbalance\): left ([\d.]+)%, right ([\d.]+)%/.exec(stdout);
    assert.ok(shares, stdout);
    const left = Number(shares[1]);
    assert.ok(Math.abs(Math.abs(left - 50) - imbalance) < 0.06, `${left}% against ${imbalance}`);
    assert.ok(Math.abs(left + Number(shares[2]) - 100) < 0.11);
  });

  it("scores against a blend of corpora given on the command line", () => {
    const single = analysisDocumentSchema.parse(json(["analyze", "qwerty", "--json"]));
    const blend = analysisDocumentSchema.parse(
      json(["analyze", "qwerty", "--corpus", "en:0.3,en:0.7", "--json"]),
    );
    assert.ok(
      Math.abs(single.score - blend.score) < 1e-6,
      "a blend of a corpus with itself scores the same",
    );
    assertCleanFailure(
      runCli(["analyze", "qwerty", "--corpus", "en:0,en:1"]),
      /must be a positive number/,
    );
  });

  it("explains bad input with a message and exit code 1", () => {
    assertCleanFailure(runCli(["analyze", "nope"]), /no built-in layout "nope"/);
    const short = join(work, "short.txt");
    writeFileSync(short, "a b c\nd e f\n");
    assertCleanFailure(runCli(["analyze", short, "--board", "corne"]), /rows of 3\+3 keys/);
    const badToken = join(work, "token.txt");
    writeFileSync(badToken, "q w e r t y u i o ppp\na s d f g h j k l ;\nz x c v b n m , . /\n");
    assertCleanFailure(
      runCli(["analyze", badToken]),
      /"ppp" is not a layout key: it has 3 characters/,
    );
    const badWeights = join(work, "weights.json");
    writeFileSync(
      badWeights,
      JSON.stringify({
        format: "keyforge-weights/1",
        name: "x",
        weights: { sfb: "high" },
        parameters: {},
      }),
    );
    assertCleanFailure(
      runCli(["analyze", "qwerty", "--weights", badWeights]),
      /WEIGHTS_FIELD_INVALID \[weights\.sfb]/,
    );
    writeFileSync(badWeights, "{");
    assertCleanFailure(runCli(["analyze", "qwerty", "--weights", badWeights]), /not valid JSON/);
    assertCleanFailure(runCli(["analyze", "qwerty", "--weight", "sfb"]), /not name=number/);
  });
});

describe("keyforge compare and rank", () => {
  it("compares layouts side by side, and as JSON", () => {
    const { status, stdout } = runCli(["compare", "qwerty", "colemak-dh", "--board", "ansi"]);
    assert.equal(status, 0);
    assert.match(stdout, /^\s+qwerty\s+colemak-dh$/m);
    assert.match(stdout, /^score\s+\d+\.\d+\s+\d+\.\d+$/m);
    const documents = json(["compare", "qwerty", "colemak-dh", "--json"]) as unknown[];
    assert.equal(documents.length, 2);
    for (const document of documents) analysisDocumentSchema.parse(document);
  });

  it("finds several times the SFBs on qwerty that colemak-dh has, and ranks qwerty near the bottom", () => {
    const ranked = json(["rank", "--board", "ansi", "--json"]) as {
      rank: number;
      layout: { name: string };
      metrics: { sfb: number };
    }[];
    const byName = new Map(ranked.map((r) => [r.layout.name, r]));
    const qwerty = byName.get("qwerty");
    const colemakDh = byName.get("colemak-dh");
    assert.ok(qwerty && colemakDh);
    assert.ok(
      qwerty.metrics.sfb > 3 * colemakDh.metrics.sfb,
      `${qwerty.metrics.sfb} vs ${colemakDh.metrics.sfb}`,
    );
    assert.ok(qwerty.rank >= ranked.length - 2, `qwerty ranks ${qwerty.rank} of ${ranked.length}`);
  });

  it("sorts by a metric, best first, and ranks a folder of layout files", () => {
    const bySfb = json(["rank", "--sort", "sfb", "--json"]) as { metrics: { sfb: number } }[];
    const sfbs = bySfb.map((r) => r.metrics.sfb);
    assert.deepEqual(
      sfbs,
      [...sfbs].sort((a, b) => a - b),
    );
    const byRolls = json(["rank", "--sort", "rollIn", "--json"]) as {
      metrics: { rollIn: number };
    }[];
    const rolls = byRolls.map((r) => r.metrics.rollIn);
    assert.deepEqual(
      rolls,
      [...rolls].sort((a, b) => b - a),
      "a rewarded metric ranks highest first",
    );
    const folder = join(work, "mine");
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder);
    writeFileSync(
      join(folder, "a.txt"),
      "q w e r t y u i o p\na s d f g h j k l ;\nz x c v b n m , . /\n",
    );
    writeFileSync(
      join(folder, "b.txt"),
      "q w f p b j l u y ;\na r s t g m n e i o\nz x c d v k h , . /\n",
    );
    const { status, stdout } = runCli(["rank", folder]);
    assert.equal(status, 0);
    assert.match(stdout, /^1\s+b\s/m);
    assert.match(stdout, /^2\s+a\s/m);
    assertCleanFailure(runCli(["rank", "--sort", "beauty"]), /--sort must be one of/);
  });
});

describe("keyforge export", () => {
  it("writes an SVG heatmap, KLE JSON and, for QMK boards, a keymap", () => {
    const svg = runCli(["export", "graphite", "--board", "ferris", "--format", "svg"]);
    assert.equal(svg.status, 0, svg.stderr);
    assert.match(svg.stdout, /<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    // The heading names the corpus and repeats the analysis' figures; every typed key its share.
    const analysis = analysisDocumentSchema.parse(
      json(["analyze", "graphite", "--board", "ferris", "--json"]),
    );
    assert.match(svg.stdout, /<text class="title"[^>]*>graphite on Ferris Sweep 3x5\+2</);
    assert.match(svg.stdout, /<text class="corpus"[^>]*>corpus: English [^<]*\(en\)</);
    assert.ok(
      svg.stdout.includes(`score</tspan> <tspan font-weight="600">${analysis.score.toFixed(3)}<`),
    );
    assert.equal((svg.stdout.match(/class="share"/g) ?? []).length, analysis.keys.length);
    const kle = runCli(["export", "graphite", "--board", "ferris", "--format", "kle"]);
    assert.equal(kle.status, 0, kle.stderr);
    assert.ok(Array.isArray(JSON.parse(kle.stdout)));
    const board = join(work, "crkbd.json");
    const imported = runCli([
      "board",
      "import",
      "qmk",
      "test/fixtures/qmk/crkbd-rev1.keyboard.json",
      "--out",
      board,
    ]);
    assert.equal(imported.status, 0, imported.stderr);
    const out = join(work, "keymap.json");
    const qmk = runCli(["export", "colemak-dh", "--board", board, "--format", "qmk", "--out", out]);
    assert.equal(qmk.status, 0, qmk.stderr);
    const keymap = JSON.parse(readFileSync(out, "utf8"));
    assert.ok(keymap.layers[0].includes("KC_A"));
    assertCleanFailure(
      runCli(["export", "qwerty", "--board", "ansi", "--format", "qmk"]),
      /board import qmk/,
    );
    assertCleanFailure(
      runCli(["export", "qwerty", "--format", "png"]),
      /--format must be one of svg, kle, qmk/,
    );
  });

  it("writes layouts to install on Linux, Windows, macOS and keyboard firmware, naming layout, board, corpus and release", () => {
    const xkb = runCli(["export", "colemak", "--board", "iso", "--format", "xkb"]);
    assert.equal(xkb.status, 0, xkb.stderr);
    assert.match(xkb.stdout, /^\/\/ Layout: colemak$/m);
    assert.match(xkb.stdout, /^\/\/ Board: ISO \(row-staggered\) \(iso\)$/m);
    assert.match(xkb.stdout, /^\/\/ Corpus: English .*\(en\)$/m);
    assert.match(xkb.stdout, new RegExp(`^// Exported by KeyForge ${KEYFORGE_VERSION}$`, "m"));
    assert.match(xkb.stdout, /xkb_symbols "basic"/);
    const klcFile = join(work, "colemak.klc");
    const klc = runCli(["export", "colemak", "--format", "klc", "--out", klcFile]);
    assert.equal(klc.status, 0, klc.stderr);
    assert.match(
      klc.stderr,
      /wrote .*colemak\.klc \(Windows KLC \(MSKLC\); the file's name elsewhere: \w+\.klc\)/,
    );
    const bytes = readFileSync(klcFile);
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe], "UTF-16LE with its byte order mark");
    assert.match(bytes.toString("utf16le"), /\r\nLAYOUT\t?/);
    const mac = runCli(["export", "colemak", "--format", "keylayout-iso"]);
    assert.equal(mac.status, 0, mac.stderr);
    assert.match(mac.stdout, /<keyboard group="126" id="-\d+"/);
    const zmk = runCli(["export", "colemak-dh", "--board", "corne", "--format", "zmk"]);
    assert.equal(zmk.status, 0, zmk.stderr);
    assert.match(zmk.stdout, /^ \* Layout: colemak-dh$/m);
    assert.match(zmk.stdout, /compatible = "zmk,keymap";[\s\S]*&kp Q +&kp W +&kp F/);
    const keymapC = runCli(["export", "colemak-dh", "--board", "ferris", "--format", "qmk-c"]);
    assert.equal(keymapC.status, 0, keymapC.stderr);
    assert.match(keymapC.stdout, /LAYOUT_split_3x5_2\(\s*KC_Q, *KC_W, *KC_F/);
    assertCleanFailure(
      runCli(["export", "colemak-dh", "--board", "ansi", "--format", "zmk"]),
      /board ansi .*ZMK/,
    );
    // QWERTY on ansi, with "!" on the left half of the space bar, which no system has.
    const onThumb = join(work, "thumb.txt");
    writeFileSync(
      onThumb,
      [
        "` 1 2 3 4 5 6 7 8 9 0 - =",
        "q w e r t y u i o p [ ] \\",
        "a s d f g h j k l ; '",
        "z x c v b n m , . /",
        "! \\s",
      ].join("\n"),
    );
    assertCleanFailure(runCli(["export", onThumb, "--format", "xkb"]), /space-l/);
  });
});
