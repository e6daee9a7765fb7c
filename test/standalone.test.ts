import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./helpers/run-cli.ts";

/** What a clone has to itself: code, tests, benchmarks, scripts, CI, and the README. */
const CHECKED = [
  "src",
  "test",
  "bench",
  "scripts",
  "web",
  "deploy",
  ".ci",
  "README.md",
  "package.json",
];

/** The team's folder beside the checkout, which a user's clone does not have. */
const SIBLING_FOLDER = new RegExp(String.raw`\.\.[\\/]+${"shared"}\b`);

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) =>
    name === "node_modules" ? [] : filesUnder(join(path, name)),
  );
}

describe("the repository stands alone", () => {
  it("reads nothing from a folder beside the checkout", () => {
    const offenders = CHECKED.flatMap((entry) => filesUnder(join(REPO_ROOT, entry))).filter(
      (file) => SIBLING_FOLDER.test(readFileSync(file, "utf8")),
    );
    assert.deepEqual(
      offenders.map((file) => relative(REPO_ROOT, file)),
      [],
      "copy what these files need into the repository (examples/, test/fixtures/)",
    );
  });

  it("ships the licence package.json names", () => {
    const { license } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    assert.equal(license, "MIT");
    assert.match(readFileSync(join(REPO_ROOT, "LICENSE"), "utf8"), /^MIT License\n/);
  });
});
