import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Valkey } from "iovalkey";
import { AssetManager } from "../../src/assetmgr/asset-manager.ts";
import { buildAssetsGateway } from "../../src/assets/assets-gateway.ts";
import { buildHive } from "../../src/hive/hive-app.ts";
import { DEFAULT_RATE_LIMITS } from "../../src/hive/rate-limits.ts";
import {
  type CoordinatorEvent,
  coordinatorKeys,
  KEY_PREFIX,
  type ManifestEntry,
} from "../../src/infra/coord/coordinator.ts";
import { ValkeyCoordinator } from "../../src/infra/coord/valkey-coordinator.ts";
import { ApiKeyRepository } from "../../src/infra/db/api-key-repository.ts";
import type { PostgresDatabase } from "../../src/infra/db/postgres-database.ts";
import { SYSTEM_DATA_DIR } from "../../src/infra/system-data.ts";
import { clusterSchema, heartbeatReplySchema } from "../../src/protocol/node-messages.ts";
import { capturedLogger } from "../helpers/captured-log.ts";
import { freshPostgres } from "../helpers/databases.ts";
import { DEPLOY_DIR, DeployedValkey, makeSecrets, type ValkeyService } from "../helpers/deploy.ts";
import { readEvents } from "../helpers/event-stream.ts";
import { eventually } from "../helpers/eventually.ts";
import { HIVE_SECRET } from "../helpers/hive.ts";
import {
  layoutsOf,
  leasedJob,
  registerAgent,
  signedResult,
  submitResult,
} from "../helpers/hive-agent.ts";

const keys = coordinatorKeys();

/** The reply of `attempt`, or the error it was refused with. */
async function refusal(attempt: Promise<unknown>): Promise<string> {
  try {
    return `accepted: ${JSON.stringify(await attempt)}`;
  } catch (error) {
    return (error as Error).message;
  }
}

