import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadOrCreateIdentity } from "../../src/agent/agent-identity.ts";
import { HiveClient, HiveRefusedError, HiveUnavailableError } from "../../src/agent/hive-client.ts";
import { JoinTokenRepository } from "../../src/infra/db/join-token-repository.ts";
import { signRegistration, signResult } from "../../src/infra/node-signatures.ts";
import { clusterSchema } from "../../src/protocol/node-messages.ts";
import { HIVE_SECRET, startHive, type TestHive } from "../helpers/hive.ts";
import { layoutsOf } from "../helpers/hive-agent.ts";

describe("the agent's hive client, against a hive on a real socket", () => {
  let hive: TestHive;
  let url: string;
  before(async () => {
    hive = await startHive("embedded");
    url = await hive.app.listen({ host: "127.0.0.1", port: 0 });
  });
  after(() => hive.close());

  const registration = async () => {
    const identity = await loadOrCreateIdentity(mkdtempSync(join(tmpdir(), "keyforge-agent-")));
    return {
      identity,
      registration: {
        publicKey: identity.publicKey,
        hardware: { cpuModel: "Client test CPU", cores: 2, arch: "x64", caches: {} },
        calibratedIps: 100_000,
        // Three units leased at once need three threads.
        threads: 3,
      },
    };
  };

  it("registers, beats, leases, submits a signed result, releases and fails units, says goodbye", async () => {
    const { identity, registration: form } = await registration();
    const client = new HiveClient(`${url}/`);
    const registered = await client.register(HIVE_SECRET, form);
    assert.equal(registered.nodeId, identity.nodeId);
    const submitted = await hive.app.inject({
      method: "POST",
      url: "/jobs",
      headers: hive.auth.alice,
      payload: {
        name: "client",
        board: "corne",
        corpora: [{ id: "en" }],
        search: { units: 3, stepsPerUnit: 60_000, seed: 77 },
      },
    });
    const [first, second, third] = await client.lease(identity.nodeId, 3, 0);
    assert.ok(first && second && third);
    const beat = await client.heartbeat(identity.nodeId, {
      ips: 1000,
      units: [{ unitId: first.unitId, bestScore: 1 }],
    });
    assert.deepEqual(beat.commands, []);
    const { start } = await layoutsOf(submitted.json().content, hive.coordinator);
    const submission = signResult(identity.privateKey, first.unitId, {
      layout: start.text,
      score: start.score,
      steps: 60_000,
      durationMs: 10,
    });
    const accepted = await client.submitResult(first.unitId, submission);
    assert.equal(accepted.created, true);
    await client.release(second.unitId);
    await client.failUnit(third.unitId, "the worker thread crashed");
    await assert.rejects(
      client.failUnit(third.unitId, "again"),
      (error: unknown) => error instanceof HiveRefusedError && error.code === "LEASE_NOT_HELD",
    );
    await client.renewToken(identity.nodeId);
    assert.equal(
      (await client.heartbeat(identity.nodeId, { ips: 1, units: [] })).commands.length,
      0,
    );
    const liveIds = async () =>
      clusterSchema
        .parse((await hive.app.inject({ method: "GET", url: "/cluster" })).json())
        .nodes.map((node) => node.nodeId);
    assert.ok((await liveIds()).includes(identity.nodeId));
    await client.goodbye(identity.nodeId);
    assert.ok(!(await liveIds()).includes(identity.nodeId));
  });

  it("joins with a join token and a proof of its key", async () => {
    const { identity, registration: form } = await registration();
    const { token } = await new JoinTokenRepository(hive.db).createToken({
      name: null,
      maxUses: 1,
      expiresAt: new Date(Date.now() + 60_000),
    });
    const proof = signRegistration(identity.privateKey, identity.publicKey);
    const registered = await new HiveClient(url).register(token, { ...form, proof });
    assert.equal(registered.nodeId, identity.nodeId);
    await assert.rejects(
      new HiveClient(url).register(token, form),
      (error: unknown) =>
        error instanceof HiveRefusedError &&
        error.status === 401 &&
        error.code === "NODE_PROOF_INVALID",
    );
  });

  it("tells a refusal (with the hive's code) from an outage", async () => {
    const { registration: form } = await registration();
    await assert.rejects(
      new HiveClient(url).register("not-the-secret", form),
      (error: unknown) =>
        error instanceof HiveRefusedError && error.status === 401 && error.code === "AUTH_INVALID",
    );
    await assert.rejects(
      new HiveClient("http://127.0.0.1:1").register(HIVE_SECRET, form),
      (error: unknown) => error instanceof HiveUnavailableError,
    );
  });
});
