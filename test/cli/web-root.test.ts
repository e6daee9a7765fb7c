import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertCleanFailure, runCli } from "../helpers/run-cli.ts";

/**
 * The command's flags. What it writes, and the folders it refuses, are test/infra/web-root's;
 * the gateway test serves what it writes from this checkout's build, and the image test runs it
 * from the image's tree.
 */
describe("keyforge web-root", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "keyforge-web-root-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const webRoot = (...flags: string[]) => runCli(["web-root", "--out", join(dir, "web"), ...flags]);

  it("refuses an API or assets address that is not an absolute http(s) URL, writing nothing", () => {
    const api = "https://api.keyforge.example.org";
    const assets = "https://assets.keyforge.example.org";
    for (const [flags, message] of [
      [
        ["--api", "api.keyforge.example.org", "--assets", assets],
        /--api must be an http:\/\/ or https:\/\/ URL \(got "api\.keyforge\.example\.org"\)/,
      ],
      [["--api", "/api", "--assets", assets], /--api must be an http/],
      [
        ["--api", api, "--assets", "ftp://assets.example.org"],
        /--assets must be an http:\/\/ or https:\/\/ URL \(got "ftp:/,
      ],
      [["--api", api, "--assets", "javascript:alert(1)"], /--assets must be an http/],
    ] as const) {
      assertCleanFailure(webRoot(...flags), message);
    }
    assert.ok(!existsSync(join(dir, "web")));
  });

  it("needs all three flags", () => {
    assertCleanFailure(
      runCli(["web-root", "--api", "https://a.example", "--assets", "https://b.example"]),
      /required option '--out <dir>' not specified/,
    );
    assertCleanFailure(
      webRoot("--assets", "https://b.example"),
      /required option '--api <url>' not specified/,
    );
  });
});
