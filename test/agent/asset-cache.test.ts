import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AssetCache, AssetMissingError } from "../../src/agent/asset-cache.ts";
import { AssetPublisher } from "../../src/assetmgr/asset-publisher.ts";
import { buildAssetsGateway } from "../../src/assets/assets-gateway.ts";
import type { ManifestEntry } from "../../src/infra/coord/coordinator.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { SYSTEM_DATA_DIR } from "../../src/infra/system-data.ts";
import { eventually } from "../helpers/eventually.ts";

describe("agent asset cache, against the assets gateway", () => {
  const coordinator = new MemoryCoordinator();
  const gateway = buildAssetsGateway(coordinator);
  let url: string;
  let corne: ManifestEntry;
  before(async () => {
    await new AssetPublisher({
      coordinator,
      folders: [SYSTEM_DATA_DIR],
      log: () => {},
    }).reconcile();
    corne = (await coordinator.getManifest()).find(
      (e) => e.path === "boards/corne.json",
    ) as ManifestEntry;
    url = await gateway.listen({ host: "127.0.0.1", port: 0 });
  });
  after(() => gateway.close());

  const dataDir = () => mkdtempSync(join(tmpdir(), "keyforge-assets-"));

  it("fetches a blob by hash, keeps it, and serves it from disk afterwards", async () => {
    const dir = dataDir();
    const bytes = await new AssetCache(url, dir).read(corne.sha256);
    assert.equal(createHash("sha256").update(bytes).digest("hex"), corne.sha256);
    const offline = new AssetCache("http://127.0.0.1:1", dir);
    const kept = Buffer.from(await offline.read(corne.sha256));
    assert.ok(kept.equals(Buffer.from(bytes)), "no gateway needed any more");
  });

  it("fetches again when the kept file no longer has its hash", async () => {
    const dir = dataDir();
    await new AssetCache(url, dir).read(corne.sha256);
    writeFileSync(join(dir, "assets", corne.sha256), "tampered");
    const bytes = await new AssetCache(url, dir).read(corne.sha256);
    assert.equal(createHash("sha256").update(bytes).digest("hex"), corne.sha256);
    assert.equal(
      createHash("sha256")
        .update(readFileSync(join(dir, "assets", corne.sha256)))
        .digest("hex"),
      corne.sha256,
    );
  });

  it("never uses bytes that do not match their hash, and names a missing blob", async () => {
    const liar: Server = createServer((_request, response) => response.end("not the blob"));
    await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
    try {
      const port = (liar.address() as AddressInfo).port;
      await assert.rejects(
        new AssetCache(`http://127.0.0.1:${port}`, dataDir()).read(corne.sha256),
        (error: unknown) =>
          (error as { code?: string }).code === "ASSET_CORRUPT" &&
          /does not match/.test((error as Error).message),
      );
    } finally {
      liar.close();
    }
    await assert.rejects(
      new AssetCache(url, dataDir()).read("0".repeat(64)),
      (error: unknown) => (error as { code?: string }).code === "ASSET_NOT_FOUND",
    );
  });
});

describe("agent asset cache, for a blob the gateway lacks", () => {
  it("says since when it has been missing, and serves the blob once it is back", async () => {
    const store = new MemoryCoordinator();
    const gateway = buildAssetsGateway(store);
    const url = await gateway.listen({ host: "127.0.0.1", port: 0 });
    try {
      const cache = new AssetCache(url, mkdtempSync(join(tmpdir(), "keyforge-assets-")));
      const bytes = Buffer.from('{"format": "keyforge-test"}');
      const sha = createHash("sha256").update(bytes).digest("hex");
      const missing = async () => {
        const error = await cache.read(sha).then(
          () => assert.fail("the blob is not there"),
          (thrown: unknown) => thrown,
        );
        assert.ok(error instanceof AssetMissingError);
        assert.equal(error.code, "ASSET_NOT_FOUND");
        assert.equal(error.sha256, sha);
        return error.missingForMs;
      };
      assert.equal(await missing(), 0, "first seen missing now");
      const first = Date.now();
      await eventually("time to pass", () => Date.now() > first + 1);
      assert.ok((await missing()) > 0, "missing since the first look");
      const entry = {
        path: "boards/t.json",
        sha256: sha,
        size: bytes.byteLength,
        kind: "boards",
        updated: new Date(0).toISOString(),
      };
      await store.setManifestEntry(entry, bytes);
      assert.deepEqual(Buffer.from(await cache.read(sha)), bytes);
    } finally {
      await gateway.close();
    }
  });
});
