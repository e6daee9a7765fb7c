import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AssetPublisher } from "../../src/assetmgr/asset-publisher.ts";
import { migrate } from "../../src/infra/db/migration-runner.ts";
import { PgliteDatabase } from "../../src/infra/db/pglite-database.ts";
import { SYSTEM_DATA_DIR } from "../../src/infra/system-data.ts";
import { freshPostgres, TEST_DATABASE_URL } from "../helpers/databases.ts";
import { assertCleanFailure, type RunningCli, runCli, startCli } from "../helpers/run-cli.ts";
import { IsolatedValkey, TEST_VALKEY_URL } from "../helpers/valkey.ts";

const folder = () => join(mkdtempSync(join(tmpdir(), "keyforge-hive-")), "db");

describe("keyforge admin key and keyforge hive", () => {
  it("creates a key the hive accepts, lists it, and stops on SIGTERM", async () => {
    const database = folder();
    const created = runCli(["admin", "key", "create", "--name", "alice", "--database", database]);
    assert.equal(created.status, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^kf_/);
    assert.match(created.stderr, /created user key key_\w+ for alice/);
    assert.doesNotMatch(runCli(["admin", "key", "list", "--database", database]).stdout, /kf_/);

    const hive = startCli(
      ["hive", "--database", database, "--port", "0", "--valkey", TEST_VALKEY_URL],
      { env: { HIVE_SECRET: "cli-test-secret" } },
    );
    const [, url] = await hive.waitFor(/hive: listening on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    assertCleanFailure(
      runCli(["admin", "key", "list", "--database", database]),
      /the embedded database in \S+ is in use by process \d+/,
    );
    const mine = await fetch(`${url}/jobs?mine=true`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(mine.status, 200, await mine.clone().text());
    const wrong = await fetch(`${url}/jobs?mine=true`, {
      headers: { authorization: "Bearer kf_nope" },
    });
    assert.equal(wrong.status, 401);
    const result = await hive.stop("SIGTERM");
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /cli-test-secret/, "the secret is never printed");
  });

  it("creates a join token an agent process joins with once; lists and revokes it", async () => {
    const database = folder();
    const created = runCli([
      ...["admin", "join-token", "create", "--uses", "1", "--expires", "2d"],
      ...["--name", "lab", "--database", database],
    ]);
    assert.equal(created.status, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^kfj_[\w-]{43}$/);
    assert.match(created.stderr, /created join token (jt_[0-9a-f]{16}) \(lab\) for 1 node, until/);
    const id = /jt_[0-9a-f]{16}/.exec(created.stderr)?.[0] as string;
    const tokenFile = join(mkdtempSync(join(tmpdir(), "keyforge-token-")), "join-token");
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });

    const hive = startCli(
      ["hive", "--database", database, "--port", "0", "--valkey", TEST_VALKEY_URL],
      { env: { HIVE_SECRET: "cli-test-secret" } },
    );
    const [, url] = await hive.waitFor(/hive: listening on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
    const volunteer = (dataDir: string) =>
      startCli(["agent", "--hive", url as string, "--assets", url as string, "--threads", "1"], {
        env: {
          HIVE_SECRET: "",
          HIVE_SECRET_FILE: "",
          KEYFORGE_JOIN_TOKEN_FILE: tokenFile,
          KEYFORGE_DATA_DIR: dataDir,
        },
      });
    const firstDir = mkdtempSync(join(tmpdir(), "keyforge-volunteer-"));
    const first = volunteer(firstDir);
    await first.waitFor(/agent: node [0-9a-f]{32} registered/, 60_000);
    const stopped = await first.stop("SIGTERM");
    assert.equal(stopped.status, 0, stopped.stderr);
    const restarted = volunteer(firstDir);
    await restarted.waitFor(/agent: node [0-9a-f]{32} registered/, 60_000);
    assert.equal((await restarted.stop("SIGTERM")).status, 0, "the same node, no use spent");
    const newcomer = await volunteer(mkdtempSync(join(tmpdir(), "keyforge-volunteer-"))).exited();
    assertCleanFailure(
      newcomer,
      new RegExp(`403 JOIN_TOKEN_USED_UP: the join token ${id} has enrolled the one node`),
    );
    const hiveStopped = await hive.stop("SIGTERM");
    for (const output of [stopped, newcomer, hiveStopped]) {
      assert.ok(!`${output.stdout}${output.stderr}`.includes(token), "the token is never printed");
    }

    const listed = runCli(["admin", "join-token", "list", "--database", database]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^id\s+name\s+used\s+expires \(UTC\)\s+state\s+created \(UTC\)$/m);
    assert.match(
      listed.stdout,
      new RegExp(`^${id}\\s+lab\\s+1 of 1\\s+\\S+ \\S+\\s+used up\\s`, "m"),
    );
    assert.ok(!listed.stdout.includes(token));
    const revoked = runCli(["admin", "join-token", "revoke", id, "--database", database]);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(
      runCli(["admin", "join-token", "list", "--database", database]).stdout,
      new RegExp(`^${id}\\s.*\\srevoked \\d{4}-`, "m"),
    );
    assertCleanFailure(
      runCli(["admin", "join-token", "revoke", id, "--database", database]),
      new RegExp(`no join token ${id} that is not revoked`),
    );
  });

  it("lists the nodes and removes one for good: its agent stops, its unit is queued again, the hive secret does not bring it back", async () => {
    const { db, drop } = await freshPostgres();
    const valkey = new IsolatedValkey();
    const env = {
      DATABASE_URL: TEST_DATABASE_URL,
      KEYFORGE_DATABASE_SCHEMA: db.schema,
      KEYFORGE_VALKEY_URL: TEST_VALKEY_URL,
      KEYFORGE_VALKEY_PREFIX: valkey.prefix,
      HIVE_SECRET: "cli-test-secret",
    };
    await new AssetPublisher({
      coordinator: valkey.coordinator(),
      folders: [SYSTEM_DATA_DIR],
      log: () => {},
    }).reconcile();
    const hive = startCli(["hive", "--port", "0"], { env });
    const assets = startCli(["assets", "--port", "0"], { env });
    const agentDir = mkdtempSync(join(tmpdir(), "keyforge-agent-"));
    const agents: RunningCli[] = [];
    const startAgent = (hiveUrl: string, assetsUrl: string) => {
      const agent = startCli(
        ["agent", "--hive", hiveUrl, "--assets", assetsUrl, "--threads", "1"],
        { env: { ...env, KEYFORGE_DATA_DIR: agentDir } },
      );
      agents.push(agent);
      return agent;
    };
    try {
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
      const hiveUrl = (await hive.waitFor(listening, 60_000))[1] as string;
      const assetsUrl = (await assets.waitFor(listening, 60_000))[1] as string;
      const user = runCli(["admin", "key", "create", "--name", "alice"], { env });
      assert.equal(user.status, 0, user.stderr);
      const agent = startAgent(hiveUrl, assetsUrl);
      const [, nodeId] = await agent.waitFor(/agent: node ([0-9a-f]{32}) registered/, 60_000);
      const submitted = runCli(
        ["submit", "--board", "corne", "--units", "1", "--steps", "50000000000"],
        { env: { ...env, KEYFORGE_HIVE_URL: hiveUrl, KEYFORGE_API_KEY: user.stdout.trim() } },
      );
      assert.equal(submitted.status, 0, submitted.stderr);
      await agent.waitFor(/unit \S+ started/, 60_000);

      const listed = runCli(["admin", "node", "list"], { env });
      assert.equal(listed.status, 0, listed.stderr);
      assert.match(
        listed.stdout,
        /^id\s+name\s+threads\s+steps\/s\s+enrolled with\s+refused\s+registered \(UTC\)\s+state$/m,
      );
      assert.match(
        listed.stdout,
        new RegExp(`^${nodeId}\\s.*\\ssecret \\(current\\)\\s+0\\s.*\\sactive$`, "m"),
      );
      assert.doesNotMatch(listed.stdout, /cli-test-secret/);

      const removed = runCli(["admin", "node", "remove", nodeId as string], { env });
      assert.equal(removed.status, 0, removed.stderr);
      assert.equal(
        removed.stdout.trim(),
        `removed node ${nodeId}; 1 unit it held went back to the queue`,
      );
      const { rows } = await db.query<{ status: string; attempts: number }>(
        "SELECT status, attempts FROM units",
      );
      assert.deepEqual(
        rows,
        [{ status: "queued", attempts: 0 }],
        "queued again, no attempt counted",
      );
      assertCleanFailure(
        await agent.exited(),
        /403 NODE_REMOVED: node \w+ was removed by the hive's admin/,
      );
      assertCleanFailure(
        await startAgent(hiveUrl, assetsUrl).exited(),
        /403 NODE_REMOVED: .*only a new join token lets it back/,
      );

      assert.doesNotMatch(
        runCli(["admin", "node", "list"], { env }).stdout,
        new RegExp(nodeId as string),
      );
      assert.match(
        runCli(["admin", "node", "list", "--all"], { env }).stdout,
        new RegExp(`^${nodeId}\\s.*\\sremoved \\d{4}-`, "m"),
      );
      assertCleanFailure(
        runCli(["admin", "node", "remove", nodeId as string], { env }),
        new RegExp(`node ${nodeId} was removed already`),
      );
      assertCleanFailure(
        runCli(["admin", "node", "remove", "desk"], { env }),
        /<id> must be a node's id: 32 hex digits/,
      );
    } finally {
      await Promise.all([...agents, hive, assets].map((process) => process.stop("SIGTERM")));
      await valkey.close();
      await drop();
    }
  });

  it("explains bad join token flags", () => {
    const database = folder();
    const create = (...flags: string[]) =>
      runCli(["admin", "join-token", "create", ...flags, "--database", database]);
    assertCleanFailure(create("--uses", "0"), /'--uses <n>' argument '0' is invalid: must be 1 to/);
    assertCleanFailure(
      create("--expires", "soon"),
      /'--expires <period>' argument 'soon' is invalid/,
    );
    assertCleanFailure(create("--expires", "400d"), /not a period of up to 366d/);
    const pasted = runCli([
      ...["admin", "join-token", "revoke", `kfj_${"x".repeat(43)}`, "--database", database],
    ]);
    assertCleanFailure(pasted, /<id> must be a join token's id \(jt_/);
    assert.doesNotMatch(pasted.stderr, /kfj_x/, "a token pasted by mistake is not printed");
  });

  it("exits non-zero naming the migration that failed, and does not serve", async () => {
    const database = folder();
    const db = new PgliteDatabase(database);
    await db.query("CREATE TABLE jobs (id integer)");
    await db.close();
    const result = await startCli(["hive", "--database", database, "--port", "0"]).exited();
    assertCleanFailure(result, /migration 0001_stores failed: relation "jobs" already exists/);
    assert.doesNotMatch(result.stderr, /listening/);
  });

  it("exits non-zero on a tampered schema instead of serving 500s", async () => {
    const database = folder();
    const db = new PgliteDatabase(database);
    await migrate(db);
    await db.query("DROP FUNCTION accept_results(jsonb)");
    await db.close();
    const hive = startCli(["hive", "--database", database, "--port", "0"]);
    const served = hive.waitFor(/listening on/, 60_000).then(() => hive.stop("SIGTERM"));
    const result = await Promise.race([hive.exited(), served]);
    assertCleanFailure(
      result,
      /does not match this release's migrations; not serving on it[\s\S]*function accept_results\(batch jsonb\) is missing/,
    );
    assert.doesNotMatch(result.stderr, /listening/);
  });

  it("refuses to start an agent that has neither a join token nor the hive secret, or a token that is not one", () => {
    const env = {
      HIVE_SECRET: "",
      HIVE_SECRET_FILE: "",
      KEYFORGE_JOIN_TOKEN: "",
      KEYFORGE_JOIN_TOKEN_FILE: "",
    };
    assertCleanFailure(
      runCli(["agent", "--hive", "http://127.0.0.1:9"], { env }),
      /nothing to register with: pass the join token .*--join-token, or KEYFORGE_JOIN_TOKEN_FILE.*or, on the operator's machines, set HIVE_SECRET or HIVE_SECRET_FILE/,
    );
    const notAToken = runCli(["agent", "--hive", "http://127.0.0.1:9"], {
      env: { ...env, KEYFORGE_JOIN_TOKEN: "kf_secret-api-key" },
    });
    assertCleanFailure(notAToken, /KEYFORGE_JOIN_TOKEN is not a join token \(kfj_/);
    assert.doesNotMatch(notAToken.stderr, /secret-api-key/, "what was given is not quoted");
  });

  it("refuses an unknown role", () => {
    assertCleanFailure(
      runCli(["admin", "key", "create", "--name", "x", "--role", "root", "--database", folder()]),
      /--role must be user or admin/,
    );
  });
});
