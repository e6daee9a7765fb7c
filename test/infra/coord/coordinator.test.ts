import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Valkey } from "iovalkey";
import {
  BLOB_CHUNK_BYTES,
  type Coordinator,
  type CoordinatorEvent,
  coordinatorKeys,
  JOB_BEST_TTL_SECONDS,
  type ManifestEntry,
  PROFILE_SHIELD_SECONDS,
} from "../../../src/infra/coord/coordinator.ts";
import { MemoryCoordinator } from "../../../src/infra/coord/memory-coordinator.ts";
import { ValkeyCoordinator } from "../../../src/infra/coord/valkey-coordinator.ts";
import { IsolatedValkey } from "../../helpers/valkey.ts";

const VALKEY_URL = process.env.KEYFORGE_TEST_VALKEY_URL ?? "redis://127.0.0.1:6379";
const TTL = 1;

/** One contract, two implementations: the in-memory coordinator must behave like Valkey. */
const implementations: [string, () => Coordinator][] = [
  ["in-memory", () => new MemoryCoordinator({ heartbeatTtlSeconds: TTL })],
  [
    "Valkey (Redis on loopback)",
    () => new ValkeyCoordinator(VALKEY_URL, { heartbeatTtlSeconds: TTL }),
  ],
];

for (const [name, create] of implementations) {
  describe(`coordinator contract: ${name}`, () => {
    const coordinator = create();
    const opened: Coordinator[] = [coordinator];
    after(async () => {
      for (const c of opened) await c.close();
    });
    const unique = () => randomUUID();

    it("lets one caller reserve a profile update until it is released", async () => {
      const cpu = `cpu-${unique()}`;
      assert.equal(await coordinator.tryReserveProfileUpdate(cpu), true);
      assert.equal(await coordinator.tryReserveProfileUpdate(cpu), false);
      await coordinator.releaseProfileUpdate(cpu);
      assert.equal(await coordinator.tryReserveProfileUpdate(cpu), true);
    });

    it("lets a nonce be claimed once, naming its unit to replays until it expires", async () => {
      const node = `node-${unique()}`;
      assert.equal(await coordinator.claimNonce(node, "n1", "u1", TTL), null);
      assert.equal(await coordinator.claimNonce(node, "n1", "u2", TTL), "u1");
      assert.equal(await coordinator.claimNonce(node, "n1", "u1", TTL), "u1");
      assert.equal(await coordinator.claimNonce(node, "n2", "u2", TTL), null);
      assert.equal(await coordinator.claimNonce(`other-${node}`, "n1", "u3", TTL), null);
      await sleep(TTL * 1000 + 200);
      assert.equal(await coordinator.claimNonce(node, "n1", "u4", TTL), null);
    });

    it("forgets a nonce on request, so its next claim is the first again", async () => {
      const node = `node-${unique()}`;
      assert.equal(await coordinator.claimNonce(node, "n1", "u1", TTL), null);
      await coordinator.forgetNonce(node, "n1");
      assert.equal(await coordinator.claimNonce(node, "n1", "u1", TTL), null);
      assert.equal(await coordinator.claimNonce(node, "n1", "u1", TTL), "u1");
    });

    it("counts requests in a window that starts with its first request", async () => {
      const key = `client-${unique()}`;
      const windowMs = TTL * 1000;
      const counts = [];
      for (let i = 0; i < 3; i++) counts.push(await coordinator.countRequest(key, windowMs));
      assert.deepEqual(
        counts.map((c) => c.count),
        [1, 2, 3],
      );
      for (const { resetInMs } of counts) assert.ok(resetInMs > 0 && resetInMs <= windowMs);
      assert.equal((await coordinator.countRequest(`other-${key}`, windowMs)).count, 1);
      await sleep(windowMs + 200);
      assert.equal((await coordinator.countRequest(key, windowMs)).count, 1, "a new window");
    });

    it("gives concurrent requests distinct counts", async () => {
      const [a, b] = [`client-${unique()}`, `client-${unique()}`];
      const counts = await Promise.all(
        Array.from({ length: 12 }, (_, i) => coordinator.countRequest(i % 3 ? a : b, 60_000)),
      );
      const of = (key: string) =>
        counts
          .filter((_, i) => (i % 3 ? a : b) === key)
          .map((c) => c.count)
          .sort((x, y) => x - y);
      assert.deepEqual(of(a), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(of(b), [1, 2, 3, 4]);
    });

    it("counts several requests at once", async () => {
      const key = `client-${unique()}`;
      assert.equal((await coordinator.countRequest(key, 60_000, 5)).count, 5);
      assert.equal((await coordinator.countRequest(key, 60_000, 3)).count, 8);
      assert.equal((await coordinator.countRequest(key, 60_000)).count, 9);
    });

    it("keeps a job's best only when it improves, with when it last improved", async () => {
      const job = `job-${unique()}`;
      const before = Date.now();
      assert.equal(await coordinator.offerJobBest(job, { score: 10, layout: "first" }), true);
      const first = (await coordinator.jobBests([job])).get(job);
      assert.ok(first, "the first offer is kept");
      assert.equal(first.score, 10);
      assert.equal(first.layout, "first");
      // The server's clock for Valkey: allow it a second of skew against this process.
      assert.ok(
        first.improvedAt >= before - 1000 && first.improvedAt <= Date.now() + 1000,
        `${before} ~ ${first.improvedAt}`,
      );

      await sleep(5);
      assert.equal(await coordinator.offerJobBest(job, { score: 9.25, layout: "better" }), true);
      const better = (await coordinator.jobBests([job])).get(job);
      assert.equal(better?.score, 9.25);
      assert.equal(better?.layout, "better");
      assert.ok(better && better.improvedAt >= first.improvedAt, "improvedAt moves forward");

      await sleep(5);
      assert.equal(await coordinator.offerJobBest(job, { score: 11, layout: "worse" }), false);
      assert.equal(await coordinator.offerJobBest(job, { score: 9.25, layout: "equal" }), false);
      assert.equal(
        await coordinator.offerJobBest(job, { score: Number.NaN, layout: "nan" }),
        false,
      );
      assert.deepEqual((await coordinator.jobBests([job])).get(job), better, "nothing changed");
    });

    it("reads the bests of several jobs at once, leaving out jobs without one", async () => {
      const [a, b, none] = [`job-${unique()}`, `job-${unique()}`, `job-${unique()}`];
      await coordinator.offerJobBest(a, { score: -3.5, layout: "a" });
      await coordinator.offerJobBest(b, { score: 0.1 + 0.2, layout: "b" });
      const bests = await coordinator.jobBests([a, none, b]);
      assert.deepEqual([...bests.keys()].sort(), [a, b].sort());
      assert.equal(bests.get(a)?.score, -3.5);
      assert.equal(bests.get(a)?.layout, "a");
      assert.equal(bests.get(b)?.score, 0.1 + 0.2, "the score reads back exactly");
      assert.equal(bests.get(b)?.layout, "b");
      assert.equal(bests.has(none), false);
      assert.deepEqual(await coordinator.jobBests([]), new Map());
    });

    it("answers a ping", async () => {
      await coordinator.ping();
    });

    it("counts live nodes and their speed, and forgets a node that stops heartbeating", async () => {
      const a = `node-${unique()}`;
      const b = `node-${unique()}`;
      await coordinator.updateHeartbeat(a, {
        ips: 1000,
        units: [{ unitId: "u1", bestScore: 12.5 }],
      });
      await coordinator.updateHeartbeat(b, { ips: 250 });
      const stats = await coordinator.getClusterStats();
      const mine = stats.nodes.filter((n) => n.nodeId === a || n.nodeId === b);
      assert.equal(mine.length, 2);
      assert.deepEqual(mine.find((n) => n.nodeId === a)?.telemetry, {
        ips: 1000,
        units: [{ unitId: "u1", bestScore: 12.5 }],
      });
      assert.ok(stats.totalIps >= 1250);
      await sleep(600);
      await coordinator.updateHeartbeat(a, { ips: 900 });
      await sleep(600);
      const later = await coordinator.getClusterStats();
      const ids = later.nodes.map((n) => n.nodeId);
      assert.ok(ids.includes(a), "a kept heartbeating");
      assert.ok(!ids.includes(b), "b expired by itself");
      assert.equal(later.nodes.find((n) => n.nodeId === a)?.telemetry.ips, 900);
    });

    it("tells when each node last heartbeated", async () => {
      const node = `node-${unique()}`;
      const before = Date.now();
      await coordinator.updateHeartbeat(node, { ips: 10 });
      const after = Date.now();
      const shown = (await coordinator.getClusterStats()).nodes.find((n) => n.nodeId === node);
      assert.ok(
        shown && shown.lastHeartbeatAt >= before && shown.lastHeartbeatAt <= after,
        `${before} <= ${shown?.lastHeartbeatAt} <= ${after}`,
      );
    });

    it("forgets a node that said goodbye at once, and only that one", async () => {
      const leaving = `node-${unique()}`;
      const staying = `node-${unique()}`;
      await coordinator.updateHeartbeat(leaving, { ips: 100 });
      await coordinator.updateHeartbeat(staying, { ips: 200 });
      await coordinator.removeHeartbeat(leaving);
      await coordinator.removeHeartbeat(`node-${unique()}`);
      const ids = (await coordinator.getClusterStats()).nodes.map((n) => n.nodeId);
      assert.ok(!ids.includes(leaving), "the node that left");
      assert.ok(ids.includes(staying), "the other node");
    });

    const entryFor = (path: string, blob: Uint8Array): ManifestEntry => ({
      path,
      sha256: createHash("sha256").update(blob).digest("hex"),
      size: blob.byteLength,
      kind: "boards",
      updated: new Date(0).toISOString(),
    });

    it("stores an asset's blob by hash, in chunks, and points the manifest at it", async () => {
      const path = `test/${unique()}.json`;
      const blob = randomBytes(2 * BLOB_CHUNK_BYTES + 1234);
      const entry = entryFor(path, blob);
      await coordinator.setManifestEntry(entry, blob);
      assert.deepEqual(
        (await coordinator.getManifest()).find((e) => e.path === path),
        entry,
      );
      assert.deepEqual(await coordinator.getBlobInfo(entry.sha256), {
        size: blob.byteLength,
        chunks: 3,
      });
      assert.deepEqual(
        Buffer.from((await coordinator.getBlobChunk(entry.sha256, 2)) ?? []),
        blob.subarray(2 * BLOB_CHUNK_BYTES),
      );
      assert.ok(Buffer.from((await coordinator.getBin(entry.sha256)) ?? []).equals(blob));
      assert.equal(await coordinator.getBin("0".repeat(64)), null);
      assert.equal(await coordinator.getBlobInfo("0".repeat(64)), null);
      await coordinator.removeManifestEntry(path);
    });

    it("moves an entry to new content, keeps old blobs by hash, and forgets removed entries", async () => {
      const path = `test/${unique()}.json`;
      const first = Buffer.from(`{"v":1,"${unique()}":0}`);
      const second = Buffer.from(`{"v":2,"${unique()}":0}`);
      await coordinator.setManifestEntry(entryFor(path, first), first);
      await coordinator.setManifestEntry(entryFor(path, second), second);
      const mine = (await coordinator.getManifest()).filter((e) => e.path === path);
      assert.deepEqual(
        mine.map((e) => e.sha256),
        [entryFor(path, second).sha256],
      );
      assert.ok(
        Buffer.from((await coordinator.getBin(entryFor(path, first).sha256)) ?? []).equals(first),
      );
      await coordinator.removeManifestEntry(path);
      assert.equal(
        (await coordinator.getManifest()).some((e) => e.path === path),
        false,
      );
    });

    it("refuses an entry whose hash or size does not match its blob, and keeps the old one", async () => {
      const path = `test/${unique()}.json`;
      const good = Buffer.from(`good ${unique()}`);
      await coordinator.setManifestEntry(entryFor(path, good), good);
      const bad = { ...entryFor(path, good), sha256: "f".repeat(64) };
      await assert.rejects(
        coordinator.setManifestEntry(bad, Buffer.from("other")),
        (e: unknown) => (e as { code?: string }).code === "ASSET_HASH_MISMATCH",
      );
      assert.equal(
        (await coordinator.getManifest()).find((e) => e.path === path)?.sha256,
        entryFor(path, good).sha256,
      );
      await coordinator.removeManifestEntry(path);
    });

    it("delivers published events to every subscriber, including other instances", async () => {
      const second = create();
      opened.push(second);
      const received: CoordinatorEvent[] = [];
      const alsoReceived: CoordinatorEvent[] = [];
      const stop = await coordinator.subscribe((event) => received.push(event));
      const stopOther = await second.subscribe((event) => alsoReceived.push(event));
      const marker = unique();
      await second.publishUpdate({ type: "job.created", jobId: marker, name: "marker" });
      for (let i = 0; i < 50 && (received.length === 0 || alsoReceived.length === 0); i++)
        await sleep(20);
      await stop();
      await stopOther();
      const mine = (list: CoordinatorEvent[]) => list.filter((e) => e.jobId === marker);
      const published = { type: "job.created", jobId: marker, name: "marker" };
      // The in-memory coordinator is per process: a second instance is a second world.
      if (name === "in-memory") assert.deepEqual(mine(alsoReceived), [published]);
      else {
        assert.deepEqual(mine(received), [published]);
        assert.deepEqual(mine(alsoReceived), [published]);
      }
      await second.publishUpdate({ type: "job.created", jobId: "after", name: "after" });
      await sleep(100);
      assert.equal(
        received.filter((e) => e.jobId === "after").length,
        0,
        "unsubscribed listeners hear nothing",
      );
    });
  });
}

describe("coordinator when Valkey is down", () => {
  it("fails fast with COORDINATOR_UNAVAILABLE instead of hanging", async () => {
    const down = new ValkeyCoordinator("redis://127.0.0.1:1");
    const started = Date.now();
    for (const call of [
      () => down.claimNonce("n", "x", "u", 1),
      () => down.ping(),
      () => down.offerJobBest("job", { score: 1, layout: "x" }),
      () => down.jobBests(["job"]),
    ]) {
      await assert.rejects(
        call(),
        (e: unknown) => (e as { code?: string }).code === "COORDINATOR_UNAVAILABLE",
      );
    }
    assert.ok(Date.now() - started < 5000);
    await down.close();
  });
});

describe("coordinator key prefix", () => {
  it("gives separate worlds on one Valkey server: manifest, blobs and events", async () => {
    const first = new IsolatedValkey();
    const second = new IsolatedValkey();
    const a = first.coordinator();
    const b = second.coordinator();
    const blob = Buffer.from(`prefixed ${randomUUID()}`);
    const entry: ManifestEntry = {
      path: "boards/prefixed.json",
      sha256: createHash("sha256").update(blob).digest("hex"),
      size: blob.byteLength,
      kind: "boards",
      updated: new Date(0).toISOString(),
    };
    const heard: CoordinatorEvent[] = [];
    const stop = await b.subscribe((event) => heard.push(event));
    await a.setManifestEntry(entry, blob);
    await a.publishUpdate({ type: "asset.updated", ...entry });
    assert.deepEqual(await a.getManifest(), [entry]);
    assert.deepEqual(await b.getManifest(), []);
    assert.equal(await b.getBlobInfo(entry.sha256), null);
    // The server delivers in order: once b hears its own marker, a's event would have come first.
    const marker = { type: "node.left", nodeId: "f".repeat(32) } as const;
    await b.publishUpdate(marker);
    for (let i = 0; i < 100 && heard.length === 0; i++) await sleep(20);
    assert.deepEqual(heard, [marker]);
    await stop();
    await first.close();
    await second.close();
  });
});

describe("coordinator asset seeding mark", () => {
  const isolated = new IsolatedValkey();
  after(() => isolated.close());
  const worlds: [string, () => Coordinator][] = [
    ["in-memory", () => new MemoryCoordinator()],
    ["Valkey (Redis on loopback)", () => isolated.coordinator()],
  ];
  for (const [name, create] of worlds) {
    it(`is absent until the assets are published, then stays (${name})`, async () => {
      const coordinator = create();
      assert.equal(await coordinator.assetsSeeded(), false);
      await coordinator.markAssetsSeeded();
      assert.equal(await coordinator.assetsSeeded(), true);
      await coordinator.markAssetsSeeded();
      assert.equal(await coordinator.assetsSeeded(), true);
    });
  }

  it("goes with the assets when Valkey loses its keys", async () => {
    const coordinator = isolated.coordinator();
    await coordinator.markAssetsSeeded();
    await isolated.wipe();
    assert.equal(await coordinator.assetsSeeded(), false);
  });
});

describe("coordinator write shield (one hardware-profile write per CPU per day)", () => {
  const isolated = new IsolatedValkey();
  const opened: Coordinator[] = [];
  after(async () => {
    for (const coordinator of opened) await coordinator.close();
    await isolated.close();
  });
  const valkey = (options: { profileShieldSeconds?: number } = {}) => {
    const coordinator = new ValkeyCoordinator(VALKEY_URL, {
      keyPrefix: isolated.prefix,
      ...options,
    });
    opened.push(coordinator);
    return coordinator;
  };
  /** Two hive instances' coordinators: two Valkey clients, or the one in-memory coordinator of `up`. */
  const worlds: [string, (shieldSeconds: number) => [Coordinator, Coordinator]][] = [
    [
      "in-memory",
      (shieldSeconds) => {
        const coordinator = new MemoryCoordinator({ profileShieldSeconds: shieldSeconds });
        return [coordinator, coordinator];
      },
    ],
    [
      "Valkey (Redis on loopback)",
      (shieldSeconds) => [
        valkey({ profileShieldSeconds: shieldSeconds }),
        valkey({ profileShieldSeconds: shieldSeconds }),
      ],
    ],
  ];
  for (const [name, instances] of worlds) {
    it(`lets the reservation expire after its TTL, shortened here to 1 s (${name})`, async () => {
      const [a, b] = instances(TTL);
      const cpu = `cpu-${randomUUID()}`;
      assert.equal(await a.tryReserveProfileUpdate(cpu), true);
      assert.equal(await b.tryReserveProfileUpdate(cpu), false, "held for the other instance");
      await sleep(TTL * 1000 + 200);
      assert.equal(await b.tryReserveProfileUpdate(cpu), true, "expired");
    });

    it(`gives the reservation to exactly one of the instances asking at once (${name})`, async () => {
      const [a, b] = instances(60);
      const cpu = `cpu-${randomUUID()}`;
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? a : b).tryReserveProfileUpdate(cpu)),
      );
      assert.equal(answers.filter(Boolean).length, 1);
    });
  }

  it("holds a reservation for 24 hours unless told otherwise (in-memory)", async () => {
    let now = Date.parse("2026-12-06T12:00:00Z");
    const coordinator = new MemoryCoordinator({ now: () => now });
    assert.equal(PROFILE_SHIELD_SECONDS, 86_400);
    assert.equal(await coordinator.tryReserveProfileUpdate("cpu"), true);
    now += PROFILE_SHIELD_SECONDS * 1000 - 1;
    assert.equal(await coordinator.tryReserveProfileUpdate("cpu"), false, "a moment before");
    now += 1;
    assert.equal(await coordinator.tryReserveProfileUpdate("cpu"), true, "24 hours on");
  });

  it("holds a reservation for 24 hours unless told otherwise (Valkey)", async () => {
    const cpu = `cpu-${randomUUID()}`;
    assert.equal(await valkey().tryReserveProfileUpdate(cpu), true);
    const raw = new Valkey(VALKEY_URL);
    try {
      const ttl = await raw.ttl(coordinatorKeys(isolated.prefix).profileShield(cpu));
      assert.ok(ttl > PROFILE_SHIELD_SECONDS - 60 && ttl <= PROFILE_SHIELD_SECONDS, `TTL ${ttl} s`);
    } finally {
      raw.disconnect();
    }
  });
});

