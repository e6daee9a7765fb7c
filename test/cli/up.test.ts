import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { freePort } from "../helpers/free-port.ts";
import { assertCleanFailure, runCli, startCli } from "../helpers/run-cli.ts";

describe("keyforge up", () => {
  it("runs the whole system on one machine, keeps its jobs across restarts, and allows one per data dir", async () => {
    // Nothing configured: the embedded database and coordinator in a fresh data dir.
    const env = {
      KEYFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), "keyforge-up-")),
      DATABASE_URL: "",
      KEYFORGE_VALKEY_URL: "",
      HIVE_SECRET: "",
      KEYFORGE_API_KEY: "",
    };
    const [port, assetsPort] = [await freePort(), await freePort()];
    const args = ["up", "--port", `${port}`, "--assets-port", `${assetsPort}`, "--threads", "1"];
    const hiveUrl = `http://127.0.0.1:${port}`;
    const user = { ...env, KEYFORGE_HIVE_URL: hiveUrl };

    const up = startCli(args, { env });
    const [, apiKey] = await up.waitFor(/API key\s+(kf_\S+)/, 90_000);
    await up.waitFor(/agent: node \w+ registered/, 60_000);

    // The commands find the hive through KEYFORGE_HIVE_URL and the key in the data dir.
    const submitted = runCli(
      ["submit", "--board", "corne", "--corpus", "en", "--units", "2", "--steps", "40000"],
      { env: user },
    );
    assert.equal(submitted.status, 0, submitted.stderr);
    const id = submitted.stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const watched = runCli(["watch", id], { env: user });
    assert.equal(watched.status, 0, watched.stderr);

    const second = await startCli(args, { env }).exited();
    assertCleanFailure(second, /is in use by process \d+/);

    const stopped = await up.stop("SIGINT");
    assert.equal(stopped.status, 0, stopped.stderr);
    assert.doesNotMatch(stopped.stderr, /\n\s+at /, "no stack trace");

    const again = startCli(args, { env });
    try {
      const [, keyAgain] = await again.waitFor(/API key\s+(kf_\S+)/, 90_000);
      assert.equal(keyAgain, apiKey, "the same key, still valid");
      const shown = runCli(["job", id], { env: user });
      assert.equal(shown.status, 0, shown.stderr);
      assert.match(shown.stdout, /completed/);
    } finally {
      assert.equal((await again.stop("SIGTERM")).status, 0);
    }
  });
});
