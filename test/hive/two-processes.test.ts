import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, randomInt } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { AssetPublisher } from "../../src/assetmgr/asset-publisher.ts";
import { SCORING_RULES } from "../../src/core/scoring/model.ts";
import { ApiKeyRepository } from "../../src/infra/db/api-key-repository.ts";
import { SYSTEM_DATA_DIR } from "../../src/infra/system-data.ts";
import { type JobView, jobViewSchema } from "../../src/protocol/job-messages.ts";
import {
  type LeasedUnit,
  leaseReplySchema,
  nodeRegisteredSchema,
  resultAcceptedSchema,
} from "../../src/protocol/node-messages.ts";
import { freshPostgres, TEST_DATABASE_URL } from "../helpers/databases.ts";
import { eventually } from "../helpers/eventually.ts";
import { layoutsOf, signedResult, type TestAgent } from "../helpers/hive-agent.ts";
import { type RunningCli, startCli } from "../helpers/run-cli.ts";
import { IsolatedValkey, TEST_VALKEY_URL } from "../helpers/valkey.ts";

const HIVE_SECRET = `two-processes-secret-${randomBytes(8).toString("hex")}`;
/** What the operator's agents enrol with; jobs go in with an API key. */
const ENROL = { authorization: `Bearer ${HIVE_SECRET}` };
const UNITS = 3;
/** How long the client of A may wait for the events of work done through B. */
const EVENTS_DEADLINE_MS = 20_000;

interface StreamedEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** A Server-Sent Events stream read in the background; `events` holds every event so far. */
class EventStream {
  readonly events: StreamedEvent[] = [];
  /** Why reading stopped before the stream was closed (the server went away, bad data). */
  private failure: unknown = null;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly reading: Promise<void>;

  private constructor(response: Response) {
    this.reader = (response.body as ReadableStream<Uint8Array>).getReader();
    this.reading = this.pump();
  }

  static async open(url: string): Promise<EventStream> {
    const response = await fetch(url);
    // The body of a stream never ends: only an error answer is read whole.
    if (response.status !== 200) assert.fail(`${response.status}: ${await response.text()}`);
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    return new EventStream(response);
  }

  /** The first event `accepts` takes, once it has arrived. */
  next(what: string, accepts: (event: StreamedEvent) => boolean, timeoutMs: number) {
    return eventually(
      what,
      () => {
        const event = this.events.find(accepts);
        if (!event && this.failure)
          throw new Error(`the stream failed before ${what}`, { cause: this.failure });
        return event;
      },
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {});
    await this.reading;
  }

  /** Parses `event:`/`data:` blocks; comment blocks (keep-alives) carry neither and are skipped. */
  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type !== undefined && data !== undefined) {
            this.events.push({ type, data: JSON.parse(data) });
          }
        }
      }
    } catch (error) {
      this.failure = error;
    }
  }
}

/** Calls `path` on a hive with a JSON body, and answers the status and the parsed body. */
async function post(base: string, path: string, headers: Record<string, string>, body: object) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** Registers a fresh Ed25519 agent over HTTP, as `keyforge agent` would. */
async function registerAgentOver(base: string): Promise<TestAgent> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const reply = await post(base, "/nodes/register", ENROL, {
    publicKey: publicKey.export({ format: "jwk" }).x,
    hardware: { cpuModel: "Test agent CPU", cores: 2, arch: "x64" },
    calibratedIps: 100_000,
    threads: UNITS,
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const registered = nodeRegisteredSchema.parse(reply.body);
  return {
    nodeId: registered.nodeId,
    privateKey,
    headers: { authorization: `Bearer ${registered.token}` },
  };
}

/** What a hive's /metrics says: the routes it answered, and its open event streams. */
async function servedBy(base: string): Promise<{ routes: Set<string>; eventStreams: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const routes = text.matchAll(/^keyforge_hive_requests_total\{[^}]*route="([^"]*)"/gm);
  const eventStreams = /^keyforge_hive_event_streams (\d+)$/m.exec(text)?.[1];
  return {
    routes: new Set([...routes].map((m) => m[1] ?? "")),
    eventStreams: Number(eventStreams),
  };
}

/** Sends SIGTERM, and SIGKILL when the process has not gone within 10 s (cleanup only). */
async function stopSurely(hive: RunningCli): Promise<void> {
  const stopped = await Promise.race([hive.stop("SIGTERM"), sleep(10_000, null, { ref: false })]);
  if (stopped === null) await hive.stop("SIGKILL");
}

