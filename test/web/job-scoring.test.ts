import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JobContent } from "../../src/protocol/job-messages.ts";
import { scoringChoiceOfJob } from "../../web/src/jobs/job-scoring.ts";

const pinned = (path: string) => ({ path, sha256: "a".repeat(64) });
const content: JobContent = {
  format: "keyforge-job/1",
  board: pinned("boards/corne.json"),
  start: pinned("layouts/qwerty.json"),
  corpora: [{ ...pinned("corpora/en.json"), weight: 1 }],
  weights: pinned("weights/balanced.json"),
  weightOverrides: { sfb: 20 },
  search: { units: 1, stepsPerUnit: 10_000, seed: 1, pins: "", allKeys: false },
};

describe("a job's scoring choice", () => {
  it("names the job's published board, corpora and weights as every page does", () => {
    assert.deepEqual(scoringChoiceOfJob(content), {
      board: "corne",
      corpus: "en",
      weights: "balanced",
      overrides: { sfb: 20 },
    });
    const blend = {
      ...content,
      corpora: [
        { ...pinned("corpora/en.json"), weight: 0.7 },
        { ...pinned("corpora/de.json"), weight: 0.3 },
      ],
    };
    assert.equal(scoringChoiceOfJob(blend)?.corpus, "en:0.7,de:0.3");
  });

  it("is none for a job with its own board or weights", () => {
    assert.equal(scoringChoiceOfJob({ ...content, board: { inline: { keys: [] } } }), null);
    assert.equal(scoringChoiceOfJob({ ...content, weights: { inline: {} } }), null);
  });
});
