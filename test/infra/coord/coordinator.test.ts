import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Coordinator, CoordinatorEvent } from "../../../src/infra/coord/coordinator.ts";
import { MemoryCoordinator } from "../../../src/infra/coord/memory-coordinator.ts";
import { ValkeyCoordinator } from "../../../src/infra/coord/valkey-coordinator.ts";

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

    it("accepts a nonce once and rejects its replay until it expires", async () => {
      const node = `node-${unique()}`;
      assert.equal(await coordinator.checkAndSetNonce(node, "n1", TTL), true);
      assert.equal(await coordinator.checkAndSetNonce(node, "n1", TTL), false);
      assert.equal(await coordinator.checkAndSetNonce(node, "n2", TTL), true);
      assert.equal(await coordinator.checkAndSetNonce(`other-${node}`, "n1", TTL), true);
      await sleep(TTL * 1000 + 200);
      assert.equal(await coordinator.checkAndSetNonce(node, "n1", TTL), true);
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

    it("delivers published events to every subscriber, including other instances", async () => {
      const second = create();
      opened.push(second);
      const received: CoordinatorEvent[] = [];
      const alsoReceived: CoordinatorEvent[] = [];
      const stop = await coordinator.subscribe((event) => received.push(event));
      const stopOther = await second.subscribe((event) => alsoReceived.push(event));
      const marker = unique();
      await second.publishUpdate({ type: "job.created", marker });
      for (let i = 0; i < 50 && (received.length === 0 || alsoReceived.length === 0); i++)
        await sleep(20);
      await stop();
      await stopOther();
      const mine = (list: CoordinatorEvent[]) => list.filter((e) => e.marker === marker);
      // The in-memory coordinator is per process: a second instance is a second world.
      if (name === "in-memory")
        assert.deepEqual(mine(alsoReceived), [{ type: "job.created", marker }]);
      else {
        assert.deepEqual(mine(received), [{ type: "job.created", marker }]);
        assert.deepEqual(mine(alsoReceived), [{ type: "job.created", marker }]);
      }
      await second.publishUpdate({ type: "job.created", marker: "after" });
      await sleep(100);
      assert.equal(
        received.filter((e) => e.marker === "after").length,
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
    await assert.rejects(
      down.checkAndSetNonce("n", "x", 1),
      (e: unknown) => (e as { code?: string }).code === "COORDINATOR_UNAVAILABLE",
    );
    assert.ok(Date.now() - started < 5000);
    await down.close();
  });
});
