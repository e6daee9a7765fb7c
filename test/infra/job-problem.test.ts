import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { corpusDocument } from "../../src/core/corpus.ts";
import { KeyForgeError } from "../../src/core/errors.ts";
import { jobProblem } from "../../src/infra/job-problem.ts";
import { SYSTEM_DATA_DIR } from "../../src/infra/system-data.ts";
import { LimitExceededError } from "../../src/protocol/input-limits.ts";
import { jobContentSchema } from "../../src/protocol/job-messages.ts";
import { corpusOf } from "../helpers/corpus.ts";
import { largeBoardData } from "../helpers/large-board.ts";

/** Published assets by a made-up hash: one hex digit repeated, one digit per asset. */
const assets = new Map<string, Uint8Array>();
function publish(digit: string, path: string, bytes: Uint8Array) {
  const sha256 = digit.repeat(64);
  assets.set(sha256, bytes);
  return { path, sha256 };
}
const shipped = (path: string) => readFileSync(join(SYSTEM_DATA_DIR, path));
const read = async (sha256: string) => assets.get(sha256) ?? assert.fail(`no asset ${sha256}`);

const board = publish("a", "boards/corne.json", shipped("boards/corne.json"));
const start = publish("b", "layouts/qwerty.json", shipped("layouts/qwerty.json"));
const weights = publish("c", "weights/default.json", shipped("weights/default.json"));
const en = publish("d", "corpora/en.json", shipped("corpora/en.json"));
const tiny = publish(
  "e",
  "corpora/tiny.json",
  Buffer.from(JSON.stringify(corpusDocument(corpusOf("tiny", "Hello there.")))),
);

function content(corpora: { path: string; sha256: string; weight: number }[], published = board) {
  return jobContentSchema.parse({
    format: "keyforge-job/1",
    board: published,
    start,
    corpora,
    weights,
    weightOverrides: {},
    search: { units: 1, stepsPerUnit: 10_000 },
  });
}

describe("the search problem of a job", () => {
  it("is built from published assets", async () => {
    const problem = await jobProblem(content([{ ...en, weight: 1 }]), read);
    assert.equal(problem.corpus.id, "en");
  });

  it("refuses a corpus too small to score layouts, alone or in a blend", async () => {
    for (const corpora of [
      [{ ...tiny, weight: 1 }],
      [
        { ...en, weight: 0.9 },
        { ...tiny, weight: 0.1 },
      ],
    ]) {
      await assert.rejects(
        jobProblem(content(corpora), read),
        (error: unknown) =>
          error instanceof KeyForgeError &&
          error.code === "CORPUS_TOO_SMALL" &&
          /corpus tiny is too small to score layouts: 12 characters, 11 bigrams/.test(
            error.message,
          ),
      );
    }
  });

  it("measures published documents against the input limits before validating them", async () => {
    const huge = publish(
      "f",
      "boards/huge.json",
      Buffer.from(JSON.stringify(largeBoardData(2000))),
    );
    await assert.rejects(
      jobProblem(content([{ ...en, weight: 1 }], huge), read),
      (error: unknown) =>
        error instanceof LimitExceededError &&
        error.details.limit === "boardKeys" &&
        error.details.got === 2000,
    );
    const trigrams = Object.fromEntries(
      Array.from({ length: 1_000_001 }, (_, i) => [i.toString(36).padStart(3, "0"), 1]),
    );
    const wide = publish(
      "9",
      "corpora/wide.json",
      Buffer.from(
        JSON.stringify({ ...JSON.parse(shipped("corpora/en.json").toString()), trigrams }),
      ),
    );
    await assert.rejects(
      jobProblem(content([{ ...wide, weight: 1 }]), read),
      (error: unknown) =>
        error instanceof LimitExceededError && error.details.limit === "corpusNgrams",
    );
  });
});
