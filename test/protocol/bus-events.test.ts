import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AssetPublisher } from "../../src/assetmgr/asset-publisher.ts";
import type { CoordinatorEvent } from "../../src/infra/coord/coordinator.ts";
import type { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { busEventSchema } from "../../src/protocol/bus-events.ts";
import { assetFolder } from "../helpers/asset-folder.ts";
import { eventually } from "../helpers/eventually.ts";
import { startHive, type TestHive } from "../helpers/hive.ts";
import {
  layoutsOf,
  leasedJob,
  registerAgent,
  signedResult,
  submitResult,
} from "../helpers/hive-agent.ts";

/**
 * What the hive and the asset manager publish is what the protocol documents: every event of a
 * job's life, of a node's and of an asset's parses with the bus schema. (Publishing anything
 * else does not compile: Coordinator.publishUpdate takes a BusEvent.)
 */
describe("events on the bus", () => {
  let hive: TestHive;
  const heard: CoordinatorEvent[] = [];
  before(async () => {
    hive = await startHive("embedded");
    await hive.coordinator.subscribe((event) => heard.push(event));
  });
  after(() => hive.close());

  it("are each one of the protocol's documented events", async () => {
    const agent = await registerAgent(hive.app);
    const { job, units } = await leasedJob(hive.app, hive.auth.alice, agent, 2, 4242);
    const { start } = await layoutsOf(job.content, hive.coordinator);
    const [done, given] = units;
    assert.ok(done && given);
    const accepted = await submitResult(
      hive.app,
      agent,
      done.unitId,
      signedResult(agent, done.unitId, start.text, start.score),
    );
    assert.equal(accepted.statusCode, 200, accepted.body);
    const released = await hive.app.inject({
      method: "POST",
      url: `/units/${encodeURIComponent(given.unitId)}/release`,
      headers: agent.headers,
    });
    assert.equal(released.statusCode, 204, released.body);
    const cancelled = await hive.app.inject({
      method: "DELETE",
      url: `/jobs/${job.id}`,
      headers: hive.auth.alice,
    });
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    const retried = await hive.app.inject({
      method: "POST",
      url: `/jobs/${job.id}/retry`,
      headers: hive.auth.alice,
    });
    assert.equal(retried.statusCode, 200, retried.body);
    const goodbye = await hive.app.inject({
      method: "POST",
      url: `/nodes/${agent.nodeId}/goodbye`,
      headers: agent.headers,
    });
    assert.equal(goodbye.statusCode, 204, goodbye.body);

    const data = assetFolder();
    const publisher = new AssetPublisher({
      coordinator: hive.coordinator as MemoryCoordinator,
      folders: [data.dir],
      log: () => {},
    });
    // The folder replaces the hive's assets (asset.removed), then one of its files is edited.
    await publisher.reconcile();
    const qwerty = JSON.parse(readFileSync(join(data.dir, "layouts", "qwerty.json"), "utf8"));
    data.write("layouts/qwerty.json", JSON.stringify({ ...qwerty, name: "QWERTY, edited" }));
    await publisher.reconcile();
    data.close();

    const expected = [
      "node.joined",
      "job.created",
      "unit.done",
      "job.progress",
      "unit.requeued",
      "job.cancelled",
      "job.retried",
      "node.left",
      "asset.removed",
      "asset.updated",
    ];
    await eventually("every kind of event", () =>
      expected.every((type) => heard.some((event) => event.type === type)),
    ).catch((error) => {
      throw new Error(`${(error as Error).message}; heard ${heard.map((e) => e.type).join(", ")}`);
    });
    for (const event of heard) {
      const parsed = busEventSchema.safeParse(event);
      assert.ok(parsed.success, `${JSON.stringify(event)}: ${parsed.error?.message}`);
    }
  });
});
