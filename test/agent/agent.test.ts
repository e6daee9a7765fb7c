import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify, { type FastifyInstance } from "fastify";
import { loadOrCreateIdentity } from "../../src/agent/agent-identity.ts";
import { AssetCache } from "../../src/agent/asset-cache.ts";
import { HiveClient } from "../../src/agent/hive-client.ts";
import { ResultOutbox } from "../../src/agent/result-outbox.ts";
import { runUnit } from "../../src/agent/unit-runner.ts";
import { AssetManager } from "../../src/assetmgr/asset-manager.ts";
import { AssetPublisher } from "../../src/assetmgr/asset-publisher.ts";
import { buildAssetsGateway } from "../../src/assets/assets-gateway.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { ValkeyCoordinator } from "../../src/infra/coord/valkey-coordinator.ts";
import { JoinTokenRepository } from "../../src/infra/db/join-token-repository.ts";
import { UnitRepository } from "../../src/infra/db/unit-repository.ts";
import { signResult } from "../../src/infra/node-signatures.ts";
import { SYSTEM_DATA_DIR } from "../../src/infra/system-data.ts";
import type { JobView } from "../../src/protocol/job-messages.ts";
import { clusterSchema, nodeIdOf } from "../../src/protocol/node-messages.ts";
import { eventually } from "../helpers/eventually.ts";
import { FlakyDatabase } from "../helpers/flaky-database.ts";
import { closedPortUrl } from "../helpers/free-port.ts";
import { HIVE_SECRET, startHive, type TestHive } from "../helpers/hive.ts";
import { startTestAgent } from "../helpers/test-agent.ts";
import { PrivateRedis } from "../helpers/valkey.ts";