describe("two keyforge hive processes on one PostgreSQL and one Redis", () => {
  // Stores of this test's own: an empty schema (the hives migrate it) and a Valkey prefix.
  const valkey = new IsolatedValkey();
  const coordinator = valkey.coordinator();
  let dropSchema: (() => Promise<void>) | undefined;
  const hives: RunningCli[] = [];
  const streams: EventStream[] = [];
  let urlA: string;
  let urlB: string;
  let submitter: Record<string, string>;

  before(async () => {
    const { db, drop } = await freshPostgres({ migrated: false });
    dropSchema = drop;
    await new AssetPublisher({
      coordinator,
      folders: [SYSTEM_DATA_DIR],
      log: () => {},
    }).reconcile();
    const env = {
      HIVE_SECRET,
      DATABASE_URL: TEST_DATABASE_URL,
      KEYFORGE_DATABASE_SCHEMA: db.schema,
      KEYFORGE_VALKEY_PREFIX: valkey.prefix,
    };
    /** Starts a hive process (stopped by `after` whatever happens) and waits until it listens. */
    const startHive = async () => {
      const hive = startCli(["hive", "--port", "0", "--valkey", TEST_VALKEY_URL], { env });
      hives.push(hive);
      const [, url] = await hive.waitFor(/hive: listening on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
      return url as string;
    };
    [urlA, urlB] = await Promise.all([startHive(), startHive()]);
    const { token } = await new ApiKeyRepository(db).createKey("two processes", "user");
    submitter = { authorization: `Bearer ${token}` };
  });

  after(async () => {
    for (const stream of streams) await stream.close();
    await Promise.all(hives.map(stopSurely));
    await valkey.close();
    await dropSchema?.();
  });

  it("shows a client of A the progress and completion of a job whose agent talks only to B", async () => {
    assert.notEqual(urlA, urlB);
    // The job goes in through B as well: A answers nothing but the reads of the client.
    const submitted = await post(urlB, "/jobs", submitter, {
      name: "two processes",
      board: "corne",
      corpora: [{ id: "en" }],
      search: { units: UNITS, stepsPerUnit: 50_000, seed: randomInt(1, 2 ** 31) },
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const job: JobView = jobViewSchema.parse(submitted.body);

    const stream = await EventStream.open(`${urlA}/jobs/${job.id}/events`);
    streams.push(stream);
    // The snapshot is written once the stream listens to the bus: nothing after it is missed.
    const snapshot = await stream.next("the snapshot", (e) => e.type === "snapshot", 5000);
    assert.equal(jobViewSchema.parse(snapshot.data).id, job.id);

    const agent = await registerAgentOver(urlB);
    const units: LeasedUnit[] = [];
    while (units.length < UNITS) {
      const leased = await post(urlB, "/leases", agent.headers, {
        nodeId: agent.nodeId,
        max: 8,
        waitSeconds: 0,
        scoring: SCORING_RULES,
      });
      assert.equal(leased.status, 200, JSON.stringify(leased.body));
      const got = leaseReplySchema.parse(leased.body).units;
      assert.ok(got.length > 0, "B leases the job's queued units");
      units.push(...got);
    }
    assert.ok(units.every((unit) => unit.jobId === job.id));

    const layouts = await layoutsOf(job.content, coordinator);
    const [better, worse] = [layouts.start, layouts.swapped].sort((x, y) => x.score - y.score);
    assert.ok(better && worse && better.score < worse.score, "two layouts of different scores");
    // Worse first, then the new best, then worse again: the best moves exactly once more.
    for (const [i, unit] of units.entries()) {
      const layout = i === 1 ? better : worse;
      const answer = await post(
        urlB,
        `/units/${encodeURIComponent(unit.unitId)}/result`,
        agent.headers,
        signedResult(agent, unit.unitId, layout.text, layout.score),
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const accepted = resultAcceptedSchema.parse(answer.body);
      assert.equal(accepted.newBest, i < 2, `unit ${i} is${i < 2 ? "" : " not"} a new best`);
      assert.equal(accepted.jobStatus, i === UNITS - 1 ? "completed" : "running");
    }

    // A new best within a second of the last one reaches clients late (it is throttled, not
    // dropped), possibly after job.completed: wait for both.
    await stream.next("job.completed", (e) => e.type === "job.completed", EVENTS_DEADLINE_MS);
    await stream.next(
      "job.progress with the new best",
      (e) => e.type === "job.progress" && e.data.bestScore === better.score,
      EVENTS_DEADLINE_MS,
    );
    const { events } = stream;
    assert.equal(events[0]?.type, "snapshot");
    assert.ok(
      events.slice(1).every((e) => e.data.jobId === job.id),
      "only this job's events",
    );
    const progress = events.filter((e) => e.type === "job.progress");
    assert.equal(progress.at(-1)?.data.bestScore, better.score);
    assert.equal(progress.at(-1)?.data.layout, better.text);
    assert.deepEqual(
      events
        .filter((e) => e.type === "unit.done")
        .map((e) => e.data.unitId)
        .sort(),
      units.map((unit) => unit.unitId).sort(),
    );
    const completed = events.filter((e) => e.type === "job.completed");
    assert.equal(completed.length, 1);
    assert.equal(completed[0]?.data.status, "completed");

    const seenByA = jobViewSchema.parse(await (await fetch(`${urlA}/jobs/${job.id}`)).json());
    assert.equal(seenByA.status, "completed");
    assert.equal(seenByA.bestScore, better.score);
    assert.equal(seenByA.units.done, UNITS);

    const [servedByA, servedByB] = [await servedBy(urlA), await servedBy(urlB)];
    for (const route of ["/nodes/register", "/leases", "/units/:id/result"]) {
      assert.ok(!servedByA.routes.has(route), `A never answered ${route}`);
      assert.ok(servedByB.routes.has(route), `B answered ${route}`);
    }
    assert.equal(servedByA.eventStreams, 1, "the client streams from A");
    assert.equal(servedByB.eventStreams, 0, "nobody streams from B");

    await stream.close();
    const [exitA, exitB] = await Promise.all(hives.map((hive) => hive.stop("SIGTERM")));
    assert.equal(exitA?.status, 0, exitA?.stderr);
    assert.equal(exitB?.status, 0, exitB?.stderr);
  });
});
