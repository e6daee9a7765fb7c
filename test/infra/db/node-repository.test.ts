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
  const bySecret = { enrolment: "secret:0123456789abcdef", readmit: false } as const;
  const byJoinToken = { enrolment: "join", readmit: true } as const;
  const unchanged = { enrolment: null, readmit: false } as const;

  it("registers a node, then refreshes it when it registers again", async () => {
    const first = await nodes.registerNode(registration, bySecret);
    assert.equal(first.created, true);
    assert.equal(first.node.rejectedResults, 0);
    assert.equal(first.node.removedAt, null);
    assert.equal(first.node.enrolment, bySecret.enrolment);
    const again = await nodes.registerNode({ ...registration, calibratedIps: 250_000 }, unchanged);
    assert.equal(again.created, false);
    assert.equal(again.node.calibratedIps, 250_000);
    assert.equal(again.node.threads, 7);
    assert.equal(again.node.enrolment, bySecret.enrolment, "null keeps the enrolment");
    assert.deepEqual(again.node.registeredAt, first.node.registeredAt);
  });

  it("keeps a removed node out until it is readmitted, with a clean record", async () => {
    const nodeB = { ...registration, id: "node_b", publicKey: "key-b" };
    await nodes.registerNode(nodeB, bySecret);
    await nodes.countRejectedResult("node_b");
    assert.equal(await nodes.removeNode("node_b"), true);
    assert.equal(await nodes.removeNode("node_b"), false);
    const live = await nodes.listNodes({ includeRemoved: false });
    assert.ok(!live.some((n) => n.id === "node_b"));
    const all = await nodes.listNodes({ includeRemoved: true });
    assert.ok(all.some((n) => n.id === "node_b" && n.removedAt !== null));
    for (const admission of [bySecret, unchanged]) {
      await assert.rejects(
        nodes.registerNode(nodeB, admission),
        (error: Error & { code?: string }) => error.code === "NODE_REMOVED",
      );
    }
    assert.notEqual((await nodes.getNode("node_b"))?.removedAt, null);
    const back = await nodes.registerNode(nodeB, byJoinToken);
    assert.equal(back.node.removedAt, null);
    assert.equal(back.node.rejectedResults, 0);
    assert.equal(back.node.enrolment, "join");
  });

  it("counts results rejected against a node", async () => {
    await nodes.registerNode({ ...registration, id: "node_c", publicKey: "key-c" }, bySecret);
    assert.equal(await nodes.countRejectedResult("node_c"), 1);
    assert.equal(await nodes.countRejectedResult("node_c"), 2);
    assert.equal(await nodes.countRejectedResult("unknown"), 0);
  });

  it("refuses a second node with the same public key", async () => {
    await assert.rejects(nodes.registerNode({ ...registration, id: "node_d" }, bySecret));
  });
});
