import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_SCORING } from "../../web/src/analysis/scoring-choice.ts";
import { DEFAULT_DRAFT, submissionOf } from "../../web/src/jobs/job-draft.ts";

const draft = { ...DEFAULT_DRAFT, choice: DEFAULT_SCORING };

describe("the submit form's job", () => {
  it("is the body keyforge submit sends without flags", () => {
    const checked = submissionOf(draft);
    assert.ok(checked.ok);
    assert.deepEqual(checked.submission, {
      name: "ansi, en",
      board: "ansi",
      corpora: [{ id: "en", weight: 1 }],
      weights: DEFAULT_SCORING.weights,
      weightOverrides: {},
      search: {
        units: 8,
        stepsPerUnit: 20_000_000,
        seed: 1,
        pins: "",
        from: "qwerty",
        allKeys: false,
      },
      priority: 0,
    });
  });

  it("blends corpora, carries weight overrides, and starts from typed text instead of a layout", () => {
    const checked = submissionOf({
      ...draft,
      name: "  mine ",
      choice: { ...DEFAULT_SCORING, corpus: "en:0.7,de:0.3", overrides: { sfb: 20 } },
      startLayout: "q w e\n",
      pins: "qwe",
    });
    assert.ok(checked.ok);
    assert.equal(checked.submission.name, "mine");
    assert.deepEqual(checked.submission.corpora, [
      { id: "en", weight: 0.7 },
      { id: "de", weight: 0.3 },
    ]);
    assert.deepEqual(checked.submission.weightOverrides, { sfb: 20 });
    assert.equal(checked.submission.search.startLayout, "q w e");
    assert.equal(checked.submission.search.from, "qwerty", "the schema's default, unused");
    assert.equal(checked.submission.search.pins, "qwe");
  });

  it("names what is wrong by the form's labels", () => {
    const small = submissionOf({ ...draft, units: 0, stepsPerUnit: 5, seed: Number.NaN });
    assert.ok(!small.ok);
    assert.deepEqual(
      small.problems.map((problem) => problem.split(":")[0]),
      ["units", "steps per unit", "seed"],
    );
    const badBlend = submissionOf({ ...draft, choice: { ...DEFAULT_SCORING, corpus: "en:-1" } });
    assert.ok(!badBlend.ok);
    assert.match(badBlend.problems[0] ?? "", /^corpus: weight of en must be a positive number/);
  });
});
