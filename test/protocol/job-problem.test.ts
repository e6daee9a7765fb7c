import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Command } from "commander";
import { type SearchFlags, searchRequestOf, withSearchFlags } from "../../src/cli/search-flags.ts";
import { corpusDocument } from "../../src/core/corpus.ts";
import { KeyForgeError } from "../../src/core/errors.ts";
import { itemsOfLayout, scoreItems } from "../../src/core/scoring/layout-scorer.ts";
import { compileSearchModel } from "../../src/core/search/search-problem.ts";
import { type SearchRequest, searchProblemOf } from "../../src/core/search/search-request.ts";
import {
  loadBoard,
  loadCorpus,
  loadLayout,
  loadWeights,
  SYSTEM_DATA_DIR,
} from "../../src/infra/system-data.ts";
import { LimitExceededError } from "../../src/protocol/input-limits.ts";
import { jobContentSchema } from "../../src/protocol/job-messages.ts";
import { jobModel, jobProblem } from "../../src/protocol/job-problem.ts";
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
const weights = publish("c", "weights/balanced.json", shipped("weights/balanced.json"));
const en = publish("d", "corpora/en.json", shipped("corpora/en.json"));
const tiny = publish(
  "e",
  "corpora/tiny.json",
  Buffer.from(JSON.stringify(corpusDocument(corpusOf("tiny", "Hello there.")))),
);

function content(
  corpora: { path: string; sha256: string; weight: number }[],
  published = board,
  request: Partial<SearchRequest> = {},
) {
  return jobContentSchema.parse({
    format: "keyforge-job/1",
    board: published,
    start,
    corpora,
    weights,
    weightOverrides: {},
    search: { units: 1, stepsPerUnit: 10_000, ...request },
  });
}

/** The search request `keyforge optimize` and `keyforge submit` read from these flags. */
function requestOfFlags(args: string[]): SearchRequest {
  const command = withSearchFlags(new Command().exitOverride(), { steps: "", time: "" });
  return searchRequestOf(command.parse(args, { from: "user" }).opts<SearchFlags>());
}

describe("the search problem of a job", () => {
  it("is built from published assets", async () => {
    const problem = await jobProblem(content([{ ...en, weight: 1 }]), read);
    assert.equal(problem.corpus.id, "en");
  });

  it("is the problem keyforge optimize poses for the same flags", async () => {
    const request = requestOfFlags([
      ...["--pin", "q", "--place", "etaoin", "--all-keys", "--stay-close", "0.5"],
      ...["--exclude", "r1c4,r0c0", "--exclude", "r3c5"],
    ]);
    assert.deepEqual(request, {
      pins: "q",
      place: "etaoin",
      exclude: ["r1c4", "r0c0", "r3c5"],
      allKeys: true,
      stayClose: 0.5,
    });
    const corne = await loadBoard("corne");
    const here = searchProblemOf(
      {
        board: corne,
        corpus: await loadCorpus("en"),
        weights: await loadWeights("balanced"),
        start: await loadLayout("qwerty", corne),
      },
      request,
    );
    const job = await jobModel(content([{ ...en, weight: 1 }], board, request), read);
    assert.deepEqual([...job.problem.pins].sort(), [...here.pins].sort());
    assert.deepEqual(job.problem.excludedKeys, here.excludedKeys);
    assert.equal(job.problem.movePenalty, 0.5);
    assert.deepEqual(job.problem.anchor?.chars, here.anchor?.chars);
    const model = compileSearchModel(here);
    assert.deepEqual(Array.from(job.model.movableKeys), Array.from(model.movableKeys));
    // The placed characters' keys and the empty ones, less the excluded keys.
    const movable = here.start.chars.flatMap((char, k) =>
      !here.excludedKeys.includes(k) && (char === null || "etaoin".includes(char)) ? [k] : [],
    );
    assert.deepEqual(
      [...job.model.movableKeys].sort((a, b) => a - b),
      movable,
    );
    assert.deepEqual(Array.from(job.model.anchorKey), Array.from(model.anchorKey));
    assert.equal(job.model.anchorPenalty, model.anchorPenalty);
    assert.equal(
      scoreItems(job.model, itemsOfLayout(job.model, job.problem.start)),
      scoreItems(model, itemsOfLayout(model, here.start)),
    );
  });

  it("checks the job's request as optimize checks its flags", async () => {
    const refused = async (request: Partial<SearchRequest>, code: string, message: RegExp) =>
      assert.rejects(
        jobModel(content([{ ...en, weight: 1 }], board, request), read),
        (error: unknown) =>
          error instanceof KeyForgeError && error.code === code && message.test(error.message),
      );
    await refused({ exclude: ["nokey"] }, "FLAG_INVALID", /board corne does not have: nokey/);
    await refused({ pins: "☃" }, "PIN_UNKNOWN_CHAR", /cannot pin "☃"/);
    await refused({ place: "e☃" }, "PIN_UNKNOWN_CHAR", /cannot place "☃"/);
    await refused({ place: "" }, "SEARCH_NOTHING_TO_MOVE", /nothing to search/);
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
