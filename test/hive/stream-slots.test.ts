import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { buildHive } from "../../src/hive/hive-app.ts";
import { StreamSlots } from "../../src/hive/stream-slots.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { freshPglite } from "../helpers/databases.ts";
import { eventually } from "../helpers/eventually.ts";
import { HIVE_SECRET } from "../helpers/hive.ts";

describe("StreamSlots", () => {
  it("lets each client hold up to its cap, and frees a slot once, when given back", () => {
    const slots = new StreamSlots(2);
    const first = slots.take("198.51.100.1");
    slots.take("198.51.100.1");
    assert.throws(() => slots.take("198.51.100.1"), { code: "TOO_MANY_STREAMS" });
    slots.take("198.51.100.2"); // another client is not affected
    first();
    first(); // a second release of the same slot frees nothing more
    slots.take("198.51.100.1");
    assert.throws(() => slots.take("198.51.100.1"), { code: "TOO_MANY_STREAMS" });
  });
});

describe("event streams per client", () => {
  it("refuse a client's stream past the cap with 429, and take it again once one closes", async () => {
    const { db, drop } = await freshPglite();
    const coordinator = new MemoryCoordinator();
    const app = await buildHive({
      db,
      coordinator,
      secrets: [HIVE_SECRET],
      maxStreamsPerClient: 2,
      rateLimits: null,
      log: () => {},
    });
    try {
      await app.listen({ host: "127.0.0.1", port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/events`;
      const open = [await fetch(url), await fetch(url)];
      for (const response of open) assert.equal(response.status, 200);
      const refused = await fetch(url);
      assert.equal(refused.status, 429);
      assert.equal(((await refused.json()) as { code: string }).code, "TOO_MANY_STREAMS");
      assert.ok(refused.headers.get("retry-after"));
      await open[0]?.body?.cancel();
      const again = await eventually("a slot given back", async () => {
        const response = await fetch(url);
        if (response.status === 200) return response;
        await response.body?.cancel();
        return undefined;
      });
      await again.body?.cancel();
      await open[1]?.body?.cancel();
    } finally {
      await app.close();
      await coordinator.close();
      await drop();
    }
  });
});
