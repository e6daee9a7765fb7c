import { execFileSync } from "node:child_process";
import { compareReleases } from "../../src/infra/db/migration-file.ts";

function git(repo: string, args: readonly string[]): string {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
}

/** package.json's version at `commit`. */
export function versionAt(repo: string, commit: string): string {
  return JSON.parse(git(repo, ["show", `${commit}:package.json`])).version;
}

/**
 * The previous release of the checkout in `repo`: the newest commit whose package.json version
 * is lower than `current` (the parent of the commit that bumped the version past it), with that
 * version; null when the history has no lower version.
 */
export function previousRelease(
  repo: string,
  current: string,
): { commit: string; version: string } | null {
  // Commits that touched package.json, newest first; the version changes only in those.
  const touching = git(repo, ["log", "--format=%H", "--", "package.json"])
    .split("\n")
    .filter((line) => line !== "");
  let bump: string | null = null;
  for (const commit of touching) {
    const version = versionAt(repo, commit);
    if (compareReleases(version, current) < 0) {
      // No commit has `current` yet (a bump not committed): HEAD is the previous release.
      const before = git(repo, ["rev-parse", bump === null ? "HEAD" : `${bump}^`]);
      return { commit: before, version: versionAt(repo, before) };
    }
    bump = commit;
  }
  return null;
}
