import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AssetPublisher } from "../../src/assetmgr/asset-publisher.ts";
import type { Coordinator, CoordinatorEvent } from "../../src/infra/coord/coordinator.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { assetEventSchema } from "../../src/protocol/asset-messages.ts";
import { assetFolder, SMALL_ASSETS } from "../helpers/asset-folder.ts";
import { eventually } from "../helpers/eventually.ts";
import { FlakyCoordinator } from "../helpers/flaky-coordinator.ts";
import { IsolatedValkey } from "../helpers/valkey.ts";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A publisher on a fresh copy of the small assets, with its log and the events it sent. */
async function setUp(coordinator: Coordinator, folders?: string[]) {
  const data = assetFolder();
  const log: string[] = [];
  const events: CoordinatorEvent[] = [];
  const unsubscribe = await coordinator.subscribe((event) => events.push(event));
  const publisher = new AssetPublisher({
    coordinator,
    folders: folders ?? [data.dir],
    log: (line) => log.push(line),
  });
  const shaOf = async (path: string) =>
    (await coordinator.getManifest()).find((e) => e.path === path)?.sha256;
  return { data, log, events, publisher, shaOf, unsubscribe };
}

function invalidCorne(data: { dir: string }): string {
  const board = JSON.parse(readFileSync(join(data.dir, "boards", "corne.json"), "utf8"));
  board.keys[0].hand = "up";
  return JSON.stringify(board);
}

