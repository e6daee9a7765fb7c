import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { KeyForgeError } from "../../src/core/errors.ts";
import { JobCompiler } from "../../src/infra/job-compiler.ts";
import { SYSTEM_DATA_DIR } from "../../src/infra/system-data.ts";
import { LimitExceededError } from "../../src/protocol/input-limits.ts";
import { jobContentSchema } from "../../src/protocol/job-messages.ts";
import { jobModel } from "../../src/protocol/job-problem.ts";
import { largeBoardData } from "../helpers/large-board.ts";

/** The shipped assets a job names, by a made-up hash (one hex digit repeated). */
const assets = new Map<string, Uint8Array>();
function publish(digit: string, path: string) {
  const sha256 = digit.repeat(64);
  assets.set(sha256, readFileSync(join(SYSTEM_DATA_DIR, path)));
  return { path, sha256 };
}
const read = async (sha256: string) => assets.get(sha256) ?? assert.fail(`no asset ${sha256}`);
const shipped = {
  board: publish("a", "boards/corne.json"),
  start: publish("b", "layouts/qwerty.json"),
  weights: publish("c", "weights/balanced.json"),
  corpora: [{ ...publish("d", "corpora/en.json"), weight: 1 }],
};

function content(extra: Record<string, unknown> = {}, search: Record<string, unknown> = {}) {
  return jobContentSchema.parse({
    format: "keyforge-job/1",
    ...shipped,
    weightOverrides: {},
    search: { units: 1, stepsPerUnit: 10_000, ...search },
    ...extra,
  });
}

const isLimit = (limit: string) => (error: unknown) =>
  error instanceof LimitExceededError && error.details.limit === limit;

describe("the job compiler (worker threads with a budget)", () => {
  const compilers: JobCompiler[] = [];
  const compiler = (...args: ConstructorParameters<typeof JobCompiler>) => {
    const made = new JobCompiler(...args);
    compilers.push(made);
    return made;
  };
  after(() => Promise.all(compilers.map((c) => c.close())));

  it("builds the same problem and model as building it in place", async () => {
    const job = content({ board: { inline: largeBoardData(256) } }, { allKeys: true });
    const [there, here] = await Promise.all([compiler().compile(job, read), jobModel(job, read)]);
    assert.deepEqual(there.problem, here.problem);
    assert.equal(there.model.size, 256);
    assert.deepEqual(there.model.pairCost4, here.model.pairCost4);
    assert.deepEqual(there.model.trigramDelta, here.model.trigramDelta);
  });

  it("refuses a job's own mistakes with their code and problems", async () => {
    const refusing = compiler();
    await assert.rejects(
      refusing.compile(content({}, { pins: "€" }), read),
      (error) => error instanceof KeyForgeError && error.code === "PIN_UNKNOWN_CHAR",
    );
    await assert.rejects(
      refusing.compile(content({ board: { inline: { format: "keyforge-board/1" } } }), read),
      (error) =>
        error instanceof KeyForgeError &&
        error.code === "BOARD_INVALID" &&
        error.problems.length > 0,
    );
  });

  it("stops a compile over its time budget, and the next one runs on a new thread", async () => {
    // No compile of the English corpus finishes within no time at all.
    const hurried = compiler({ seconds: 0, memoryMb: 512 });
    await assert.rejects(hurried.compile(content(), read), isLimit("compileSeconds"));
    const patient = compiler();
    await assert.rejects(patient.compile(content({}, { pins: "€" }), read), /PIN|€/);
    assert.equal((await patient.compile(content(), read)).model.size, 42);
  });

  it("stops a compile over its memory budget", async () => {
    await assert.rejects(
      compiler({ seconds: 60, memoryMb: 4 }).compile(content(), read),
      isLimit("compileMemoryMb"),
    );
  });

  it("refuses compiles beyond the ones it can queue with 503 COMPILE_BUSY", async () => {
    const busy = compiler();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () => busy.compile(content(), read)),
    );
    const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    assert.ok(refused.length > 0);
    assert.ok(refused.every((e) => e instanceof KeyForgeError && e.code === "COMPILE_BUSY"));
  });
});
