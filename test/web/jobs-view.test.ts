import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_SCORING } from "../../web/src/analysis/scoring-choice.ts";
import { jobsFromQuery, jobsToQuery } from "../../web/src/jobs/jobs-view.ts";

describe("the Jobs page's URL", () => {
  it("comes back from its query: the job shown and the form's choices", () => {
    const view = {
      board: "corne",
      corpus: "en:0.7,de:0.3",
      weights: "balanced",
      overrides: { sfb: 20 },
      job: "0123456789abcdef".repeat(4),
      from: "graphite",
    };
    assert.deepEqual(jobsFromQuery(jobsToQuery(view)), view);
    assert.match(jobsToQuery(view), /^job=0123/);
  });

  it("reads a malformed job id or layout as none and the default", () => {
    assert.deepEqual(jobsFromQuery("job=../../etc&l=<script>"), {
      ...DEFAULT_SCORING,
      job: null,
      from: "qwerty",
    });
  });
});
