import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { KEYFORGE_VERSION } from "../../../src/infra/version.ts";
import { freshPostgres, TEST_DATABASE_URL } from "../../helpers/databases.ts";
import { previousRelease } from "../../helpers/previous-release.ts";
import { pathWithKeyforge, REPO_ROOT, startShellLine } from "../../helpers/run-cli.ts";

function git(repo: string, args: readonly string[]): string {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
}

/** Commits `files` (name to text) on top of `repo`'s HEAD. */
function commit(repo: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(repo, name), text);
  git(repo, ["add", "."]);
  git(repo, ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "c"]);
}

const version = (v: string) => JSON.stringify({ name: "x", version: v });

describe("the previous release", () => {
  it("is the newest commit whose package.json version is lower than the current one", () => {
    const repo = mkdtempSync(join(tmpdir(), "keyforge-releases-"));
    git(repo, ["init", "-q"]);
    commit(repo, { "package.json": version("0.1.0") });
    commit(repo, { "a.txt": "work on 0.1.0" });
    const last010 = git(repo, ["rev-parse", "HEAD"]);
    assert.equal(previousRelease(repo, "0.1.0"), null, "no lower version in history");
    assert.deepEqual(previousRelease(repo, "0.2.0"), { commit: last010, version: "0.1.0" });
    commit(repo, { "package.json": version("0.2.0") });
    commit(repo, { "b.txt": "work on 0.2.0" });
    assert.deepEqual(previousRelease(repo, "0.2.0"), { commit: last010, version: "0.1.0" });
    const last020 = git(repo, ["rev-parse", "HEAD"]);
    commit(repo, { "package.json": version("0.10.0") });
    assert.deepEqual(previousRelease(repo, "0.10.0"), { commit: last020, version: "0.2.0" });
    rmSync(repo, { recursive: true, force: true });
  });
});

/**
 * The commit whose code must run on this release's schema: the previous release, or, to
 * rehearse the test by hand, any commit named by KEYFORGE_COMPAT_BASE.
 */
function baseline(): { commit: string; version: string } | null {
  const named = process.env.KEYFORGE_COMPAT_BASE;
  if (named) {
    const commit = git(REPO_ROOT, ["rev-parse", named]);
    return { commit, version: `${named} (KEYFORGE_COMPAT_BASE)` };
  }
  return previousRelease(REPO_ROOT, KEYFORGE_VERSION);
}

const base = baseline();

describe("the previous release on this release's schema", () => {
  it("serves a lease and a result against the schema after the new migrations", {
    skip:
      base === null
        ? `package.json's history has no version lower than ${KEYFORGE_VERSION}: there is no previous release to run yet (KEYFORGE_COMPAT_BASE=<commit> runs the test against any older commit)`
        : false,
    timeout: 240_000,
  }, async () => {
    const { commit } = base as { commit: string; version: string };
    const tree = mkdtempSync(join(tmpdir(), "keyforge-previous-"));
    git(REPO_ROOT, ["worktree", "add", "--detach", "--force", tree, commit]);
    // The previous release runs from source with this checkout's dependencies.
    symlinkSync(join(REPO_ROOT, "node_modules"), join(tree, "node_modules"), "dir");
    // The schema after this release's migrations.
    const { db, drop } = await freshPostgres();
    const env = {
      // `keyforge` is the previous release's CLI, run from its source.
      PATH: pathWithKeyforge(join(tree, "src", "cli", "main.ts")),
      KEYFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), "keyforge-previous-data-")),
      DATABASE_URL: TEST_DATABASE_URL,
      KEYFORGE_DATABASE_SCHEMA: db.schema,
      KEYFORGE_VALKEY_URL: "",
      HIVE_SECRET: "",
      KEYFORGE_API_KEY: "",
    };
    const previous = (line: string, extra: Record<string, string> = {}) =>
      startShellLine(line, { cwd: tree, env: { ...env, ...extra } });
    const up = previous("keyforge up --port 0 --assets-port 0 --threads 1");
    try {
      const [, hiveUrl] = await up.waitFor(/hive: listening on (http:\/\/[\d.:]+)/, 120_000);
      await up.waitFor(/agent: node \w+ registered/, 60_000);
      const user = { KEYFORGE_HIVE_URL: hiveUrl as string };
      const submitted = await previous(
        "keyforge submit --board corne --corpus en --units 1 --steps 20000",
        user,
      ).exited();
      assert.equal(submitted.status, 0, submitted.stderr);
      const jobId = submitted.stdout.trim();
      const watched = await previous(`keyforge watch ${jobId}`, user).exited();
      assert.equal(watched.status, 0, watched.stderr);
      // The lease and the result went through the previous release's code into this schema.
      const { rows } = await db.query<{ status: string; results: string }>(
        `SELECT u.status, count(r.id)::text AS results
             FROM units AS u LEFT JOIN results AS r ON r.unit_id = u.id
            WHERE u.job_id = $1 GROUP BY u.id, u.status`,
        [jobId],
      );
      assert.deepEqual(rows, [{ status: "done", results: "1" }]);
    } finally {
      const stopped = await up.stop("SIGTERM");
      await drop();
      git(REPO_ROOT, ["worktree", "remove", "--force", tree]);
      assert.equal(stopped.status, 0, stopped.stderr);
    }
  });
});
