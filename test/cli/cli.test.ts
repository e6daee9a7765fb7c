import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { assertCleanFailure, REPO_ROOT, runCli } from "../helpers/run-cli.ts";

const work = mkdtempSync(join(tmpdir(), "keyforge-cli-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("keyforge boards and board show", () => {
  it("lists the built-in boards", () => {
    const result = runCli(["boards"]);
    assert.equal(result.status, 0, result.stderr);
    for (const id of [
      "ansi",
      "ansi-angle",
      "iso",
      "ortho-3x10",
      "planck",
      "corne",
      "corne-3x5",
      "ferris",
    ]) {
      assert.match(result.stdout, new RegExp(`^${id}\\s`, "m"));
    }
  });

  it("draws corne with fingers and home keys on both halves", () => {
    const { status, stdout } = runCli(["board", "show", "corne"]);
    assert.equal(status, 0);
    assert.match(stdout, /42 keys/);
    for (const home of ["LP*", "LR*", "LM*", "LI*", "RI*", "RM*", "RR*", "RP*", "LT*", "RT*"]) {
      assert.ok(stdout.includes(home), `home key ${home} drawn`);
    }
    const homeRow = stdout.split("\n").find((line) => line.includes("LI*")) ?? "";
    assert.ok(
      homeRow.indexOf("LI*") < homeRow.indexOf("RI*"),
      "left index drawn left of right index",
    );
    assert.match(stdout, /fingers: L\/R = left\/right hand/);
  });

  it("explains an unknown board and a broken board file without a stack trace", () => {
    assertCleanFailure(
      runCli(["board", "show", "nope"]),
      /no built-in board "nope"; built-in: .*corne/,
    );
    const broken = join(work, "broken.json");
    writeFileSync(
      broken,
      JSON.stringify({
        format: "keyforge-board/1",
        name: "x",
        keys: [{ id: "a", x: 0, y: 0, row: 0, col: 0, hand: "up", finger: "index", home: true }],
      }),
    );
    assertCleanFailure(runCli(["board", "show", broken]), /KEY_HAND_UNKNOWN \[a\]/);
    const notJson = join(work, "not.json");
    writeFileSync(notJson, "{ nope");
    assertCleanFailure(runCli(["board", "show", notJson]), /not valid JSON/);
  });

  it("imports a KLE file into a board that shows and validates", () => {
    const out = join(work, "ergodox.json");
    const imported = runCli([
      "board",
      "import",
      "kle",
      "test/fixtures/kle/ergodox.json",
      "--out",
      out,
    ]);
    assert.equal(imported.status, 0, imported.stderr);
    const board = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(board.format, "keyforge-board/1");
    assert.equal(runCli(["board", "show", out]).status, 0);
  });

  it("applies the user's finger overrides from a file, and explains bad ones", () => {
    // The thumbs rest on the middle keys unless told otherwise: here on the inner, tall ones.
    const overrides = join(work, "thumbs.json");
    writeFileSync(overrides, JSON.stringify({ homes: ["m3-5", "m7-5"] }));
    const out = join(work, "corne.json");
    const args = [
      "board",
      "import",
      "qmk",
      "test/fixtures/qmk/crkbd-rev1.keyboard.json",
      "--layout",
      "LAYOUT_split_3x6_3",
    ];
    const result = runCli([...args, "--overrides", overrides, "--out", out]);
    assert.equal(result.status, 0, result.stderr);
    const keys: { id: string; finger: string; home: boolean; char?: string }[] = JSON.parse(
      readFileSync(out, "utf8"),
    ).keys;
    const homes = keys.filter((k) => k.finger === "thumb" && k.home).map((k) => k.id);
    assert.deepEqual(homes.sort(), ["m3-5", "m7-5"]);
    assert.deepEqual(
      keys.filter((k) => k.char === " ").map((k) => k.id),
      ["m7-5"],
      "space goes to the right thumb's home",
    );
    writeFileSync(overrides, JSON.stringify({ fingers: { nope: "index" } }));
    assertCleanFailure(runCli([...args, "--overrides", overrides]), /IMPORT_OPTIONS_INVALID|nope/);
  });

  it("rejects an unknown import format", () => {
    assertCleanFailure(
      runCli(["board", "import", "svg", "test/fixtures/kle/ergodox.json"]),
      /use kle or qmk/,
    );
  });
});

