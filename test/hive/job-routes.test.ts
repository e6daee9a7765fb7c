import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CoordinatorEvent } from "../../src/infra/coord/coordinator.ts";
import { UnitRepository } from "../../src/infra/db/unit-repository.ts";
import { errorBodySchema } from "../../src/protocol/error-body.ts";
import { INPUT_LIMITS } from "../../src/protocol/input-limits.ts";
import {
  type JobView,
  jobIdOf,
  jobListSchema,
  jobViewSchema,
} from "../../src/protocol/job-messages.ts";
import { eventually } from "../helpers/eventually.ts";
import { startHive, type TestHive } from "../helpers/hive.ts";
import { largeBoardData } from "../helpers/large-board.ts";
import { registeredNode } from "../helpers/store-fixtures.ts";

/** A valid submission; `seed` makes it a different job. */
function submission(seed: number, extra: Record<string, unknown> = {}) {
  return {
    name: `job ${seed}`,
    board: "corne",
    corpora: [{ id: "en", weight: 1 }],
    search: { units: 3, stepsPerUnit: 100_000, seed },
    ...extra,
  };
}

function expectError(
  response: { statusCode: number; json: () => unknown },
  status: number,
  code: string,
) {
  assert.equal(response.statusCode, status, JSON.stringify(response.json()));
  const body = errorBodySchema.parse(response.json());
  assert.equal(body.code, code);
  return body;
}