describe("the agent against a hive and an assets gateway on real sockets", () => {
  let hive: TestHive;
  let flaky: FlakyDatabase;
  let gateway: FastifyInstance;
  let hiveUrl: string;
  let assetsUrl: string;
  before(async () => {
    hive = await startHive("embedded", {
      wrapDatabase: (db) => {
        flaky = new FlakyDatabase(db);
        return flaky.db;
      },
    });
    hiveUrl = await hive.app.listen({ host: "127.0.0.1", port: 0 });
    gateway = buildAssetsGateway(hive.coordinator);
    assetsUrl = await gateway.listen({ host: "127.0.0.1", port: 0 });
  });
  after(async () => {
    await gateway.close();
    await hive.close();
  });

  const startAgent = (dataDir?: string) => startTestAgent({ hiveUrl, assetsUrl }, dataDir);

  async function submit(units: number, stepsPerUnit: number, seed: number): Promise<JobView> {
    const response = await hive.app.inject({
      method: "POST",
      url: "/jobs",
      headers: hive.auth.alice,
      payload: {
        name: "agent",
        board: "corne",
        corpora: [{ id: "en" }],
        search: { units, stepsPerUnit, seed },
      },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json() as JobView;
  }

  const jobView = async (id: string) =>
    (await hive.app.inject({ url: `/jobs/${id}` })).json() as JobView;

  const jobReaches = (id: string, status: JobView["status"], what: string, timeoutMs: number) =>
    eventually(what, async () => (await jobView(id)).status === status, timeoutMs);

  it("works a job through to its end, every result delivered", async () => {
    const job = await submit(2, 20_000, 41);
    const { agent, lines, dataDir, stop } = startAgent();
    try {
      await jobReaches(job.id, "completed", "the job completes", 60_000);
    } finally {
      await stop();
    }
    // Registered with its thread count: the hive leases it that many units at once.
    const { rows } = await hive.db.query<{ threads: number }>(
      "SELECT threads FROM nodes WHERE id = $1",
      [agent.nodeId],
    );
    assert.equal(rows[0]?.threads, 1);
    const view = await jobView(job.id);
    assert.equal(view.units.done, 2);
    assert.ok(view.best && view.best.score > 0);
    assert.deepEqual(await new ResultOutbox(dataDir).pending(), []);
    assert.ok(
      lines.some((line) => /registered/.test(line)),
      lines.join("\n"),
    );
  });

  it("delivers the results a crashed run left in its outbox, each accepted exactly once", async () => {
    const job = await submit(1, 20_000, 43);
    // A first run registered, leased the unit, searched it and put the result in its outbox;
    // then it died before sending it.
    const dataDir = mkdtempSync(join(tmpdir(), "keyforge-agent-"));
    const identity = await loadOrCreateIdentity(dataDir);
    const client = new HiveClient(hiveUrl);
    await client.register(HIVE_SECRET, {
      publicKey: identity.publicKey,
      hardware: { cpuModel: "Test agent CPU", cores: 2, arch: "x64", caches: {} },
      calibratedIps: 200_000,
    });
    const [unit] = await client.lease(identity.nodeId, 1, 5);
    assert.ok(unit && unit.jobId === job.id, "the job's unit is leased");
    const cache = new AssetCache(assetsUrl, dataDir);
    const outcome = await runUnit(unit, (sha) => cache.read(sha)).done;
    // Signed 20 minutes ago, beyond the hive's timestamp window: the agent signs it afresh.
    const signedAt = new Date(Date.now() - 20 * 60_000).toISOString();
    const submission = signResult(identity.privateKey, unit.unitId, {
      ...outcome,
      timestamp: signedAt,
    });
    const outbox = new ResultOutbox(dataDir);
    await outbox.put({ unitId: unit.unitId, submission });
    const resultRows = async () =>
      (
        await hive.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM results WHERE unit_id = $1",
          [unit.unitId],
        )
      ).rows[0]?.n;

    const restarted = startAgent(dataDir);
    try {
      await jobReaches(job.id, "completed", "the job completes", 30_000);
      await eventually("the outbox is empty", async () => (await outbox.pending()).length === 0);
    } finally {
      await restarted.stop();
    }
    assert.equal(await resultRows(), 1);
    assert.equal((await jobView(job.id)).best?.score, outcome.score);

    // A crash between the hive's answer and the outbox's acknowledgement sends it again.
    await outbox.put({ unitId: unit.unitId, submission });
    const again = startAgent(dataDir);
    try {
      await eventually("the outbox is empty", async () => (await outbox.pending()).length === 0);
    } finally {
      await again.stop();
    }
    assert.equal(await resultRows(), 1, "the repeat is answered, not stored");
    const deadLetters = existsSync(outbox.deadLetterFolder)
      ? readdirSync(outbox.deadLetterFolder)
      : [];
    assert.deepEqual(
      deadLetters,
      [],
      `and not refused:\n${[...restarted.lines, ...again.lines].join("\n")}`,
    );
    assert.equal((await jobView(job.id)).units.done, 1);
  });

  it("retries a result the hive could not store until it is accepted", async () => {
    const job = await submit(1, 20_000, 46);
    flaky.failing = /accept_results/;
    const { lines, stop } = startAgent();
    try {
      await eventually(
        "the first delivery fails",
        () => lines.some((line) => /kept for later/.test(line)),
        30_000,
      );
      flaky.failing = null;
      // No other unit ends on this agent: the outbox is tried again on a timer.
      await jobReaches(job.id, "completed", "the job completes", 30_000);
    } finally {
      flaky.failing = null;
      await stop();
    }
    assert.ok(!lines.some((line) => /refused/.test(line)), lines.join("\n"));
  });

  it("gives a unit back while the assets gateway is away, and runs it once it is back", async () => {
    const job = await submit(1, 20_000, 47);
    const away = await closedPortUrl();
    const { lines, stop } = startTestAgent({ hiveUrl, assetsUrl: away });
    const returned = buildAssetsGateway(hive.coordinator);
    try {
      await eventually(
        "the unit is given back twice",
        () => lines.filter((line) => /given back/.test(line)).length >= 2,
        30_000,
      );
      const { port } = new URL(away);
      await returned.listen({ host: "127.0.0.1", port: Number(port) });
      await jobReaches(job.id, "completed", "the job completes", 60_000);
    } finally {
      await stop();
      await returned.close();
    }
    assert.ok(!lines.some((line) => /failed:/.test(line)), lines.join("\n"));
    const [unit] = await new UnitRepository(hive.db).unitsOfJob(job.id);
    assert.equal(unit?.attempts, 1, "a unit given back counts no attempt");
  });

  const clusterNode = async (nodeId: string | null) =>
    clusterSchema
      .parse((await hive.app.inject({ method: "GET", url: "/cluster" })).json())
      .nodes.find((node) => node.nodeId === nodeId);

  it("stops within its grace period while every thread is busy, giving the unit back and leaving the cluster at once", async () => {
    const job = await submit(1, 50_000_000_000, 48);
    const { agent, lines, stop } = startTestAgent({ hiveUrl, assetsUrl }, undefined, {
      name: "busy desk",
    });
    let stopped = false;
    try {
      await eventually("the unit runs", () => lines.some((line) => /started/.test(line)), 30_000);
      await eventually(
        "the cluster shows the node searching, by its name",
        async () => {
          const shown = await clusterNode(agent.nodeId);
          return shown?.name === "busy desk" && shown.telemetry.ips > 0;
        },
        30_000,
      );
    } finally {
      const timeout = new AbortController();
      const stopping = stop().then(() => {
        stopped = true;
      });
      await Promise.race([stopping, sleep(20_000, undefined, { signal: timeout.signal })]);
      timeout.abort();
    }
    assert.ok(stopped, "the agent stopped");
    assert.equal(await clusterNode(agent.nodeId), undefined, "it said goodbye");
    const view = await jobView(job.id);
    assert.equal(view.units.queued, 1, `${JSON.stringify(view.units)}\n${lines.join("\n")}`);
    await hive.app.inject({ method: "DELETE", url: `/jobs/${job.id}`, headers: hive.auth.alice });
  });

  it("gives a unit back while its pinned blob is missing (Valkey restarted empty), and runs it once the blob is published again", async () => {
    const job = await submit(1, 20_000, 51);
    // The agent's gateway reads a store that has lost every asset.
    const store = new MemoryCoordinator();
    const emptied = buildAssetsGateway(store);
    const emptiedUrl = await emptied.listen({ host: "127.0.0.1", port: 0 });
    const { lines, stop } = startTestAgent({ hiveUrl, assetsUrl: emptiedUrl });
    try {
      await eventually(
        "the unit is given back twice",
        () =>
          lines.filter((line) => /given back: the assets gateway has no blob/.test(line)).length >=
          2,
        30_000,
      );
      await new AssetPublisher({
        coordinator: store,
        folders: [SYSTEM_DATA_DIR],
        log: () => {},
      }).reconcile();
      await jobReaches(job.id, "completed", "the job completes", 60_000);
    } finally {
      await stop();
      await emptied.close();
    }
    assert.ok(!lines.some((line) => /failed:/.test(line)), lines.join("\n"));
    const [unit] = await new UnitRepository(hive.db).unitsOfJob(job.id);
    assert.equal(unit?.attempts, 1, "a unit given back counts no attempt");
  });

  it("completes a job across a restart of the asset plane's Valkey that loses every asset", async () => {
    const job = await submit(1, 20_000, 52);
    // The asset plane on a Redis server of its own: the asset manager publishes into it, the
    // agent's gateway reads it.
    const redis = await PrivateRedis.start();
    const managerSide = new ValkeyCoordinator(redis.url);
    const gatewaySide = new ValkeyCoordinator(redis.url);
    const manager = await AssetManager.start({
      coordinator: managerSide,
      folders: [SYSTEM_DATA_DIR],
      verifyIntervalMs: 3_600_000,
      log: () => {},
    });
    const plane = buildAssetsGateway(gatewaySide);
    const planeUrl = await plane.listen({ host: "127.0.0.1", port: 0 });
    await redis.restart();
    const { lines, stop } = startTestAgent({ hiveUrl, assetsUrl: planeUrl });
    try {
      await jobReaches(job.id, "completed", "the job completes", 60_000);
    } finally {
      await stop();
      await manager.close();
      await plane.close();
      await Promise.all([managerSide.close(), gatewaySide.close()]);
      await redis.stop();
    }
    assert.ok(!lines.some((line) => /failed:/.test(line)), lines.join("\n"));
    const [unit] = await new UnitRepository(hive.db).unitsOfJob(job.id);
    assert.equal(unit?.attempts, 1, "no attempt lost to the restart");
  });

  it("fails a unit whose pinned blob stays missing beyond its patience, saying so, and goes on working", async () => {
    const job = await submit(1, 20_000, 44);
    // This gateway holds no blobs: the unit is given back until the agent's patience is out,
    // then every lease of it fails on this agent.
    const empty = buildAssetsGateway(new MemoryCoordinator());
    const emptyUrl = await empty.listen({ host: "127.0.0.1", port: 0 });
    const { lines, stop } = startTestAgent({ hiveUrl, assetsUrl: emptyUrl }, undefined, {
      missingAssetPatienceMs: 300,
    });
    try {
      await jobReaches(
        job.id,
        "failed",
        "the unit fails for good, its three attempts reported",
        30_000,
      );
      const next = await submit(1, 20_000, 45);
      await jobReaches(next.id, "failed", "the agent leases the next job's unit too", 30_000);
    } finally {
      await stop();
      await empty.close();
    }
    const failures = lines.filter((line) => /unit \S+ failed:/.test(line));
    assert.equal(failures.length, 6, lines.join("\n"));
    assert.ok(lines.some((line) => /given back: the assets gateway has no blob/.test(line)));
    assert.ok(
      failures.every((line) => /no longer published/.test(line)),
      failures.join("\n"),
    );
    const [unit] = await new UnitRepository(hive.db).unitsOfJob(job.id);
    assert.match(
      unit?.lastError ?? "",
      /has no blob [0-9a-f]{64} \(missing for \d+ s\).*no longer published/,
    );
  });

  it("joins with a join token once, and works on as the same node after restarts once the token is used up", async () => {
    const { record, token } = await new JoinTokenRepository(hive.db).createToken({
      name: "volunteers",
      maxUses: 1,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const first = await submit(1, 20_000, 49);
    const volunteer = startTestAgent({ hiveUrl, assetsUrl }, undefined, { joinToken: token });
    try {
      await jobReaches(first.id, "completed", "the volunteer completes a job", 60_000);
    } finally {
      await volunteer.stop();
    }
    const used = await new JoinTokenRepository(hive.db).findToken(token);
    assert.equal(used?.refusal, "JOIN_TOKEN_USED_UP");

    const second = await submit(1, 20_000, 50);
    const restarted = startTestAgent({ hiveUrl, assetsUrl }, volunteer.dataDir, {
      joinToken: token,
    });
    try {
      await jobReaches(second.id, "completed", "the restarted volunteer works on", 60_000);
    } finally {
      await restarted.stop();
    }
    assert.equal((await new JoinTokenRepository(hive.db).findToken(token))?.uses, 1);

    const newcomer = startTestAgent({ hiveUrl, assetsUrl }, undefined, { joinToken: token });
    await assert.rejects(newcomer.finished, (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`403 JOIN_TOKEN_USED_UP: the join token ${record.id} has enrolled the one node`),
      );
      return true;
    });
    for (const line of [...volunteer.lines, ...restarted.lines, ...newcomer.lines]) {
      assert.ok(!line.includes(token), `a log line holds the token: ${line}`);
    }
  });

  it("stops a unit within a heartbeat once its job is cancelled", async () => {
    const job = await submit(1, 50_000_000_000, 42);
    const { lines, stop } = startAgent();
    try {
      await eventually("the unit runs", () => lines.some((line) => /started/.test(line)), 30_000);
      const cancelled = await hive.app.inject({
        method: "DELETE",
        url: `/jobs/${job.id}`,
        headers: hive.auth.alice,
      });
      assert.equal(cancelled.statusCode, 200);
      await eventually(
        "the agent aborts it",
        () => lines.some((line) => /aborting unit/.test(line)),
        20_000,
      );
    } finally {
      await stop();
    }
    assert.ok(!lines.some((line) => /failed:/.test(line)), lines.join("\n"));
  });
});

describe("the agent when the hive refuses it for good while it runs", () => {
  it("stops, and its run rejects with the hive's reason instead of retrying for ever", async () => {
    // A hive that forgets the node's token, then refuses to register the node again.
    let registrations = 0;
    const hive = Fastify();
    hive.post("/nodes/register", async (request, reply) => {
      registrations += 1;
      if (registrations > 1) {
        return reply
          .code(403)
          .send({ code: "JOIN_TOKEN_USED_UP", message: "the join token has enrolled its nodes" });
      }
      return {
        nodeId: nodeIdOf((request.body as { publicKey: string }).publicKey),
        token: "kfn.test.token",
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        heartbeatIntervalSeconds: 5,
        hints: { threads: 1 },
      };
    });
    hive.post("/nodes/:id/heartbeat", async () => ({ commands: [], heartbeatIntervalSeconds: 5 }));
    hive.post("/leases", async (_request, reply) =>
      reply.code(401).send({ code: "TOKEN_EXPIRED", message: "the node token has expired" }),
    );
    const url = await hive.listen({ host: "127.0.0.1", port: 0 });
    const { lines, finished } = startTestAgent({ hiveUrl: url, assetsUrl: url }, undefined, {
      joinToken: `kfj_${"A".repeat(43)}`,
    });
    try {
      await assert.rejects(finished, /403 JOIN_TOKEN_USED_UP: the join token has enrolled/);
    } finally {
      await hive.close();
    }
    assert.equal(registrations, 2);
    assert.ok(
      lines.some((line) => /the hive refused the node .*; stopping/.test(line)),
      lines.join("\n"),
    );
  });
});
