import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT, runCli } from "./helpers/run-cli.ts";

/** Every line of the README's `sh` blocks, in order, without comments. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    (block[1] as string)
      .split("\n")
      .map((line) => line.replace(/\s+#.*$/, "").trim())
      .filter((line) => line !== ""),
  );
}

/**
 * A checkout-like folder for the commands to run in: the README's relative paths (docs/, and
 * ../shared/fixtures beside the checkout) resolve, and the files they write land here.
 */
function sandbox(): string {
  const root = mkdtempSync(join(tmpdir(), "keyforge-readme-"));
  const checkout = join(root, "checkout");
  mkdirSync(checkout);
  symlinkSync(join(REPO_ROOT, "docs"), join(checkout, "docs"));
  symlinkSync(join(REPO_ROOT, "..", "shared"), join(root, "shared"));
  return checkout;
}

describe("README", () => {
  const commands = readmeCommands();
  const checkout = sandbox();
  after(() => rmSync(join(checkout, ".."), { recursive: true, force: true }));

  it("starts with the two set-up commands: run the main job, run the tests", () => {
    assert.match(commands[0] ?? "", /^npm ci && npm run build && node dist\/cli\/main\.js /);
    assert.equal(commands[1], "npm ci && npm test");
  });

  it("names only npm scripts that exist (CI runs each of them)", () => {
    const scripts = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).scripts;
    for (const command of commands) {
      for (const match of command.matchAll(/npm run ([\w:-]+)/g)) {
        assert.ok(scripts[match[1] as string], `npm script ${match[1]} exists`);
      }
    }
  });

  for (const command of commands.filter((c) => c.startsWith("keyforge "))) {
    it(`runs: ${command}`, () => {
      const result = runCli(command.split(/\s+/).slice(1), { cwd: checkout });
      assert.equal(result.status, 0, `${command}\n${result.stderr}`);
      assert.notEqual(result.stdout + result.stderr, "");
    });
  }
});
