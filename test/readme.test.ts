import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathWithKeyforge, REPO_ROOT } from "./helpers/run-cli.ts";

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

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync("git", args, { cwd, encoding: "utf8" });
  assert.equal(result.status, 0, `git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/**
 * A fresh clone of the working tree, alone in a new temporary folder (nothing beside it), with
 * its own git index so that what the commands leave behind shows as untracked files. The
 * dependencies are linked in rather than installed again; `keyforge` on the PATH runs the
 * clone's own sources.
 */
function freshClone(): { checkout: string; path: string } {
  const root = mkdtempSync(join(tmpdir(), "keyforge-readme-"));
  const checkout = join(root, "keyforge");
  const files = git(REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    .split("\0")
    .filter((file) => file !== "");
  for (const file of files) {
    try {
      cpSync(join(REPO_ROOT, file), join(checkout, file));
    } catch (error) {
      // A tracked file deleted in the working tree is not part of this clone.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(checkout, "node_modules"));
  git(checkout, "init", "--quiet");
  // The linked dependencies stand where a user's install would; .gitignore names a folder.
  writeFileSync(join(checkout, ".git", "info", "exclude"), "/node_modules\n");
  git(checkout, "add", "--all");

  return { checkout, path: pathWithKeyforge(join(checkout, "src", "cli", "main.ts")) };
}

/** The README lines a user runs by hand; `npm run` lines are CI's own steps. */
const runsHere = (command: string) => /^(keyforge|mkdir) /.test(command);

describe("README", () => {
  const commands = readmeCommands();
  const { checkout, path } = freshClone();
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

  for (const command of commands.filter(runsHere)) {
    it(`runs in a fresh clone: ${command}`, () => {
      const result = spawnSync("sh", ["-c", command], {
        cwd: checkout,
        encoding: "utf8",
        env: { ...process.env, PATH: path, NO_COLOR: "1" },
      });
      assert.equal(result.status, 0, `${command}\n${result.stderr}`);
      if (command.startsWith("keyforge ")) assert.notEqual(result.stdout + result.stderr, "");
    });
  }

  it("leaves no file behind outside its gitignored scratch folder", () => {
    const untracked = git(checkout, "ls-files", "--others", "--exclude-standard");
    assert.equal(untracked, "", "files the README's commands wrote outside scratch/");
  });
});
