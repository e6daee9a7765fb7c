import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "commander";
import { parseDuration } from "../../src/cli/duration.ts";
import {
  finiteNumber,
  MAX_THREADS,
  nonNegativeNumber,
  periodSeconds,
  portNumber,
  positiveWholeNumber,
  threadCount,
  wholeNumber,
} from "../../src/cli/flag-values.ts";
import { type CliResult, startCli } from "../helpers/run-cli.ts";

/** Asserts that `parse` refuses every value in `bad` the way commander reports with the flag. */
function refuses(parse: (value: string) => unknown, bad: readonly string[], reason: RegExp) {
  for (const value of bad) {
    assert.throws(
      () => parse(value),
      (error: unknown) => error instanceof InvalidArgumentError && reason.test(error.message),
      value,
    );
  }
}

describe("flag values", () => {
  it("reads numbers, whole numbers and counts", () => {
    assert.equal(finiteNumber("-2.5"), -2.5);
    refuses(finiteNumber, ["", " ", "abc", "Infinity"], /^not a number$/);
    assert.equal(wholeNumber("0"), 0);
    assert.equal(wholeNumber("20000000"), 20_000_000);
    refuses(wholeNumber, ["", "abc", "-3", "1.5", "1e99"], /^not a whole number$/);
    assert.equal(positiveWholeNumber("1"), 1);
    refuses(positiveWholeNumber, ["0"], /^must be at least 1$/);
    assert.equal(nonNegativeNumber("0.5"), 0.5);
    refuses(nonNegativeNumber, ["", "-0.1", "NaN"], /^not a non-negative number$/);
  });

  it("reads a thread count, from 1 to the most one command starts", () => {
    assert.equal(threadCount("1"), 1);
    assert.equal(threadCount(String(MAX_THREADS)), MAX_THREADS);
    refuses(
      threadCount,
      ["0", String(MAX_THREADS + 1)],
      new RegExp(`^must be 1 to ${MAX_THREADS}`),
    );
    refuses(threadCount, ["two"], /^not a whole number$/);
  });

  it("reads a port, 0 included (any free port)", () => {
    assert.equal(portNumber("3001"), 3001);
    assert.equal(portNumber("0"), 0);
    refuses(portNumber, ["-1", "65536", "80.5", "http", ""], /^not a port number \(0 to 65535\)$/);
  });

  it("reads a period in seconds, above zero and at most a day", () => {
    assert.equal(periodSeconds("60"), 60);
    assert.equal(periodSeconds("0.5"), 0.5);
    refuses(periodSeconds, ["0", "-5", "86401", "soon", "NaN"], /not a number of seconds/);
  });

  it("reads a duration in milliseconds", () => {
    assert.equal(parseDuration("90s"), 90_000);
    assert.equal(parseDuration("1.5h"), 5_400_000);
    assert.equal(parseDuration("500ms"), 500);
    assert.equal(parseDuration("2"), 2000);
    refuses(parseDuration, ["soon", "0s", "-1m", ""], /^not a duration: write e\.g\. 60s/);
  });
});

/**
 * Every numeric flag of every command, with a value it must refuse. Parsing comes before any
 * work: no hive, database or board is needed, and nothing reaches standard output.
 */
const BAD_VALUES: readonly (readonly [args: readonly string[], flag: string])[] = [
  [["optimize", "--board", "corne", "--steps", "abc"], "--steps <n>"],
  [["optimize", "--threads", "0"], "--threads <n>"],
  [["optimize", "--threads", "100000"], "--threads <n>"],
  [["optimize", "--time", "soon"], "--time <duration>"],
  [["optimize", "--seed", "1.5"], "--seed <n>"],
  [["optimize", "--top", "x"], "--top <k>"],
  [["optimize", "--converge", "-1"], "--converge <n>"],
  [["optimize", "--stay-close", "-1"], "--stay-close <penalty>"],
  [["optimize", "--weight", "sfb=lots"], "--weight <name=value>"],
  [["analyze", "qwerty", "--weight", "sfb"], "--weight <name=value>"],
  [["submit", "--units", "x"], "--units <n>"],
  [["submit", "--steps", "1e99"], "--steps <n>"],
  [["submit", "--time", "5 parsecs"], "--time <duration>"],
  [["submit", "--seed", "-1"], "--seed <n>"],
  [["submit", "--priority", "high"], "--priority <n>"],
  [["submit", "--weight", "sfb"], "--weight <name=value>"],
  [["submit", "--set", "sfb=x"], "--set <name=value>"],
  [["jobs", "--limit", "0"], "--limit <n>"],
  [["agent", "--threads", "x"], "--threads <n>"],
  [["agent", "--threads", "257"], "--threads <n>"],
  [["agent", "--grace", "0"], "--grace <seconds>"],
  [["agent", "--name", "evil\u001b]0;owned\u0007"], "--name <name>"],
  [["up", "--port", "70000"], "--port <n>"],
  [["up", "--assets-port", "x"], "--assets-port <n>"],
  [["up", "--threads", "-1"], "--threads <n>"],
  [["hive", "--port", "x"], "--port <n>"],
  [["hive", "--max-queued-units", "1.5"], "--max-queued-units <n>"],
  [["hive", "--rate-limit-key", "x"], "--rate-limit-key <n>"],
  [["hive", "--rate-limit-client", "-2"], "--rate-limit-client <n>"],
  [["assetmgr", "--verify-interval", "0", "seed"], "--verify-interval <seconds>"],
  [["board", "import", "kle", "board.json", "--split-gap", "x"], "--split-gap <units>"],
  [["board", "import", "kle", "board.json", "--home-row", "y"], "--home-row <n>"],
  [["admin", "join-token", "create", "--uses", "0"], "--uses <n>"],
  [["admin", "join-token", "create", "--expires", "soon"], "--expires <period>"],
];

/** Runs the CLI for every entry, a few at a time. */
async function runAll(entries: readonly (readonly string[])[]): Promise<CliResult[]> {
  const results: CliResult[] = [];
  for (let i = 0; i < entries.length; i += 4) {
    results.push(
      ...(await Promise.all(entries.slice(i, i + 4).map((args) => startCli(args).exited()))),
    );
  }
  return results;
}

describe("bad flag values on the command line", () => {
  it("are refused before anything runs, naming the flag: exit 1, no stack trace", async () => {
    const results = await runAll(BAD_VALUES.map(([args]) => args));
    BAD_VALUES.forEach(([args, flag], i) => {
      const result = results[i] as CliResult;
      const what = `keyforge ${args.join(" ")}`;
      assert.equal(result.status, 1, `${what}: ${result.stderr}`);
      assert.ok(
        result.stderr.startsWith(`keyforge: option '${flag}' argument '`),
        `${what}: ${result.stderr}`,
      );
      assert.match(result.stderr, /' is invalid: \S/, what);
      assert.equal(result.stdout, "", what);
      assert.doesNotMatch(result.stderr, /\n\s+at |optimizing on/, what);
      assert.doesNotMatch(
        result.stderr,
        /\p{Cc}(?<!\n)/u,
        `${what}: a control character was echoed`,
      );
    });
  });
});