describe("coordinator job bests expire 8 days after they last improved", () => {
  it("in memory", async () => {
    let now = Date.parse("2026-12-06T12:00:00Z");
    const coordinator = new MemoryCoordinator({ now: () => now });
    assert.equal(JOB_BEST_TTL_SECONDS, 8 * 86_400);
    assert.equal(await coordinator.offerJobBest("job", { score: 5, layout: "a" }), true);
    now += JOB_BEST_TTL_SECONDS * 1000 - 1;
    assert.equal(await coordinator.offerJobBest("job", { score: 4, layout: "b" }), true);
    assert.deepEqual((await coordinator.jobBests(["job"])).get("job"), {
      score: 4,
      layout: "b",
      improvedAt: now,
    });
    now += JOB_BEST_TTL_SECONDS * 1000 - 1;
    assert.equal((await coordinator.jobBests(["job"])).size, 1, "renewed by the kept offer");
    now += 1;
    assert.equal((await coordinator.jobBests(["job"])).size, 0, "8 days after the last one");
    assert.equal(await coordinator.offerJobBest("job", { score: 100, layout: "c" }), true);
  });

  it("on Valkey, renewed by every kept offer", async () => {
    const isolated = new IsolatedValkey();
    const coordinator = isolated.coordinator();
    const raw = new Valkey(VALKEY_URL);
    try {
      const job = `job-${randomUUID()}`;
      const key = coordinatorKeys(isolated.prefix).jobBest(job);
      assert.equal(await coordinator.offerJobBest(job, { score: 5, layout: "a" }), true);
      await raw.expire(key, 60);
      assert.equal(await coordinator.offerJobBest(job, { score: 6, layout: "b" }), false);
      assert.equal(await raw.ttl(key), 60, "a refused offer renews nothing");
      assert.equal(await coordinator.offerJobBest(job, { score: 4, layout: "c" }), true);
      const ttl = await raw.ttl(key);
      assert.ok(ttl > JOB_BEST_TTL_SECONDS - 60 && ttl <= JOB_BEST_TTL_SECONDS, `TTL ${ttl} s`);
    } finally {
      raw.disconnect();
      await isolated.close();
    }
  });
});
