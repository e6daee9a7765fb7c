import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { analysisDocumentSchema } from "../../src/protocol/analysis-document.ts";
import { assertCleanFailure, interruptCli, runCli } from "../helpers/run-cli.ts";

const work = mkdtempSync(join(tmpdir(), "keyforge-optimize-"));
after(() => rmSync(work, { recursive: true, force: true }));

const QUICK = ["--board", "ortho-3x10", "--steps", "40000", "--threads", "2", "--seed", "3"];

describe("keyforge optimize", () => {
  it("finds a better layout, reports it like analyze, and writes it to --out", () => {
    const out = join(work, "best.txt");
    const result = runCli(["optimize", ...QUICK, "--out", out]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^score \d+\.\d+ \(lower is better\)$/m);
    assert.match(result.stdout, /start score \d+\.\d+ → best \d+\.\d+ \(-\d+\.\d%\)/);
    assert.match(result.stdout, /the same seed, steps and threads reproduce this result/);
    const text = readFileSync(out, "utf8");
    assert.equal(text.split("\n").filter(Boolean).length, 4, "layout text, one line per board row");
    const analysed = runCli(["analyze", out, "--board", "ortho-3x10", "--json"]);
    assert.equal(analysed.status, 0, analysed.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `score ${analysisDocumentSchema.parse(JSON.parse(analysed.stdout)).score.toFixed(3)}`,
      ),
    );
  });

  it("prints JSON, and the same seed gives the same layout", () => {
    const run = () => {
      const result = runCli(["optimize", ...QUICK, "--json"]);
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout);
    };
    const first = run();
    const second = run();
    analysisDocumentSchema.parse(first.best);
    assert.equal(first.best.layout.text, second.best.layout.text);
    assert.equal(first.run.reproducible, true);
    assert.equal(first.run.steps, 40000);
    assert.ok(first.best.score < first.start.score);
    assert.ok(first.top.length >= 1);
  });

  it("keeps pinned characters and the keys outside the letter block where they were", () => {
    const result = runCli([
      "optimize",
      ...QUICK,
      "--from",
      "colemak-dh",
      "--pin",
      "arst",
      "--json",
    ]);
    assert.equal(result.status, 0, result.stderr);
    const lines = JSON.parse(result.stdout).best.layout.text.split("\n");
    assert.match(lines[1], /^a r s t /, "pinned home row stays");
    assert.equal(lines[3], "_ \\s", "thumb keys untouched");
  });

  it("moves only --place characters", () => {
    const result = runCli([
      "optimize",
      ...QUICK,
      "--from",
      "qwerty",
      "--place",
      "etaoin",
      "--json",
    ]);
    assert.equal(result.status, 0, result.stderr);
    const text: string = JSON.parse(result.stdout).best.layout.text;
    for (const fixed of "qwrpsdfghjklzxcvbm,./;") {
      const row = ["qwertyuiop", "asdfghjkl;", "zxcvbnm,./"].findIndex((r) => r.includes(fixed));
      assert.ok(text.split("\n")[row]?.includes(fixed), `${fixed} stays in its row`);
    }
  });

  it("with --stay-close names both scores and counts the keys that moved", () => {
    const args = ["optimize", ...QUICK, "--from", "colemak-dh", "--stay-close", "0.5"];
    const report = runCli(args);
    assert.equal(report.status, 0, report.stderr);
    const penalised = report.stdout.match(
      /^best with the stay-close penalty: (\d+\.\d{3}) \(0\.5 × (\d+) moved keys\)$/m,
    );
    assert.ok(penalised, report.stdout);
    const moved = report.stdout.match(/^(\d+) of 30 keys moved from colemak-dh$/m);
    assert.ok(moved, report.stdout);
    assert.equal(moved[1], penalised[2]);
    const plain = Number(report.stdout.match(/→ best (\d+\.\d{3})/)?.[1]);
    assert.ok(
      Math.abs(Number(penalised[1]) - plain - 0.5 * Number(moved[1])) < 0.002,
      "the penalty is 0.5 per moved key",
    );

    const json = runCli([...args, "--json"]);
    assert.equal(json.status, 0, json.stderr);
    const document = JSON.parse(json.stdout);
    assert.deepEqual(document.moved, { keys: Number(moved[1]), of: 30 });
    assert.equal(document.stayClose.penalty, 0.5);
    assert.ok(
      Math.abs(
        document.stayClose.scoreWithPenalty - document.best.score - 0.5 * document.moved.keys,
      ) < 1e-9,
    );
  });

  it("stops cleanly on Ctrl-C and reports the best layout so far", async () => {
    // Off a terminal, progress lines come every 5 s; the first one says the search is running.
    const result = await interruptCli(
      ["optimize", "--board", "ortho-3x10", "--time", "5m", "--threads", "1", "--seed", "2"],
      /steps\/s/,
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /stopping: finishing the current epoch/);
    assert.match(result.stdout, /^score \d+\.\d+ \(lower is better\)$/m);
    assert.match(result.stdout, /stopped by signal/);
  });

  it("explains bad flags", () => {
    assertCleanFailure(
      runCli(["optimize", "--time", "soon"]),
      /option '--time <duration>' argument 'soon' is invalid: not a duration/,
    );
    assertCleanFailure(
      runCli(["optimize", "--exclude", "nokey", "--steps", "10"]),
      /does not have: nokey/,
    );
    assertCleanFailure(
      runCli(["optimize", "--exclude", "r0c1,r9c9", "--exclude", "nokey", "--steps", "10"]),
      /board ansi does not have: r9c9, nokey$/m,
    );
    assertCleanFailure(runCli(["optimize", "--pin", "☃", "--steps", "10"]), /cannot pin "☃"/);
    assertCleanFailure(
      runCli(["optimize", "--place", "e☃", "--steps", "10"]),
      /cannot place "☃": the layout does not have it/,
    );
    assertCleanFailure(
      runCli(["optimize", "--steps", "-3"]),
      /option '--steps <n>' argument '-3' is invalid: not a whole number/,
    );
  });
});