describe("asset publisher", () => {
  it("publishes every valid file once, announces each, and skips unchanged ones", async () => {
    const coordinator = new MemoryCoordinator();
    const { data, log, events, publisher, unsubscribe } = await setUp(coordinator);
    const first = await publisher.reconcile();
    assert.deepEqual(first.uploaded.map((u) => u.path).sort(), [...SMALL_ASSETS].sort());
    assert.ok(first.uploaded.every((u) => u.reason === "new"));
    const manifest = await coordinator.getManifest();
    assert.deepEqual(
      manifest.map((e) => e.path),
      [...SMALL_ASSETS].sort(),
    );
    const corne = readFileSync(join(data.dir, "boards", "corne.json"));
    const entry = manifest.find((e) => e.path === "boards/corne.json");
    assert.equal(entry?.sha256, sha256(corne));
    assert.equal(entry?.size, corne.byteLength);
    assert.equal(entry?.kind, "boards");
    assert.ok(Buffer.from((await coordinator.getBin(sha256(corne))) ?? []).equals(corne));
    assert.match(log.join("\n"), /^assetmgr: uploaded boards\/corne\.json \(sha [0-9a-f]{12}, /m);

    await eventually("four events", () => events.length === SMALL_ASSETS.length);
    for (const event of events) assetEventSchema.parse(event);
    assert.deepEqual(
      events.find((e) => e.path === "boards/corne.json"),
      {
        type: "asset.updated",
        ...entry,
      },
    );

    const second = await publisher.reconcile();
    assert.equal(second.uploaded.length, 0);
    assert.equal(second.unchanged, SMALL_ASSETS.length);
    await unsubscribe();
    await coordinator.publishUpdate({ type: "node.left", nodeId: "0".repeat(32) });
    assert.equal(events.length, SMALL_ASSETS.length, "no event for unchanged files");
    data.close();
  });

  it("uploads an edited file, and keeps the old version of an invalid one, reported once", async () => {
    const coordinator = new MemoryCoordinator();
    const { data, log, publisher, shaOf } = await setUp(coordinator);
    await publisher.reconcile();
    const served = await shaOf("boards/corne.json");
    const failingBoard = invalidCorne(data);

    data.write(
      "layouts/qwerty.json",
      readFileSync(join(data.dir, "layouts", "qwerty.json"), "utf8").replace(
        '"QWERTY"',
        '"QWERTY (edited)"',
      ),
    );
    const edited = await publisher.syncPath("layouts/qwerty.json");
    assert.deepEqual(
      edited.uploaded.map((u) => [u.path, u.reason]),
      [["layouts/qwerty.json", "changed"]],
    );

    data.write("boards/corne.json", '{"format": "keyforge-board/1", "keys": [');
    const broken = await publisher.syncPath("boards/corne.json");
    assert.equal(broken.rejected[0]?.path, "boards/corne.json");
    assert.equal(await shaOf("boards/corne.json"), served, "the old version stays served");
    assert.match(
      log.at(-1) ?? "",
      /^assetmgr: rejected boards\/corne\.json: not valid JSON: .* \(still serving sha [0-9a-f]{12}\)$/,
    );

    data.write("boards/corne.json", failingBoard);
    await publisher.syncPath("boards/corne.json");
    assert.match(log.at(-1) ?? "", /^assetmgr: rejected boards\/corne\.json: .*KEY_HAND_UNKNOWN/);
    const lines = log.length;
    const again = await publisher.reconcile();
    assert.deepEqual(
      again.rejected.map((r) => r.path),
      ["boards/corne.json"],
    );
    assert.equal(log.length, lines, "the same bad content is reported once, not at every verify");
    assert.equal(await shaOf("boards/corne.json"), served);
    data.close();
  });

  it("reports a misnamed file and never publishes it", async () => {
    const coordinator = new MemoryCoordinator();
    const { data, log, publisher, shaOf } = await setUp(coordinator);
    data.write("layouts/My Layout.json", readFileSync(join(data.dir, "layouts", "qwerty.json")));
    const report = await publisher.reconcile();
    assert.deepEqual(
      report.rejected.map((r) => r.path),
      ["layouts/My Layout.json"],
    );
    assert.match(
      log.join("\n"),
      /rejected layouts\/My Layout\.json: the file name is the asset id/,
    );
    assert.equal(await shaOf("layouts/My Layout.json"), undefined);
    data.close();
  });

  it("removes the entry of a deleted file and announces it, leaving other entries alone", async () => {
    const coordinator = new MemoryCoordinator();
    const { data, events, publisher, shaOf } = await setUp(coordinator);
    await publisher.reconcile();
    const blob = Buffer.from("not the manager's");
    const foreign = {
      path: "test/foreign.json",
      sha256: sha256(blob),
      size: blob.byteLength,
      kind: "test",
      updated: new Date().toISOString(),
    };
    await coordinator.setManifestEntry(foreign, blob);
    const removedSha = await shaOf("weights/balanced.json");

    data.remove("weights/balanced.json");
    const report = await publisher.syncPath("weights/balanced.json");
    assert.deepEqual(report.removed, ["weights/balanced.json"]);
    assert.equal(await shaOf("weights/balanced.json"), undefined);
    const removal = await eventually("a removal event", () =>
      events.find((e) => e.type === "asset.removed"),
    );
    assert.deepEqual(assetEventSchema.parse(removal), {
      ...removal,
      path: "weights/balanced.json",
      kind: "weights",
      sha256: removedSha,
    });

    data.remove("layouts/qwerty.json");
    assert.deepEqual((await publisher.reconcile()).removed, ["layouts/qwerty.json"]);
    assert.equal(await shaOf("test/foreign.json"), foreign.sha256, "not the manager's to remove");
    data.close();
  });

  it("keeps every entry when a whole folder is gone, as an unmounted volume would be", async () => {
    const coordinator = new MemoryCoordinator();
    const { data, publisher } = await setUp(coordinator);
    await publisher.reconcile();
    data.close();
    const isMissing = (e: unknown) => (e as { code?: string }).code === "ASSET_FOLDER_MISSING";
    await assert.rejects(publisher.reconcile(), isMissing);
    await assert.rejects(publisher.syncPath("boards/corne.json"), isMissing);
    assert.equal((await coordinator.getManifest()).length, SMALL_ASSETS.length);
  });

  it("serves the extra folder's file for a clashing path, and the data file once it goes", async () => {
    const coordinator = new MemoryCoordinator();
    const extra = assetFolder([]);
    const data = assetFolder();
    const publisher = new AssetPublisher({
      coordinator,
      folders: [data.dir, extra.dir],
      log: () => {},
    });
    const weights = JSON.parse(readFileSync(join(data.dir, "weights", "balanced.json"), "utf8"));
    weights.name = "Extra default";
    const mine = JSON.stringify(weights);
    extra.write("weights/balanced.json", mine);
    await publisher.reconcile();
    const entry = async () =>
      (await coordinator.getManifest()).find((e) => e.path === "weights/balanced.json");
    assert.equal((await entry())?.sha256, sha256(Buffer.from(mine)));
    extra.remove("weights/balanced.json");
    await publisher.syncPath("weights/balanced.json");
    assert.equal(
      (await entry())?.sha256,
      sha256(readFileSync(join(data.dir, "weights", "balanced.json"))),
    );
    data.close();
    extra.close();
  });

  it("announces a stored change later when the event bus failed right after the write", async () => {
    const memory = new MemoryCoordinator();
    const flaky = new FlakyCoordinator(memory);
    const { data, events, publisher } = await setUp(flaky.coordinator);
    const publish = memory.publishUpdate.bind(memory);
    let failures = 1;
    memory.publishUpdate = async (event) => {
      if (failures-- > 0) throw new Error("bus down");
      return publish(event);
    };
    await assert.rejects(publisher.reconcile(), /bus down/);
    assert.equal((await memory.getManifest()).length, SMALL_ASSETS.length, "the files were stored");
    assert.equal(events.length, 0);
    const retry = await publisher.reconcile();
    assert.equal(retry.unchanged, SMALL_ASSETS.length, "nothing to upload again");
    await eventually("every file announced", () => events.length === SMALL_ASSETS.length);
    assert.equal(new Set(events.map((e) => e.path)).size, SMALL_ASSETS.length);
    data.close();
  });

  describe("on Valkey (Redis on loopback)", () => {
    const valkey = new IsolatedValkey();
    after(() => valkey.close());

    it("re-uploads what a restart without persistence lost: entries and blobs", async () => {
      const coordinator = valkey.coordinator();
      const { data, publisher, shaOf, unsubscribe } = await setUp(coordinator);
      await publisher.reconcile();
      const corne = await shaOf("boards/corne.json");
      assert.ok(corne);

      // Blobs gone, entries still there: the entry is not enough, its content must be back.
      assert.ok((await valkey.wipe("blob:*")) > 0);
      const blobsLost = await publisher.reconcile();
      assert.deepEqual(
        blobsLost.uploaded.map((u) => u.reason),
        SMALL_ASSETS.map(() => "blob missing"),
      );
      assert.ok((await coordinator.getBin(corne))?.byteLength);

      // Everything gone.
      await valkey.wipe();
      const allLost = await publisher.reconcile();
      assert.equal(allLost.uploaded.length, SMALL_ASSETS.length);
      assert.equal(await shaOf("boards/corne.json"), corne);
      await unsubscribe();
      data.close();
    });
  });
});
