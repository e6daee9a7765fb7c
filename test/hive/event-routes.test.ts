import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildHive } from "../../src/hive/hive-app.ts";
import { PostgresDatabase } from "../../src/infra/db/postgres-database.ts";
import { jobViewSchema } from "../../src/protocol/job-messages.ts";
import { TEST_DATABASE_URL } from "../helpers/databases.ts";
import { readEvents } from "../helpers/event-stream.ts";
import { HIVE_SECRET, startHive, type TestHive } from "../helpers/hive.ts";
import {
  layoutsOf,
  leasedJob,
  registerAgent,
  signedResult,
  submitResult,
} from "../helpers/hive-agent.ts";

describe("event streams across hive instances (PostgreSQL + Redis)", () => {
  let a: TestHive;
  let b: FastifyInstance;
  let bDatabase: PostgresDatabase;
  let url: string;
  before(async () => {
    a = await startHive("server");
    await a.app.listen({ host: "127.0.0.1", port: 0 });
    url = `http://127.0.0.1:${(a.app.server.address() as AddressInfo).port}`;
    // Instance B: its own pool and its own Valkey clients, on the same stores.
    bDatabase = new PostgresDatabase(TEST_DATABASE_URL, { schema: a.db.schema });
    b = await buildHive({
      db: bDatabase,
      coordinator: a.coordinator,
      secrets: [HIVE_SECRET],
      log: () => {},
    });
  });
  after(async () => {
    await b.close();
    await bDatabase.close();
    await a.close();
  });

  it("shows a client of instance A a job progress and complete while agents talk to B", async () => {
    const agent = await registerAgent(b);
    const { job, units } = await leasedJob(b, a.auth.alice, agent, 2, 1);
    const stream = await fetch(`${url}/jobs/${job.id}/events`);
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get("content-type") ?? "", /text\/event-stream/);
    const reading = readEvents(stream, (type) => type === "job.completed");
    const layouts = await layoutsOf(job.content, a.coordinator);
    for (const [i, unit] of units.entries()) {
      const layout = i === 0 ? layouts.start : layouts.swapped;
      const answer = await submitResult(
        b,
        agent,
        unit.unitId,
        signedResult(agent, unit.unitId, layout.text, layout.score),
      );
      assert.equal(answer.statusCode, 200, answer.body);
    }
    const events = await reading;
    assert.equal(events[0]?.type, "snapshot");
    assert.equal(jobViewSchema.parse(events[0]?.data).id, job.id);
    const types = events.map((e) => e.type);
    assert.ok(types.includes("job.progress"), types.join(", "));
    assert.equal(types.filter((t) => t === "unit.done").length, 2);
    assert.equal(types.at(-1), "job.completed");
    assert.ok(
      events.every((e) => e.type === "snapshot" || e.data.jobId === job.id),
      "only this job's events",
    );
  });

  it("streams every event on /events, after a snapshot of recent jobs", async () => {
    const stream = await fetch(`${url}/events`);
    const reading = readEvents(stream, (type) => type === "node.joined");
    const agent = await registerAgent(b);
    const events = await reading;
    assert.equal(events[0]?.type, "snapshot");
    assert.ok(Array.isArray(events[0]?.data.jobs));
    assert.equal(events.at(-1)?.data.nodeId, agent.nodeId);
  });

  it("answers 404 for the events of an unknown job", async () => {
    const response = await fetch(`${url}/jobs/${"c".repeat(64)}/events`);
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { code: string }).code, "JOB_NOT_FOUND");
  });
});
