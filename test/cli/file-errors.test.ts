import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { assertCleanFailure, runCli } from "../helpers/run-cli.ts";

const work = mkdtempSync(join(tmpdir(), "keyforge-files-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("files the user names", () => {
  it("an --out in a folder that does not exist is refused with the folder named", () => {
    const out = join(work, "no-such-folder", "graphite.svg");
    const result = runCli([
      "export",
      "graphite",
      "--board",
      "ferris",
      "--format",
      "svg",
      "--out",
      out,
    ]);
    assertCleanFailure(
      result,
      /cannot write .*graphite\.svg: the folder .*no-such-folder does not exist/,
    );
    assert.equal(result.stdout, "");
  });

  it("a long run refuses an --out it could not write before it starts, not after", () => {
    const out = join(work, "no-such-folder", "found.txt");
    const optimized = runCli([
      "optimize",
      "--board",
      "ortho-3x10",
      "--steps",
      "20000",
      "--out",
      out,
    ]);
    assertCleanFailure(
      optimized,
      /cannot write .*found\.txt: the folder .*no-such-folder does not exist/,
    );
    assert.doesNotMatch(optimized.stderr, /optimizing on/);
    const built = runCli([
      "corpus",
      "build",
      "docs",
      "--name",
      "docs",
      "--out",
      join(work, "no-such-folder", "docs.json"),
    ]);
    assertCleanFailure(
      built,
      /cannot write .*docs\.json: the folder .*no-such-folder does not exist/,
    );
    assert.doesNotMatch(built.stderr, /files read/);
  });

  it("an --out that is a folder, or read-only, says so", () => {
    assertCleanFailure(
      runCli(["export", "graphite", "--board", "ferris", "--format", "kle", "--out", work]),
      /cannot write .*: it is a folder/,
    );
    if (process.getuid?.() === 0) return; // root writes anywhere
    const locked = join(work, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    assertCleanFailure(
      runCli([
        "board",
        "import",
        "kle",
        "test/fixtures/kle/planck.json",
        "--out",
        join(locked, "p.json"),
      ]),
      /cannot write .*: permission denied/,
    );
  });

  it("a keyboard-layout-editor or QMK file passed as a board says to import it first", () => {
    assertCleanFailure(
      runCli(["analyze", "qwerty", "--board", "test/fixtures/kle/ergodox.json"]),
      /is keyboard-layout-editor raw data, not a KeyForge board: import it first \(keyforge board import kle /,
    );
    assertCleanFailure(
      runCli([
        "layout",
        "show",
        "qwerty",
        "--board",
        "test/fixtures/qmk/ferris-sweep.keyboard.json",
      ]),
      /is a QMK keyboard definition, not a KeyForge board: import it first \(keyforge board import qmk /,
    );
  });

  it("a board that is a folder or missing names the path", () => {
    assertCleanFailure(runCli(["board", "show", work]), /cannot read .*: it is a folder/);
    assertCleanFailure(
      runCli(["board", "show", join(work, "gone.json")]),
      /cannot read .*gone\.json: no such file/,
    );
  });
});
