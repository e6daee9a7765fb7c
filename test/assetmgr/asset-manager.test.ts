import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AssetManager } from "../../src/assetmgr/asset-manager.ts";
import { buildAssetsGateway } from "../../src/assets/assets-gateway.ts";
import type { Coordinator } from "../../src/infra/coord/coordinator.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { ValkeyCoordinator } from "../../src/infra/coord/valkey-coordinator.ts";
import { assetFolder } from "../helpers/asset-folder.ts";
import { eventually } from "../helpers/eventually.ts";
import { FlakyCoordinator } from "../helpers/flaky-coordinator.ts";
import { IsolatedValkey, PrivateRedis } from "../helpers/valkey.ts";

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

/** The deadline the acceptance criteria give for an edit to be served. */
const EDIT_SERVED_WITHIN_MS = 2000;

/** A running manager on a fresh folder, with what it logged. */
async function startManager(coordinator: Coordinator, verifyIntervalMs = 3_600_000) {
  const data = assetFolder();
  const log: string[] = [];
  const manager = await AssetManager.start({
    coordinator,
    folders: [data.dir],
    verifyIntervalMs,
    log: (line) => log.push(line),
    retryDelayMs: 50,
    settleMs: 100,
  });
  return {
    data,
    log,
    async stop() {
      await manager.close();
      data.close();
    },
  };
}

function editedLayout(data: { dir: string }, name: string): string {
  const layout = JSON.parse(readFileSync(join(data.dir, "layouts", "qwerty.json"), "utf8"));
  layout.name = name;
  return JSON.stringify(layout);
}

describe("asset manager with the gateway, on Valkey (Redis on loopback)", () => {
  const valkey = new IsolatedValkey();
  after(() => valkey.close());
  // Separate clients, as separate processes would have.
  const gateway = buildAssetsGateway(valkey.coordinator());
  after(() => gateway.close());
  const served = async (path: string) => {
    const response = await gateway.inject({ method: "GET", url: `/assets/${path}` });
    return { status: response.statusCode, etag: response.headers.etag, body: response.rawPayload };
  };

  it("serves an edited asset with its new hash within 2 s, and never a corrupt edit", async () => {
    const { data, log, stop } = await startManager(valkey.coordinator());
    const original = await served("layouts/qwerty.json");
    assert.equal(original.status, 200);

    const edited = editedLayout(data, "QWERTY, edited");
    data.write("layouts/qwerty.json", edited);
    await eventually(
      "the edit to be served",
      async () => (await served("layouts/qwerty.json")).etag === `"${sha256(edited)}"`,
      EDIT_SERVED_WITHIN_MS,
    );
    const after = await served("layouts/qwerty.json");
    assert.equal(after.etag, `"${sha256(after.body)}"`);

    data.write("layouts/qwerty.json", '{"format": "keyforge-layout/1", "letterBlock": [');
    await eventually("the invalid JSON to be reported", () =>
      log.find((line) => line.startsWith("assetmgr: rejected layouts/qwerty.json: not valid JSON")),
    );
    assert.equal((await served("layouts/qwerty.json")).etag, `"${sha256(edited)}"`);

    const board = JSON.parse(readFileSync(join(data.dir, "boards", "corne.json"), "utf8"));
    const corneBefore = (await served("boards/corne.json")).etag;
    board.keys[0].finger = "toe";
    data.write("boards/corne.json", JSON.stringify(board));
    const rejection = await eventually("the invalid board to be reported", () =>
      log.find((line) => line.startsWith("assetmgr: rejected boards/corne.json:")),
    );
    assert.match(rejection, /r0c0/);
    assert.equal((await served("boards/corne.json")).etag, corneBefore);
    await stop();
  });

  it("stops serving an asset whose file was deleted", async () => {
    const { data, stop } = await startManager(valkey.coordinator());
    assert.equal((await served("weights/balanced.json")).status, 200);
    data.remove("weights/balanced.json");
    await eventually(
      "the asset to be gone",
      async () => (await served("weights/balanced.json")).status === 404,
    );
    await stop();
  });

  it("serves everything again as soon as Valkey has lost its keys, long before the next verify", async () => {
    const { log, stop } = await startManager(valkey.coordinator());
    try {
      const before = await served("boards/corne.json");
      assert.equal(before.status, 200);
      await valkey.wipe();
      await eventually("the manifest to be restored", async () => {
        const now = await served("boards/corne.json");
        return now.status === 200 && now.etag === before.etag;
      });
      assert.ok(
        log.some((line) => /lost the assets/.test(line)),
        log.join("\n"),
      );
    } finally {
      await stop();
    }
  });
});