describe("Valkey's ACL users of the production stack, each service on its own (deploy/valkey)", () => {
  let valkey: DeployedValkey;
  let extraAssets: string;
  const coordinators: ValkeyCoordinator[] = [];
  const clients: Valkey[] = [];
  /** Events seen by a listener on the hive's user, from every publisher. */
  const events: CoordinatorEvent[] = [];

  /** A coordinator on `service`'s own URL, as the service opens it. */
  function coordinatorOf(service: ValkeyService): ValkeyCoordinator {
    const coordinator = new ValkeyCoordinator(valkey.urlOf(service));
    coordinators.push(coordinator);
    return coordinator;
  }

  async function connected(as: Parameters<DeployedValkey["client"]>[0]): Promise<Valkey> {
    const client = valkey.client(as);
    clients.push(client);
    await client.connect();
    return client;
  }

  /** What the server refused `user` since it started. */
  async function refusedFor(user: string): Promise<Record<string, string>[]> {
    return (await valkey.refusals()).filter((entry) => entry.username === user);
  }

  before(async () => {
    valkey = await DeployedValkey.start();
    extraAssets = mkdtempSync(join(tmpdir(), "keyforge-extra-assets-"));
    // The operator's own folder: one board of theirs, under a name of their own.
    mkdirSync(join(extraAssets, "boards"));
    cpSync(join(SYSTEM_DATA_DIR, "boards", "corne.json"), join(extraAssets, "boards", "mine.json"));
    await coordinatorOf("hive").subscribe((event) => events.push(event));
  });

  after(async () => {
    for (const client of clients) client.disconnect();
    for (const coordinator of coordinators) await coordinator.close();
    rmSync(extraAssets, { recursive: true, force: true });
    await valkey?.stop();
  });

  it("builds the ACL file from the secret files: password hashes only, the default user off", async () => {
    const acl = readFileSync(valkey.aclFile, "utf8");
    assert.equal(statSync(valkey.aclFile).mode & 0o777, 0o600, "the ACL file is the server's only");
    for (const service of ["hive", "assets", "assetmgr"] as const) {
      const password = new URL(valkey.secrets[`valkey-url-${service}`]).password;
      assert.ok(!acl.includes(password), `no password of ${service} in the ACL file`);
      const hash = createHash("sha256").update(password).digest("hex");
      assert.match(acl, new RegExp(`^user keyforge-${service} reset on #${hash} `, "m"));
    }
    assert.ok(!acl.includes(valkey.secrets["valkey-admin-password"]), "no operator's password");
    assert.match(acl, /^user default reset$/m);

    const admin = await connected("admin");
    const flags = (await admin.call("ACL", "GETUSER", "default")) as unknown[];
    const defaultFlags = flags[flags.indexOf("flags") + 1] as string[];
    assert.ok(defaultFlags.includes("off"), `default is off (flags: ${defaultFlags})`);
    assert.ok(!defaultFlags.includes("nopass"), "default has no empty password");
    const setting = async (name: string) =>
      ((await admin.call("CONFIG", "GET", name)) as string[])[1];
    assert.equal(await setting("maxmemory-policy"), "noeviction");
    assert.equal(await setting("save"), "");
    assert.equal(await setting("appendonly"), "no");
    assert.equal(await setting("protected-mode"), "yes");

    const nobody = await connected("nobody");
    assert.match(await refusal(nobody.ping()), /^NOAUTH/);
    assert.match(await refusal(nobody.get(keys.manifest)), /^NOAUTH/);
    assert.match(await refusal(nobody.call("AUTH", "default", "")), /^WRONGPASS/);
    assert.match(await refusal(nobody.call("AUTH", "anything")), /^WRONGPASS/);
    assert.equal((await valkey.healthcheck()).ok, true, "the healthcheck logs in as the operator");
  });

  it("lets the asset manager's user publish the shipped and the extra assets, and again after an empty restart", async () => {
    const lines: string[] = [];
    const manager = await AssetManager.start({
      coordinator: coordinatorOf("assetmgr"),
      folders: [SYSTEM_DATA_DIR, extraAssets],
      verifyIntervalMs: 60_000,
      seedCheckIntervalMs: 100,
      log: (line) => lines.push(line),
    });
    try {
      const manifest = await coordinatorOf("assets").getManifest();
      const paths = manifest.map((entry) => entry.path);
      assert.ok(
        paths.includes("boards/corne.json") && paths.includes("boards/mine.json"),
        `${paths}`,
      );
      assert.ok(
        paths.some((path) => path.startsWith("corpora/")),
        `a corpus in ${paths}`,
      );
      assert.ok(!lines.some((line) => /rejected|unavailable|NOPERM/i.test(line)), lines.join("\n"));
      // asset.updated, published by the asset manager's user, reaches the hive's listener.
      await eventually("the asset events", () =>
        events.some((e) => e.type === "asset.updated" && e.path === "boards/mine.json"),
      );

      // A Valkey that restarted empty: the manager notices (EXISTS on its mark) and republishes.
      const admin = await connected("admin");
      await admin.flushall();
      await eventually(
        "the assets to be published again",
        async () => (await coordinatorOf("assets").getManifest()).length === manifest.length,
        10_000,
      );
      await eventually(
        "the seeded mark",
        async () => (await admin.exists(keys.assetsSeeded)) === 1,
      );
    } finally {
      await manager.close();
    }
    assert.deepEqual(await refusedFor("keyforge-assetmgr"), []);
  });

  it("lets the assets gateway's read-only user serve the manifest and the blobs", async () => {
    const gateway = buildAssetsGateway(coordinatorOf("assets"), { manifestMaxAgeMs: 0 });
    try {
      const health = await gateway.inject({ url: "/health" });
      assert.equal(health.statusCode, 200, health.body);
      const manifest = await gateway.inject({ url: "/manifest" });
      assert.equal(manifest.statusCode, 200, manifest.body);
      const entries = manifest.json() as ManifestEntry[];
      const corne = entries.find((entry) => entry.path === "boards/corne.json") as ManifestEntry;
      const onDisk = readFileSync(join(SYSTEM_DATA_DIR, "boards", "corne.json"));
      assert.equal(corne.sha256, createHash("sha256").update(onDisk).digest("hex"));

      const byPath = await gateway.inject({ url: "/assets/boards/corne.json" });
      assert.equal(byPath.statusCode, 200, byPath.body);
      assert.deepEqual(byPath.rawPayload, onDisk);
      // The largest asset: a blob of several chunks when it is over a chunk.
      const largest = entries.reduce((a, b) => (b.size > a.size ? b : a));
      const blob = await gateway.inject({ url: `/blobs/${largest.sha256}` });
      assert.equal(blob.statusCode, 200, blob.body);
      assert.equal(blob.rawPayload.byteLength, largest.size);
      assert.equal(createHash("sha256").update(blob.rawPayload).digest("hex"), largest.sha256);
      const head = await gateway.inject({ method: "HEAD", url: "/assets/boards/mine.json" });
      assert.equal(head.statusCode, 200);
    } finally {
      await gateway.close();
    }
    assert.deepEqual(await refusedFor("keyforge-assets"), []);
  });

  describe("the hive on its own user, with rate limits on", () => {
    let app: FastifyInstance;
    let db: PostgresDatabase;
    let drop: () => Promise<void>;
    const log = capturedLogger("hive", "info");

    before(async () => {
      ({ db, drop } = await freshPostgres());
      app = await buildHive({
        db,
        coordinator: coordinatorOf("hive"),
        secrets: [HIVE_SECRET],
        rateLimits: DEFAULT_RATE_LIMITS,
        // The reaper too (it reads the live nodes), several times during the test.
        reaperPeriodMs: 200,
        logger: log.logger,
      });
      await app.listen({ host: "127.0.0.1", port: 0 });
    });

    after(async () => {
      await app?.close();
      await drop?.();
    });

    it("registers a node, takes a job, leases, heartbeats, accepts a result and streams the events, all without a refusal", async () => {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const health = await app.inject({ url: "/health" });
      assert.equal(health.json().valkey.ok, true, health.body);
      const alice = {
        authorization: `Bearer ${(await new ApiKeyRepository(db).createKey("alice", "user")).token}`,
      };
      // Every event of the hive, through the hive's own subscription (its EventHub).
      const stream = await fetch(`${url}/events`, {
        headers: alice,
        signal: AbortSignal.timeout(30_000),
      });
      assert.equal(stream.status, 200);
      const streamed = readEvents(stream, (type) => type === "job.completed");

      const agent = await registerAgent(app);
      const { job, units } = await leasedJob(app, alice, agent, 1, 7);
      const unit = units[0] as (typeof units)[number];
      const beat = await app.inject({
        method: "POST",
        url: `/nodes/${agent.nodeId}/heartbeat`,
        headers: agent.headers,
        payload: { telemetry: { ips: 1234, units: [{ unitId: unit.unitId, bestScore: 1 }] } },
      });
      assert.equal(beat.statusCode, 200, beat.body);
      assert.deepEqual(heartbeatReplySchema.parse(beat.json()).commands, []);
      const cluster = clusterSchema.parse(
        (await app.inject({ url: "/cluster", headers: alice })).json(),
      );
      assert.deepEqual(
        cluster.nodes.map((node) => [node.nodeId, node.telemetry.ips]),
        [[agent.nodeId, 1234]],
      );

      const { start } = await layoutsOf(job.content, coordinatorOf("hive"));
      const result = signedResult(agent, unit.unitId, start.text, start.score);
      const accepted = await submitResult(app, agent, unit.unitId, result);
      assert.equal(accepted.statusCode, 200, accepted.body);
      // The same signed result again: the nonce (SET NX GET) recognises it.
      const again = await submitResult(app, agent, unit.unitId, result);
      assert.equal(again.statusCode, 200, again.body);

      const seen = await streamed;
      const types = seen.map((event) => event.type);
      for (const type of ["snapshot", "node.joined", "job.created", "job.completed"]) {
        assert.ok(types.includes(type), `${type} in ${types.join(", ")}`);
      }
      const bye = await app.inject({
        method: "POST",
        url: `/nodes/${agent.nodeId}/goodbye`,
        headers: agent.headers,
      });
      assert.equal(bye.statusCode < 300, true, bye.body);
      const left = await app.inject({ url: "/cluster", headers: alice });
      assert.equal(clusterSchema.parse(left.json()).liveNodes, 0, "the node left at once");

      // What the hive stored, as the operator sees it.
      const admin = await connected("admin");
      const stored = (pattern: string) => admin.keys(`${KEY_PREFIX}${pattern}`);
      assert.ok((await stored("ratelimit:client:*")).length > 0, "requests were counted");
      assert.ok((await stored("ratelimit:node:*")).length > 0, "the node's requests were counted");
      assert.equal((await stored("nonce:*")).length, 1, "the result's nonce is held");
      assert.equal((await stored("shield:profile:*")).length, 1, "the profile shield is held");
      const [, subscribers] = (await admin.call("PUBSUB", "NUMSUB", keys.events)) as [
        string,
        number,
      ];
      assert.ok(subscribers >= 2, "the hive and the test's listener are subscribed");

      assert.deepEqual(await refusedFor("keyforge-hive"), []);
      const complaints = log.lines().filter((line) => line.level >= 40);
      assert.deepEqual(complaints, [], "no warning or error in the hive's log");
    });
  });

  it("refuses every write of the read-only user, and keeps each user to its own keys and commands", async () => {
    const assets = await connected("assets");
    for (const attempt of [
      assets.set(keys.manifest, "{}"),
      assets.del(keys.manifest),
      assets.hset(keys.manifest, "boards/evil.json", "{}"),
      assets.hdel(keys.manifest, "boards/corne.json"),
      assets.set(keys.blobInfo("0".repeat(64)), "{}"),
      assets.publish(keys.events, JSON.stringify({ type: "asset.updated" })),
      assets.call("FLUSHALL"),
      assets.call("CONFIG", "SET", "maxmemory", "1"),
      // A read, but not of an asset key.
      assets.get(keys.heartbeat("node")),
      assets.call("KEYS", "*"),
    ]) {
      assert.match(await refusal(attempt), /^NOPERM/);
    }
    const assetsSubscriber = await connected("assets");
    assert.match(await refusal(assetsSubscriber.subscribe(keys.events)), /^NOPERM/);
    assert.ok((await coordinatorOf("assets").getManifest()).length > 0, "the manifest is intact");

    const assetmgr = await connected("assetmgr");
    assert.match(await refusal(assetmgr.set(keys.nonce("node", "n"), "x")), /^NOPERM/);
    assert.match(await refusal(assetmgr.del(keys.manifest)), /^NOPERM/);
    assert.match(await refusal(assetmgr.set("elsewhere:key", "x")), /^NOPERM/);
    assert.match(await refusal(assetmgr.publish("elsewhere:events", "x")), /^NOPERM/);

    const hive = await connected("hive");
    assert.match(await refusal(hive.hset(keys.manifest, "boards/evil.json", "{}")), /^NOPERM/);
    assert.match(await refusal(hive.set(keys.blobInfo("0".repeat(64)), "{}")), /^NOPERM/);
    assert.match(await refusal(hive.del(keys.blobInfo("0".repeat(64)))), /^NOPERM/);
    assert.match(await refusal(hive.set(keys.assetsSeeded, "1")), /^NOPERM/);
    assert.match(await refusal(hive.call("FLUSHALL")), /^NOPERM/);
    // Scripts run as the hive's user: EVAL may name only keys it may write (the rate-limit
    // counters), and each command the script runs is checked as if sent directly.
    const counter = `${KEY_PREFIX}ratelimit:acl-test`;
    assert.equal(await hive.eval("return redis.call('INCRBY', KEYS[1], 1)", 1, counter), 1);
    assert.match(
      await refusal(
        hive.eval("return redis.call('GET', KEYS[1])", 1, keys.blobInfo("0".repeat(64))),
      ),
      /^NOPERM/,
    );
    assert.match(
      await refusal(
        hive.eval("return redis.call('SET', ARGV[1], '1')", 1, counter, keys.assetsSeeded),
      ),
      // Redis 7.0 words this one as an ERR; Valkey as NOPERM.
      /NOPERM|can't access|no permissions/i,
    );

    // The server logged the refusals: the empty logs of the other tests mean something.
    const refused = await refusedFor("keyforge-assets");
    const logged = JSON.stringify(refused.map(({ reason, object }) => ({ reason, object })));
    assert.ok(
      refused.some((entry) => entry.reason === "command" && entry.object === "set"),
      `a refused command in ${logged}`,
    );
    assert.ok(
      refused.some((entry) => entry.reason === "key"),
      `a refused key in ${logged}`,
    );
  });
});

