import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { freshPostgres, TEST_DATABASE_URL } from "../helpers/databases.ts";
import { freePort } from "../helpers/free-port.ts";
import {
  assertCleanFailure,
  type RunningCli,
  runCli,
  startCli,
  startShellLine,
} from "../helpers/run-cli.ts";
import { IsolatedValkey, TEST_VALKEY_URL } from "../helpers/valkey.ts";

/** Nothing configured: the embedded database and coordinator in a fresh data dir. */
function embeddedSettings() {
  return {
    KEYFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), "keyforge-up-")),
    DATABASE_URL: "",
    KEYFORGE_VALKEY_URL: "",
    HIVE_SECRET: "",
    KEYFORGE_API_KEY: "",
  };
}

describe("keyforge up", () => {
  it("runs the whole system on one machine, keeps its jobs across restarts, and allows one per data dir", async () => {
    const env = embeddedSettings();
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

  it("runs on PostgreSQL and Valkey when DATABASE_URL and KEYFORGE_VALKEY_URL name them", async () => {
    const { db, drop } = await freshPostgres({ migrated: false });
    const valkey = new IsolatedValkey();
    const env = {
      KEYFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), "keyforge-up-")),
      DATABASE_URL: TEST_DATABASE_URL,
      KEYFORGE_DATABASE_SCHEMA: db.schema,
      KEYFORGE_VALKEY_URL: TEST_VALKEY_URL,
      KEYFORGE_VALKEY_PREFIX: valkey.prefix,
      HIVE_SECRET: "",
      KEYFORGE_API_KEY: "",
    };
    const up = startCli(["up", "--port", "0", "--assets-port", "0", "--threads", "0"], { env });
    try {
      const [, hiveUrl] = await up.waitFor(/hive: listening on (http:\/\/[\d.:]+)/, 90_000);
      await up.waitFor(/events\s+Valkey \(KEYFORGE_VALKEY_URL\)/, 30_000);
      const health = (await (await fetch(`${hiveUrl}/health`)).json()) as { status: string };
      assert.equal(health.status, "ok");
      const submitted = runCli(["submit", "--board", "corne", "--units", "1", "--steps", "10000"], {
        env: { ...env, KEYFORGE_HIVE_URL: hiveUrl as string },
      });
      assert.equal(submitted.status, 0, submitted.stderr);
      const { rows } = await db.query<{ id: string }>("SELECT id FROM jobs");
      assert.deepEqual(rows, [{ id: submitted.stdout.trim() }], "the job is in PostgreSQL");
      const manifest = await valkey.coordinator().getManifest();
      assert.ok(
        manifest.some((entry) => entry.path === "boards/corne.json"),
        "assets in Valkey",
      );
    } finally {
      assert.equal((await up.stop("SIGTERM")).status, 0);
      await valkey.close();
      await drop();
    }
  });

  it("prints the command another agent joins with, which works as printed", async () => {
    const env = embeddedSettings();
    const up = startCli(["up", "--port", "0", "--assets-port", "0", "--threads", "0"], { env });
    let agent: RunningCli | undefined;
    try {
      const [, printed] = await up.waitFor(
        /another agent on this machine:\n\s+(HIVE_SECRET_FILE=\S+ keyforge agent \\\n\s+--hive \S+ --assets \S+)\n/,
        90_000,
      );
      const [, hiveUrl] = await up.waitFor(/hive\s+(http:\/\/127\.0\.0\.1:\d+)/);
      // As a user pastes it: the continuation line and all, with a data dir of its own.
      agent = startShellLine(printed as string, {
        env: { KEYFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), "keyforge-agent-")), HIVE_SECRET: "" },
      });
      await agent.waitFor(/agent: node \w+ registered/, 60_000);
      const user = { ...env, KEYFORGE_HIVE_URL: hiveUrl as string };
      const submitted = runCli(["submit", "--board", "corne", "--units", "1", "--steps", "20000"], {
        env: user,
      });
      assert.equal(submitted.status, 0, submitted.stderr);
      const watched = runCli(["watch", submitted.stdout.trim()], { env: user });
      assert.equal(watched.status, 0, watched.stderr);
    } finally {
      const agentStopped = agent === undefined ? undefined : await agent.stop("SIGTERM");
      const stopped = await up.stop("SIGTERM");
      if (agentStopped) assert.equal(agentStopped.status, 0, agentStopped.stderr);
      assert.equal(stopped.status, 0);
      const secret = readFileSync(join(env.KEYFORGE_DATA_DIR, "hive-secret"), "utf8").trim();
      assert.ok(!stopped.stderr.includes(secret), "the secret itself is never printed");
    }
  });

  it("open to other machines: a volunteer joins with the printed join token command", async () => {
    const env = embeddedSettings();
    const args = ["up", "--host", "0.0.0.0", "--port", "0", "--assets-port", "0", "--threads", "0"];
    const up = startCli(args, { env });
    let volunteer: RunningCli | undefined;
    try {
      const [, tokenFile, printed] = await up.waitFor(
        /1\. send them the file (\S+)\n.*\n\s+(KEYFORGE_JOIN_TOKEN_FILE=join-token keyforge agent \\\n\s+--hive \S+ --assets \S+)\n/,
        90_000,
      );
      const [, hiveUrl] = await up.waitFor(/hive\s+(http:\/\/127\.0\.0\.1:\d+)/);
      // The volunteer's own folder, with the file saved as the banner says.
      const home = mkdtempSync(join(tmpdir(), "keyforge-volunteer-"));
      copyFileSync(tokenFile as string, join(home, "join-token"));
      // Tests talk to loopback only: the machine's address in the command becomes 127.0.0.1.
      const line = (printed as string).replace(/http:\/\/[^/:]+:/g, "http://127.0.0.1:");
      volunteer = startShellLine(line, {
        cwd: home,
        env: { KEYFORGE_DATA_DIR: home, HIVE_SECRET: "", HIVE_SECRET_FILE: "" },
      });
      await volunteer.waitFor(/agent: node \w+ registered/, 60_000);
      const cluster = runCli(["cluster", "--json"], {
        env: { KEYFORGE_HIVE_URL: hiveUrl as string },
      });
      assert.equal(JSON.parse(cluster.stdout).liveNodes, 1, cluster.stderr);
    } finally {
      const volunteerStopped =
        volunteer === undefined ? undefined : await volunteer.stop("SIGTERM");
      const stopped = await up.stop("SIGTERM");
      if (volunteerStopped) assert.equal(volunteerStopped.status, 0, volunteerStopped.stderr);
      assert.equal(stopped.status, 0);
    }
  });
});