describe("asset manager when its Redis server restarts empty", () => {
  it("serves the assets again at once, without waiting for the next verify", async () => {
    const redis = await PrivateRedis.start();
    const managerSide = new ValkeyCoordinator(redis.url);
    const gatewaySide = new ValkeyCoordinator(redis.url);
    const gateway = buildAssetsGateway(gatewaySide, { manifestMaxAgeMs: 0 });
    const { stop } = await startManager(managerSide);
    try {
      const served = () => gateway.inject({ method: "GET", url: "/assets/boards/corne.json" });
      const before = await served();
      assert.equal(before.statusCode, 200);
      await redis.restart();
      const fresh = new ValkeyCoordinator(redis.url);
      assert.equal(
        await fresh.getBlobInfo(before.headers.etag?.slice(1, -1) ?? ""),
        null,
        "it came back empty",
      );
      await fresh.close();
      const after = await eventually(
        "the asset to be served again",
        async () => {
          const response = await served().catch(() => undefined);
          return response?.statusCode === 200 ? response : undefined;
        },
        20_000,
      );
      assert.equal(after.headers.etag, before.headers.etag);
      assert.equal(after.headers.etag, `"${sha256(after.rawPayload)}"`);
    } finally {
      await stop();
      await gateway.close();
      await Promise.all([managerSide.close(), gatewaySide.close()]);
      await redis.stop();
    }
  });
});

describe("asset manager on the in-memory coordinator, when the store is replaced by an empty one", () => {
  it("publishes everything into the new store at once", async () => {
    // A coordinator whose store can be swapped for a new, empty one: a restart in one process.
    let store = new MemoryCoordinator();
    const restartable = new Proxy({} as Coordinator, {
      get: (_target, property) => {
        const value = Reflect.get(store, property);
        return typeof value === "function" ? value.bind(store) : value;
      },
    });
    const { stop } = await startManager(restartable);
    try {
      const before = await store.getManifest();
      assert.equal(before.length, 4);
      store = new MemoryCoordinator();
      await eventually("the manifest to be published again", async () => {
        const now = await store.getManifest();
        return now.length === 4 && (await store.getBin(before[0]?.sha256 ?? "")) !== null;
      });
    } finally {
      await stop();
    }
  });
});

describe("asset manager while the coordinator is unavailable", () => {
  it("keeps running, and publishes pending changes once it is back", async () => {
    const flaky = new FlakyCoordinator(new MemoryCoordinator());
    flaky.down = true;
    const { data, log, stop } = await startManager(flaky.coordinator);
    try {
      assert.equal(
        log.filter((line) => /unavailable/.test(line)).length,
        1,
        "one line when it goes down, however many attempts",
      );
      const edited = editedLayout(data, "QWERTY while down");
      data.write("layouts/qwerty.json", edited);
      await eventually("a retry", () => flaky.count("getManifest") >= 3);
      assert.equal(log.filter((line) => /unavailable/.test(line)).length, 1);

      flaky.down = false;
      // The edit may be published on its own (its change event) before the full pass the
      // outage owes: both must come.
      await eventually("the change and the whole folder to be published", async () => {
        const manifest = await flaky.coordinator.getManifest();
        return manifest.length === 4 && manifest.some((e) => e.sha256 === sha256(edited));
      });
      assert.ok(log.includes("assetmgr: the coordinator is reachable again"));
    } finally {
      await stop();
    }
  });

  it("refuses to start on a missing folder", async () => {
    await assert.rejects(
      AssetManager.start({
        coordinator: new MemoryCoordinator(),
        folders: ["/nonexistent/keyforge-assets"],
        verifyIntervalMs: 1000,
        log: () => {},
      }),
      /is not a folder/,
    );
  });
});
