import assert from "node:assert/strict";
import { before, it } from "node:test";
import type { Database } from "../../../src/infra/db/database.ts";
import { NodeRepository } from "../../../src/infra/db/node-repository.ts";
import { forEachDatabase } from "../../helpers/databases.ts";

forEachDatabase("NodeRepository", (open) => {
  let db: Database;
  let nodes: NodeRepository;
  before(async () => {
    db = await open();
    nodes = new NodeRepository(db);
  });
  const registration = {
    id: "node_a",
    publicKey: "MCowBQYDK2VwAyEA",
    name: "desk",
    cpuSignature: null,
    cores: 8,
    threads: 7,
    calibratedIps: 210_000,
  };

  it("registers a node, then refreshes it when it registers again", async () => {
    const first = await nodes.registerNode(registration);
    assert.equal(first.created, true);
    assert.equal(first.node.rejectedResults, 0);
    assert.equal(first.node.removedAt, null);
    const again = await nodes.registerNode({ ...registration, calibratedIps: 250_000 });
    assert.equal(again.created, false);
    assert.equal(again.node.calibratedIps, 250_000);
    assert.equal(again.node.threads, 7);
    assert.deepEqual(again.node.registeredAt, first.node.registeredAt);
  });

  it("hides removed nodes from the default list and brings them back on registration", async () => {
    await nodes.registerNode({ ...registration, id: "node_b", publicKey: "key-b" });
    assert.equal(await nodes.removeNode("node_b"), true);
    assert.equal(await nodes.removeNode("node_b"), false);
    const live = await nodes.listNodes({ includeRemoved: false });
    assert.ok(!live.some((n) => n.id === "node_b"));
    const all = await nodes.listNodes({ includeRemoved: true });
    assert.ok(all.some((n) => n.id === "node_b" && n.removedAt !== null));
    await nodes.registerNode({ ...registration, id: "node_b", publicKey: "key-b" });
    assert.equal((await nodes.getNode("node_b"))?.removedAt, null);
  });

  it("counts results rejected against a node", async () => {
    await nodes.registerNode({ ...registration, id: "node_c", publicKey: "key-c" });
    assert.equal(await nodes.countRejectedResult("node_c"), 1);
    assert.equal(await nodes.countRejectedResult("node_c"), 2);
    assert.equal(await nodes.countRejectedResult("unknown"), 0);
  });

  it("refuses a second node with the same public key", async () => {
    await assert.rejects(nodes.registerNode({ ...registration, id: "node_d" }));
  });
});
