import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import type { ManifestEntry } from "../../../src/infra/coord/coordinator.ts";
import { ManifestCache } from "../../../src/infra/coord/manifest-cache.ts";
import { MemoryCoordinator } from "../../../src/infra/coord/memory-coordinator.ts";
import { FlakyCoordinator } from "../../helpers/flaky-coordinator.ts";

async function withEntry(): Promise<FlakyCoordinator> {
  const memory = new MemoryCoordinator();
  const blob = Buffer.from("{}");
  const entry: ManifestEntry = {
    path: "weights/x.json",
    sha256: createHash("sha256").update(blob).digest("hex"),
    size: 2,
    kind: "weights",
    updated: new Date(0).toISOString(),
  };
  await memory.setManifestEntry(entry, blob);
  return new FlakyCoordinator(memory);
}

describe("manifest cache", () => {
  it("gives the entries by path, the JSON body and its hash as ETag", async () => {
    const flaky = await withEntry();
    const snapshot = await new ManifestCache(flaky.coordinator, 0).get();
    assert.deepEqual([...snapshot.byPath.keys()], ["weights/x.json"]);
    assert.deepEqual(
      JSON.parse(snapshot.body.toString("utf8")),
      await flaky.coordinator.getManifest(),
    );
    assert.equal(snapshot.etag, `"${createHash("sha256").update(snapshot.body).digest("hex")}"`);
  });

  it("reads once for concurrent requests, and once per period", async () => {
    const flaky = await withEntry();
    const cache = new ManifestCache(flaky.coordinator, 60_000);
    await Promise.all(Array.from({ length: 20 }, () => cache.get()));
    await cache.get();
    assert.equal(flaky.count("getManifest"), 1);
    const uncached = new ManifestCache(flaky.coordinator, 0);
    await Promise.all([uncached.get(), uncached.get()]);
    await uncached.get();
    assert.equal(flaky.count("getManifest"), 3, "shared while in flight, read again after");
  });

  it("does not keep a failure: the next request reads again", async () => {
    const flaky = await withEntry();
    const cache = new ManifestCache(flaky.coordinator, 60_000);
    flaky.down = true;
    await assert.rejects(cache.get(), /unavailable/);
    flaky.down = false;
    assert.equal((await cache.get()).byPath.size, 1);
  });

  it("keeps the last manifest while the coordinator is down, when asked to", async () => {
    const flaky = await withEntry();
    const cache = new ManifestCache(flaky.coordinator, 0, { keepLastWhileUnavailable: true });
    flaky.down = true;
    await assert.rejects(cache.get(), /unavailable/, "nothing read yet: the outage shows");
    flaky.down = false;
    await cache.get();
    flaky.down = true;
    assert.equal((await cache.get()).byPath.size, 1);
  });
});