for (const stack of ["embedded", "server"] as const) {
  describe(`hive jobs API (${stack === "server" ? "PostgreSQL + Redis" : "PGlite + in-memory"})`, () => {
    let hive: TestHive;
    const events: CoordinatorEvent[] = [];
    before(async () => {
      hive = await startHive(stack, { maxQueuedUnits: 200 });
      await hive.coordinator.subscribe((event) => events.push(event));
    });
    after(() => hive.close());
    const post = (payload: unknown, headers: Record<string, string> = hive.auth.alice) =>
      hive.app.inject({ method: "POST", url: "/jobs", headers, payload: payload as object });

    it("stores a job under the hash of its content, once", async () => {
      const first = await post(submission(1));
      assert.equal(first.statusCode, 201, first.body);
      const job = jobViewSchema.parse(first.json());
      assert.equal(job.id, jobIdOf(job.content));
      assert.equal(first.headers.location, `/jobs/${job.id}`);
      assert.equal(job.status, "queued");
      assert.deepEqual(job.units, {
        total: 3,
        queued: 3,
        leased: 0,
        done: 0,
        failed: 0,
        cancelled: 0,
      });
      assert.equal("sha256" in job.content.board, true, "the board is pinned by hash");
      assert.deepEqual(job.top, []);

      const again = await post({ ...submission(1), name: "another name" }, hive.auth.bob);
      assert.equal(again.statusCode, 200);
      assert.equal((again.json() as JobView).id, job.id);
      assert.equal((again.json() as JobView).name, "job 1", "the stored job is returned");
      await eventually("the event", () =>
        events.some((e) => e.type === "job.created" && e.jobId === job.id),
      );
      assert.equal(events.filter((e) => e.type === "job.created" && e.jobId === job.id).length, 1);
    });

    it("gives the same id whatever order corpora, pins and fields come in", async () => {
      const a = await post(
        submission(2, {
          corpora: [{ id: "en", weight: 2 }],
          search: { units: 2, stepsPerUnit: 50_000, seed: 2, pins: "tsa" },
        }),
      );
      const b = await post({
        search: { pins: "ast", seed: 2, stepsPerUnit: 50_000, units: 2 },
        corpora: [{ weight: 2, id: "en" }],
        board: "corne",
        name: "same job",
      });
      assert.equal(a.statusCode, 201, a.body);
      assert.equal(b.statusCode, 200, b.body);
      assert.equal((a.json() as JobView).id, (b.json() as JobView).id);
    });

    it("keeps place, exclude and stayClose in the job, in one order, and only when given", async () => {
      const posed = (search: Record<string, unknown>) =>
        post(submission(5, { search: { units: 1, stepsPerUnit: 50_000, seed: 5, ...search } }));
      const a = await posed({ place: "tsae", exclude: ["r1c4", "r0c1"], stayClose: 0.5 });
      assert.equal(a.statusCode, 201, a.body);
      const job = jobViewSchema.parse(a.json());
      assert.deepEqual(job.content.search, {
        units: 1,
        stepsPerUnit: 50_000,
        seed: 5,
        pins: "",
        allKeys: false,
        place: "aest",
        exclude: ["r0c1", "r1c4"],
        stayClose: 0.5,
      });
      const b = await posed({ stayClose: 0.5, exclude: ["r0c1", "r1c4", "r0c1"], place: "east" });
      assert.equal((b.json() as JobView).id, job.id, "the same job");
      // Values that change nothing are left out: the job of a submission without them.
      const plain = await posed({});
      const idle = await posed({ exclude: [], stayClose: 0 });
      assert.equal((idle.json() as JobView).id, (plain.json() as JobView).id);
      assert.deepEqual(Object.keys((plain.json() as JobView).content.search).sort(), [
        "allKeys",
        "pins",
        "seed",
        "stepsPerUnit",
        "units",
      ]);

      const unknown = expectError(await posed({ exclude: ["nokey"] }), 400, "FLAG_INVALID");
      assert.match(unknown.message, /board corne does not have: nokey/);
      expectError(await posed({ place: "e€" }), 400, "PIN_UNKNOWN_CHAR");
      expectError(await posed({ place: "" }), 400, "SEARCH_NOTHING_TO_MOVE");
      expectError(await posed({ stayClose: -1 }), 400, "REQUEST_INVALID");
    });

    it("asks for an API key to submit, and refuses bad ones", async () => {
      expectError(await post(submission(3), {}), 401, "AUTH_REQUIRED");
      expectError(
        await post(submission(3), { authorization: "Bearer kf_wrong" }),
        401,
        "AUTH_INVALID",
      );
      expectError(await post(submission(3), { authorization: "Basic abc" }), 401, "AUTH_INVALID");
      // The hive secret enrols agents; it is no API key.
      expectError(await post(submission(3), hive.auth.secret), 401, "AUTH_INVALID");
    });

    it("refuses jobs it could not run, saying why", async () => {
      expectError(await post({ ...submission(4), board: "no-such-board" }), 400, "ASSET_UNKNOWN");
      expectError(await post({ ...submission(4), corpora: [{ id: "xx" }] }), 400, "ASSET_UNKNOWN");
      expectError(
        await post({ ...submission(4), corpora: [{ id: "en" }, { id: "en", weight: 2 }] }),
        400,
        "CORPUS_REPEATED",
      );
      const board = expectError(
        await post({ ...submission(4), board: { format: "keyforge-board/1", keys: [] } }),
        400,
        "BOARD_INVALID",
      );
      assert.ok(Array.isArray(board.details));
      expectError(
        await post(submission(4, { search: { units: 1, stepsPerUnit: 50_000, pins: "€" } })),
        400,
        "PIN_UNKNOWN_CHAR",
      );
      expectError(
        await post(submission(4, { weightOverrides: { nonsense: 1 } })),
        400,
        "WEIGHT_OVERRIDE_INVALID",
      );
      const invalid = expectError(
        await post({ name: "", board: "corne", corpora: [], search: { units: 0 } }),
        400,
        "REQUEST_INVALID",
      );
      assert.match(invalid.message, /corpora/);
      expectError(await post({ ...submission(4), unexpected: true }), 400, "REQUEST_INVALID");
    });

    it("refuses a job over an input limit with 400 LIMIT_EXCEEDED naming the limit", async () => {
      const huge = expectError(
        await post(
          submission(8, {
            board: largeBoardData(5042),
            search: { units: 1, stepsPerUnit: 10_000, allKeys: true },
          }),
        ),
        400,
        "LIMIT_EXCEEDED",
      );
      assert.deepEqual(huge.details, { limit: "boardKeys", max: 256, got: 5042 });
      assert.match(huge.message, /5,042 keys .* \(boardKeys\) is 256/);
      const units = expectError(
        await post(submission(8, { search: { units: 10_001, stepsPerUnit: 10_000 } })),
        400,
        "LIMIT_EXCEEDED",
      );
      assert.deepEqual(units.details, { limit: "units", max: 10_000, got: 10_001 });
      const overrides = Object.fromEntries(
        Array.from({ length: INPUT_LIMITS.weightOverrides.max + 1 }, (_, i) => [`w${i}`, 1]),
      );
      expectError(await post(submission(8, { weightOverrides: overrides })), 400, "LIMIT_EXCEEDED");
    });

    it("refuses deeply nested JSON with a 400 before anything recurses into it", async () => {
      // Written as text: JSON.stringify itself recurses, and would overflow before sending.
      const deep = `${'[{"a":'.repeat(5000)}1${"}]".repeat(5000)}`;
      const postText = (text: string) =>
        hive.app.inject({
          method: "POST",
          url: "/jobs",
          headers: { ...hive.auth.alice, "content-type": "application/json" },
          payload: text,
        });
      const valid = JSON.stringify(submission(9, { board: largeBoardData(40) }));
      const inBoard = expectError(
        await postText(valid.replace('"format":', `"deep":${deep},"format":`)),
        400,
        "LIMIT_EXCEEDED",
      );
      assert.deepEqual(inBoard.details, { limit: "documentDepth", max: 32, got: 10_001 });
      expectError(
        await postText(valid.replace('"board":', `"weights":{"deep":${deep}},"board":`)),
        400,
        "LIMIT_EXCEEDED",
      );
      expectError(
        await postText(valid.replace('"name":', `"name":${deep},"x":`)),
        400,
        "REQUEST_INVALID",
      );
    });

    it("lets only admins raise a job's priority", async () => {
      expectError(await post({ ...submission(5), priority: 10 }), 403, "FORBIDDEN");
      assert.equal(
        (await post({ ...submission(5), priority: 10 }, hive.auth.admin)).statusCode,
        201,
      );
    });

    it("refuses new jobs with 503 while the queue is full", async () => {
      const response = await post(
        submission(6, { search: { units: 500, stepsPerUnit: 50_000, seed: 6 } }),
      );
      expectError(response, 503, "QUEUE_FULL");
      assert.equal(response.headers["retry-after"], "5");
    });

    it("holds each user's key to its quota of open jobs and units; admins have none", async () => {
      const quoted = await startHive(stack, { keyQuota: { maxOpenJobs: 2, maxOpenUnits: 5 } });
      try {
        const send = (seed: number, units: number, auth = quoted.auth.alice) =>
          quoted.app.inject({
            method: "POST",
            url: "/jobs",
            headers: auth,
            payload: submission(seed, { search: { units, stepsPerUnit: 50_000, seed } }),
          });
        assert.equal((await send(101, 3)).statusCode, 201);
        expectError(await send(102, 3), 403, "QUOTA_EXCEEDED"); // 6 units open
        assert.equal((await send(103, 2)).statusCode, 201);
        const third = await send(104, 1);
        expectError(third, 403, "QUOTA_EXCEEDED"); // 3 jobs open
        assert.match(third.json().message, /2 open jobs with 5 units not yet done/);
        assert.equal((await send(104, 1, quoted.auth.bob)).statusCode, 201, "another key");
        assert.equal((await send(105, 9, quoted.auth.admin)).statusCode, 201, "an admin");
        const { id } = (await send(101, 3)).json() as JobView; // the same job: no new work
        await quoted.app.inject({
          method: "DELETE",
          url: `/jobs/${id}`,
          headers: quoted.auth.alice,
        });
        assert.equal((await send(102, 3)).statusCode, 201, "room again once a job ends");
      } finally {
        await quoted.close();
      }
    });

    it("shows a job, and answers 404 or 400 for unknown or malformed ids", async () => {
      const { id } = (await post(submission(7))).json() as JobView;
      const shown = await hive.app.inject({ method: "GET", url: `/jobs/${id}` });
      assert.equal(shown.statusCode, 200);
      assert.equal(jobViewSchema.parse(shown.json()).name, "job 7");
      expectError(
        await hive.app.inject({ method: "GET", url: `/jobs/${"a".repeat(64)}` }),
        404,
        "JOB_NOT_FOUND",
      );
      expectError(
        await hive.app.inject({ method: "GET", url: "/jobs/not-a-hash" }),
        400,
        "REQUEST_INVALID",
      );
    });

    it("lists jobs newest first, page by page, filtered", async () => {
      const mine: string[] = [];
      for (const seed of [10, 11, 12])
        mine.push(((await post(submission(seed), hive.auth.bob)).json() as JobView).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/jobs?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
        const page = jobListSchema.parse((await hive.app.inject({ method: "GET", url })).json());
        seen.push(...page.jobs.map((j) => j.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(new Set(seen).size, seen.length, "no job twice");
      assert.deepEqual(
        seen.filter((id) => mine.includes(id)),
        [...mine].reverse(),
      );
      const bobs = jobListSchema.parse(
        (
          await hive.app.inject({ method: "GET", url: "/jobs?mine=true", headers: hive.auth.bob })
        ).json(),
      );
      assert.deepEqual(
        bobs.jobs.map((j) => j.id).filter((id) => mine.includes(id)),
        [...mine].reverse(),
      );
      expectError(
        await hive.app.inject({ method: "GET", url: "/jobs?mine=true" }),
        401,
        "AUTH_REQUIRED",
      );
      expectError(
        await hive.app.inject({ method: "GET", url: "/jobs?cursor=bogus" }),
        400,
        "CURSOR_INVALID",
      );
      expectError(
        await hive.app.inject({ method: "GET", url: "/jobs?limit=0" }),
        400,
        "REQUEST_INVALID",
      );
      const queued = jobListSchema.parse(
        (await hive.app.inject({ method: "GET", url: "/jobs?status=cancelled" })).json(),
      );
      assert.ok(queued.jobs.every((j) => j.status === "cancelled"));
    });

    it("cancels a job for its owner or an admin, once", async () => {
      const { id } = (await post(submission(20))).json() as JobView;
      const cancel = (headers: Record<string, string>) =>
        hive.app.inject({ method: "DELETE", url: `/jobs/${id}`, headers });
      expectError(await cancel({}), 401, "AUTH_REQUIRED");
      expectError(await cancel(hive.auth.bob), 403, "FORBIDDEN");
      const done = await cancel(hive.auth.alice);
      assert.equal(done.statusCode, 200);
      const job = jobViewSchema.parse(done.json());
      assert.equal(job.status, "cancelled");
      assert.equal(job.units.cancelled, 3);
      expectError(await cancel(hive.auth.admin), 409, "JOB_NOT_CANCELLABLE");
      await eventually("the event", () =>
        events.some((e) => e.type === "job.cancelled" && e.jobId === id),
      );

      const other = (await post(submission(21))).json() as JobView;
      const byAdmin = await hive.app.inject({
        method: "DELETE",
        url: `/jobs/${other.id}`,
        headers: hive.auth.admin,
      });
      assert.equal(byAdmin.statusCode, 200);
      expectError(
        await hive.app.inject({
          method: "DELETE",
          url: `/jobs/${"b".repeat(64)}`,
          headers: hive.auth.admin,
        }),
        404,
        "JOB_NOT_FOUND",
      );
    });

    /** Unit counts of a job of three units, before any is counted. */
    const NO_UNITS = { total: 3, queued: 0, leased: 0, done: 0, failed: 0, cancelled: 0 };

    /** The job's units go to the next lease, before those of the other tests' jobs. */
    const firstInQueue = (id: string) =>
      hive.db.query("UPDATE units SET priority = 100 WHERE job_id = $1", [id]);

    it("retries a failed job for its owner or an admin: its units queued again, attempts reset", async () => {
      const { id } = (await post(submission(40))).json() as JobView;
      const retry = (headers: Record<string, string>, jobId = id) =>
        hive.app.inject({ method: "POST", url: `/jobs/${jobId}/retry`, headers });
      const refusal = expectError(await retry(hive.auth.alice), 409, "JOB_NOT_RETRYABLE");
      assert.match(refusal.message, /is queued: only a failed or cancelled job/);

      // Every attempt of every unit fails (an asset the job pins was gone), and the job with them.
      const units = new UnitRepository(hive.db);
      const node = await registeredNode(hive.db);
      await firstInQueue(id);
      for (const unit of await units.leaseUnits(node, 3, 60)) {
        await units.failUnit(unit.id, node, "the assets gateway has no blob", 1);
      }
      assert.equal(
        jobViewSchema.parse((await hive.app.inject({ url: `/jobs/${id}` })).json()).status,
        "failed",
      );
      const resubmitted = await post(submission(40));
      assert.equal(
        (resubmitted.json() as JobView).status,
        "failed",
        "resubmitting returns it as it is",
      );

      expectError(await retry({}), 401, "AUTH_REQUIRED");
      expectError(await retry(hive.auth.bob), 403, "FORBIDDEN");
      expectError(await retry(hive.auth.admin, "c".repeat(64)), 404, "JOB_NOT_FOUND");
      const retried = await retry(hive.auth.alice);
      assert.equal(retried.statusCode, 200, retried.body);
      const job = jobViewSchema.parse(retried.json());
      assert.equal(job.status, "queued");
      assert.equal(job.finishedAt, null);
      assert.deepEqual(job.units, { ...NO_UNITS, queued: 3 });
      for (const unit of await units.unitsOfJob(id)) {
        assert.deepEqual([unit.attempts, unit.lastError, unit.nodeId], [0, null, null]);
      }
      await eventually("the event", () =>
        events.some((e) => e.type === "job.retried" && e.jobId === id && e.units === 3),
      );
      expectError(await retry(hive.auth.alice), 409, "JOB_NOT_RETRYABLE");
      assert.equal((await units.leaseUnits(node, 3, 60)).length, 3, "agents get its units again");
      expectError(await retry(hive.auth.admin), 409, "JOB_NOT_RETRYABLE");
    });

    it("retries a cancelled job, keeping its done units, and refuses a completed one", async () => {
      const { id } = (await post(submission(41))).json() as JobView;
      const units = new UnitRepository(hive.db);
      const node = await registeredNode(hive.db);
      await firstInQueue(id);
      const [first] = await units.leaseUnits(node, 1, 60);
      // As if its result had been accepted: the unit is done.
      await hive.db.query("UPDATE units SET status = 'done', finished_at = now() WHERE id = $1", [
        first?.id,
      ]);
      await hive.app.inject({ method: "DELETE", url: `/jobs/${id}`, headers: hive.auth.alice });
      const retried = await hive.app.inject({
        method: "POST",
        url: `/jobs/${id}/retry`,
        headers: hive.auth.admin,
      });
      assert.equal(retried.statusCode, 200, retried.body);
      const job = jobViewSchema.parse(retried.json());
      assert.equal(job.status, "running", "some of its work is done");
      assert.deepEqual(job.units, { ...NO_UNITS, queued: 2, done: 1 });

      await hive.db.query("UPDATE jobs SET status = 'completed' WHERE id = $1", [id]);
      const completed = await hive.app.inject({
        method: "POST",
        url: `/jobs/${id}/retry`,
        headers: hive.auth.admin,
      });
      expectError(completed, 409, "JOB_NOT_RETRYABLE");
    });

    it("refuses bodies that are too large or not JSON", async () => {
      const huge = await post({ ...submission(30), name: "x".repeat(2 * 1024 * 1024) });
      expectError(huge, 413, "BODY_TOO_LARGE");
      const text = await hive.app.inject({
        method: "POST",
        url: "/jobs",
        headers: { ...hive.auth.alice, "content-type": "text/plain" },
        payload: "hello",
      });
      expectError(text, 415, "MEDIA_TYPE_UNSUPPORTED");
      const broken = await hive.app.inject({
        method: "POST",
        url: "/jobs",
        headers: { ...hive.auth.alice, "content-type": "application/json" },
        payload: "{not json",
      });
      expectError(broken, 400, "REQUEST_INVALID");
    });

    it("publishes its OpenAPI document and browsable docs", async () => {
      const openapi = (await hive.app.inject({ method: "GET", url: "/openapi.json" })).json() as {
        paths: Record<string, Record<string, unknown>>;
      };
      assert.ok(openapi.paths["/jobs"]?.post);
      assert.ok(openapi.paths["/jobs/{id}"]?.delete);
      assert.ok(openapi.paths["/jobs/{id}/retry"]?.post);
      const docs = await hive.app.inject({ method: "GET", url: "/docs/" });
      assert.equal(docs.statusCode, 200);
      assert.match(String(docs.headers["content-type"]), /html/);
    });
  });
}

describe("hive jobs API with a compile budget too small for any job", () => {
  let hive: TestHive;
  before(async () => {
    hive = await startHive("embedded", { compileBudget: { seconds: 0, memoryMb: 512 } });
  });
  after(() => hive.close());

  it("refuses the job with 400 LIMIT_EXCEEDED and keeps serving", async () => {
    const response = await hive.app.inject({
      method: "POST",
      url: "/jobs",
      headers: hive.auth.alice,
      payload: submission(1),
    });
    const body = expectError(response, 400, "LIMIT_EXCEEDED");
    assert.deepEqual(body.details, { limit: "compileSeconds", max: 0 });
    assert.equal((await hive.app.inject({ method: "GET", url: "/health" })).statusCode, 200);
  });
});

describe("hive jobs API while it checks a job at the limits", () => {
  // The hive's first read of an asset blob waits until the test lets it go: then the job's
  // check is about to start, and /health is asked at that moment.
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reading: () => void = () => {};
  const firstRead = new Promise<void>((resolve) => {
    reading = resolve;
  });
  let hive: TestHive;
  before(async () => {
    hive = await startHive("embedded", {
      wrapCoordinator: (coordinator) =>
        new Proxy(coordinator, {
          get: (target, property, receiver) => {
            const value = Reflect.get(target, property, receiver);
            if (property !== "getBin") return value;
            return async (...args: unknown[]) => {
              reading();
              await released;
              return value.apply(target, args);
            };
          },
        }),
    });
  });
  after(() => hive.close());

  it("answers /health before the check ends", async () => {
    // Every letter-block character pinned: refused (SEARCH_NOTHING_TO_MOVE) only once its
    // whole model is built, so the answer comes the moment the check ends.
    let answered = false;
    const submitting = hive.app
      .inject({
        method: "POST",
        url: "/jobs",
        headers: hive.auth.alice,
        payload: submission(1, {
          board: largeBoardData(INPUT_LIMITS.boardKeys.max),
          search: { units: 1, stepsPerUnit: 10_000, pins: "qwertyuiopasdfghjkl;zxcvbnm,./" },
        }),
      })
      .then((response) => {
        answered = true;
        return response;
      });
    await firstRead;
    release();
    const health = await hive.app.inject({ method: "GET", url: "/health" });
    assert.equal(health.statusCode, 200);
    assert.equal(answered, false, "/health waited for the job's check");
    expectError(await submitting, 400, "SEARCH_NOTHING_TO_MOVE");
  });
});
