import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { exceededLimit } from "../../src/protocol/input-limits.ts";
import {
  type JobContent,
  jobBudgetOf,
  jobContentSchema,
  jobIdOf,
  jobSubmissionSchema,
} from "../../src/protocol/job-messages.ts";

const sha = fc.stringMatching(/^[0-9a-f]{64}$/);
const content: fc.Arbitrary<JobContent> = fc.record({
  format: fc.constant("keyforge-job/1" as const),
  board: fc.record({ path: fc.constant("boards/corne.json"), sha256: sha }),
  start: fc.record({ text: fc.string() }),
  corpora: fc.array(
    fc.record({
      path: fc.string(),
      sha256: sha,
      weight: fc.double({ min: 0.01, max: 10, noNaN: true }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  weights: fc.record({ path: fc.constant("weights/default.json"), sha256: sha }),
  weightOverrides: fc.dictionary(
    fc.string({ minLength: 1, maxLength: 8 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  ),
  search: fc.record(
    {
      units: fc.integer({ min: 1, max: 10_000 }),
      stepsPerUnit: fc.integer({ min: 10_000, max: 1e9 }),
      seed: fc.nat(),
      pins: fc.string(),
      allKeys: fc.boolean(),
      place: fc.string(),
      exclude: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 4 }),
      stayClose: fc.double({ min: 0, max: 100, noNaN: true }),
    },
    { requiredKeys: ["units", "stepsPerUnit", "seed", "pins", "allKeys"] },
  ),
});

/** The same value with its object keys in reverse order, at every depth. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

describe("job ids", () => {
  it("are stable: the same content gives the same id whatever its key order", () => {
    fc.assert(
      fc.property(content, (job) => {
        assert.match(jobIdOf(job), /^[0-9a-f]{64}$/);
        assert.equal(jobIdOf(reversedKeys(job) as JobContent), jobIdOf(job));
        assert.equal(
          jobIdOf(jobContentSchema.parse(JSON.parse(JSON.stringify(job)))),
          jobIdOf(job),
        );
      }),
    );
  });

  it("differ when anything the search depends on differs", () => {
    fc.assert(
      fc.property(content, fc.nat(), (job, seed) => {
        fc.pre(seed !== job.search.seed);
        assert.notEqual(jobIdOf({ ...job, search: { ...job.search, seed } }), jobIdOf(job));
      }),
    );
  });

  it("do not change across releases for the same content", () => {
    const job: JobContent = {
      format: "keyforge-job/1",
      board: { path: "boards/corne.json", sha256: "a".repeat(64) },
      start: { path: "layouts/qwerty.json", sha256: "b".repeat(64) },
      corpora: [{ path: "corpora/en.json", sha256: "c".repeat(64), weight: 1 }],
      weights: { path: "weights/default.json", sha256: "d".repeat(64) },
      weightOverrides: { sfb: 20 },
      search: { units: 4, stepsPerUnit: 100_000, seed: 1, pins: "", allKeys: false },
    };
    // The canonical text, written out by hand: sorted keys, no spaces.
    const canonical = `{"board":{"path":"boards/corne.json","sha256":"${"a".repeat(64)}"},"corpora":[{"path":"corpora/en.json","sha256":"${"c".repeat(64)}","weight":1}],"format":"keyforge-job/1","search":{"allKeys":false,"pins":"","seed":1,"stepsPerUnit":100000,"units":4},"start":{"path":"layouts/qwerty.json","sha256":"${"b".repeat(64)}"},"weightOverrides":{"sfb":20},"weights":{"path":"weights/default.json","sha256":"${"d".repeat(64)}"}}`;
    assert.equal(jobIdOf(job), createHash("sha256").update(canonical).digest("hex"));
    assert.equal(jobIdOf(job), "a9e8b14dd9dd63c4e7fe341ce725f3a747004a9f5ec0dcc63b371c7d3ce8b281");
    // A job stored before place, exclude and stayClose existed still parses, to the same id.
    const stored = jobContentSchema.parse(JSON.parse(canonical));
    assert.deepEqual(Object.keys(stored.search).sort(), [
      "allKeys",
      "pins",
      "seed",
      "stepsPerUnit",
      "units",
    ]);
    assert.equal(jobIdOf(stored), jobIdOf(job));
    const placed = { ...job, search: { ...job.search, place: "etaoin" } };
    assert.notEqual(jobIdOf(placed), jobIdOf(job));
  });
});

describe("job submissions", () => {
  it("fill in the defaults a user may leave out", () => {
    const parsed = jobSubmissionSchema.parse({
      name: " mine ",
      board: "corne",
      corpora: [{ id: "en" }],
      search: { units: 1, stepsPerUnit: 10_000 },
    });
    assert.equal(parsed.name, "mine");
    assert.equal(parsed.weights, "balanced");
    assert.deepEqual(parsed.corpora, [{ id: "en", weight: 1 }]);
    assert.deepEqual(parsed.search, {
      units: 1,
      stepsPerUnit: 10_000,
      seed: 1,
      from: "qwerty",
      pins: "",
      allKeys: false,
    });
    assert.equal(parsed.priority, 0);
  });

  it("have one budget: units with their steps, or a time", () => {
    const search = (fields: Record<string, unknown>) =>
      jobSubmissionSchema.safeParse({
        name: "mine",
        board: "corne",
        corpora: [{ id: "en" }],
        search: fields,
      });
    const timed = search({ timeSeconds: 600, convergeSeconds: 60, topDistance: 4 });
    assert.ok(timed.success, JSON.stringify(timed.error?.issues));
    assert.deepEqual(jobBudgetOf(timed.data.search), { kind: "time", seconds: 600 });
    const stepped = search({ units: 2, stepsPerUnit: 10_000 });
    assert.deepEqual(jobBudgetOf(stepped.data?.search ?? {}), {
      kind: "steps",
      units: 2,
      stepsPerUnit: 10_000,
    });
    const messages = (fields: Record<string, unknown>) =>
      (search(fields).error?.issues ?? []).map(
        (issue) => `${issue.path.join(".")}: ${issue.message}`,
      );
    assert.deepEqual(messages({ timeSeconds: 600, units: 2 }), [
      "search.timeSeconds: give a time budget (timeSeconds) or a step budget (units, stepsPerUnit), not both",
    ]);
    assert.deepEqual(messages({ units: 2 }), [
      "search.stepsPerUnit: a step-budgeted job needs units and stepsPerUnit (or give timeSeconds instead); stepsPerUnit is missing",
    ]);
    assert.equal(messages({}).length, 2, "neither budget");
    assert.equal(search({ timeSeconds: 5 }).success, false, "at least 10 s");
    assert.equal(search({ timeSeconds: 60, convergeSeconds: 9 }).success, false);
  });

  it("carry the search request's place, exclude and stayClose only when given", () => {
    const search = (fields: Record<string, unknown>) =>
      jobSubmissionSchema.safeParse({
        name: "mine",
        board: "corne",
        corpora: [{ id: "en" }],
        search: { units: 1, stepsPerUnit: 10_000, ...fields },
      });
    const given = search({ place: "etaoin", exclude: ["r0c1", "r3c5"], stayClose: 0.5 });
    assert.equal(given.success, true);
    assert.deepEqual(
      {
        place: given.data?.search.place,
        exclude: given.data?.search.exclude,
        stayClose: given.data?.search.stayClose,
      },
      { place: "etaoin", exclude: ["r0c1", "r3c5"], stayClose: 0.5 },
    );
    assert.equal(search({ place: "", exclude: [], stayClose: 0 }).success, true);
    for (const bad of [
      { stayClose: -1 },
      { stayClose: "1" },
      { exclude: "r0c1" },
      { exclude: [""] },
      { exclude: ["k".repeat(101)] },
      { place: 3 },
    ]) {
      assert.equal(search(bad).success, false, JSON.stringify(bad));
    }
    for (const [fields, limit] of [
      [{ place: "e".repeat(201) }, "pins"],
      [{ exclude: Array.from({ length: 257 }, (_, i) => `k${i}`) }, "boardKeys"],
    ] as const) {
      const parsed = search(fields);
      assert.equal(exceededLimit(parsed.error?.issues ?? [])?.limit, limit);
    }
  });

  it("refuse a name with control characters, which would run in other people's terminals", () => {
    for (const name of ["red\u001b[31m", "two\nlines", "tab\there", "bell\u0007"]) {
      const parsed = jobSubmissionSchema.safeParse({
        name,
        board: "corne",
        corpora: [{ id: "en" }],
        search: { units: 1, stepsPerUnit: 10_000 },
      });
      assert.equal(parsed.success, false, JSON.stringify(name));
      assert.match(parsed.error?.issues[0]?.message ?? "", /control characters/);
    }
  });
});