describe("deploy/valkey/start.sh", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "keyforge-valkey-start-"));
    const made = makeSecrets(join(dir, "secrets"));
    assert.equal(made.status, 0, made.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** start.sh with `echo` as the server: what it would run, on standard output. */
  function start(env: Record<string, string>, args: string[] = []) {
    const aclFile = join(dir, `users-${randomUUID()}.acl`);
    const result = spawnSync("sh", [join(DEPLOY_DIR, "valkey", "start.sh"), ...args], {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        VALKEY_SERVER: "echo",
        KEYFORGE_SECRETS_DIR: join(dir, "secrets"),
        VALKEY_ACL_FILE: aclFile,
        ...env,
      },
    });
    return { ...result, aclFile, acl: existsSync(aclFile) ? readFileSync(aclFile, "utf8") : null };
  }

  it("runs the server on valkey.conf and the ACL file, then VALKEY_MAXMEMORY and its own arguments", () => {
    const run = start({ VALKEY_MAXMEMORY: "1gb" }, ["--port", "7000"]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      run.stdout.trim(),
      `${join(DEPLOY_DIR, "valkey", "valkey.conf")} --aclfile ${run.aclFile} --maxmemory 1gb --port 7000`,
    );
    assert.equal(start({}).stdout.includes("--maxmemory"), false, "valkey.conf's value otherwise");
  });

  it("puts the key prefix into every key pattern and channel", () => {
    const run = start({ KEYFORGE_VALKEY_PREFIX: "acme:kf-2:" });
    assert.equal(run.status, 0, run.stderr);
    const acl = run.acl as string;
    assert.match(acl, / ~acme:kf-2:heartbeat:\* /);
    assert.match(acl, / %R~acme:kf-2:blob:\* /);
    assert.match(acl, / &acme:kf-2:events /);
    assert.equal(acl.includes("keyforge:v1:"), false);
    assert.doesNotMatch(acl, /@[A-Z_]+@/, "every placeholder filled");
  });

  it("refuses, writing no ACL file, a prefix KeyForge would refuse, a URL of another user, a missing file", () => {
    const badPrefix = start({ KEYFORGE_VALKEY_PREFIX: "a*b" });
    assert.equal(badPrefix.status, 1);
    assert.match(badPrefix.stderr, /KEYFORGE_VALKEY_PREFIX/);
    assert.equal(badPrefix.acl, null);

    const secrets = join(dir, "secrets");
    const assetsUrl = readFileSync(join(secrets, "valkey-url-assets"), "utf8");
    rmSync(join(secrets, "valkey-url-assets"));
    const missing = start({});
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read the secret file .*valkey-url-assets/);
    assert.equal(missing.acl, null);

    // The assets gateway given the hive's URL would be let in with the hive's rights.
    writeFileSync(
      join(secrets, "valkey-url-assets"),
      assetsUrl.replace("keyforge-assets", "keyforge-hive"),
    );
    const swapped = start({});
    assert.equal(swapped.status, 1);
    assert.match(swapped.stderr, /valkey-url-assets names the user 'keyforge-hive'/);
    assert.equal(swapped.acl, null);
    assert.equal(swapped.stderr.includes(new URL(assetsUrl).password), false, "no password shown");
  });
});