describe("keyforge layouts and layout show", () => {
  it("lists the built-in layouts with their authors", () => {
    const { status, stdout } = runCli(["layouts"]);
    assert.equal(status, 0);
    assert.match(stdout, /^colemak-dh\s+Colemak-DH\s+/m);
    assert.match(stdout, /^dvorak\s+.*Dvorak/m);
  });

  it("draws colemak-dh on ansi with its letters in place and prints the layout text", () => {
    const { status, stdout } = runCli(["layout", "show", "colemak-dh", "--board", "ansi"]);
    assert.equal(status, 0);
    assert.match(stdout, /Colemak-DH by .* on /);
    const homeRow = stdout.split("\n").find((line) => line.includes("[ a ]")) ?? "";
    assert.match(
      homeRow,
      /\[ a ]\s*\[ r ]\s*\[ s ]\s*\[ t ]\s*\[ g ]\s*\[ m ]\s*\[ n ]\s*\[ e ]\s*\[ i ]\s*\[ o ]/,
    );
    assert.match(stdout, /layout text:\n/);
    assert.match(stdout, /^.*a r s t g m n e i o.*$/m);
  });

  it("draws a split board a row per line, thumbs below, without a colour legend when colours are off", () => {
    const { status, stdout } = runCli(["layout", "show", "graphite", "--board", "ferris"]);
    assert.equal(status, 0);
    const drawing = stdout.split("\n\n")[1] ?? "";
    assert.deepEqual(
      drawing.split("\n").map((line) => line.match(/\[[^\]]*\]/g)?.length),
      [10, 10, 10, 4],
    );
    assert.match(
      drawing,
      /\[ n ] \[ r ] \[ t ] \[ s ] \[ g ] {6}\[ y ] \[ h ] \[ a ] \[ e ] \[ i ]/,
    );
    assert.match(drawing, /\[spc]/);
    assert.doesNotMatch(stdout, /colours:/, "NO_COLOR: no colour legend");
    assert.doesNotMatch(runCli(["board", "show", "ferris"]).stdout, /colours:/);
  });

  it("reads a layout from a file and from standard input", () => {
    const text =
      runCli(["layout", "show", "qwerty", "--board", "ortho-3x10"]).stdout.split(
        "layout text:\n",
      )[1] ?? "";
    const file = join(work, "mine.txt");
    writeFileSync(file, text);
    assert.equal(runCli(["layout", "show", file, "--board", "ortho-3x10"]).status, 0);
    const fromStdin = runCli(["layout", "show", "-", "--board", "ortho-3x10"], { input: text });
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    assert.ok(fromStdin.stdout.includes(text.trim()));
  });

  it("explains a layout that does not fit", () => {
    const file = join(work, "short.txt");
    writeFileSync(file, "a b c\n");
    assertCleanFailure(
      runCli(["layout", "show", file, "--board", "corne"]),
      /LAYOUT_SHAPE_MISMATCH|rows of 3 keys/,
    );
  });
});

describe("output into a pipe that closes early", () => {
  it("ends quietly with exit 0, as `keyforge compare ... | head -1` expects", () => {
    const cli = [
      process.execPath,
      "--import",
      import.meta.resolve("tsx"),
      `${REPO_ROOT}src/cli/main.ts`,
    ]
      .map((word) => `'${word}'`)
      .join(" ");
    // `true` exits without reading, so the CLI's first write finds the pipe closed.
    const result = spawnSync(
      "bash",
      ["-c", `${cli} compare qwerty graphite | true; echo "exit \${PIPESTATUS[0]}" >&2`],
      { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
    );
    assert.equal(result.stderr, "exit 0\n");
  });
});
