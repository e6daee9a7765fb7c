import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_SCORING } from "../../web/src/analysis/scoring-choice.ts";
import {
  DEFAULT_DRAFT,
  durationSeconds,
  durationText,
  submissionOf,
} from "../../web/src/jobs/job-draft.ts";

const draft = { ...DEFAULT_DRAFT, choice: DEFAULT_SCORING };

describe("the submit form's job", () => {
  it("is 10 minutes of search by default, as keyforge submit --time 10m sends it", () => {
    const checked = submissionOf(draft);
    assert.ok(checked.ok);
    assert.deepEqual(checked.submission, {
      name: "ansi, en",
      board: "ansi",
      corpora: [{ id: "en", weight: 1 }],
      weights: DEFAULT_SCORING.weights,
      weightOverrides: {},
      search: { timeSeconds: 600, seed: 1, pins: "", from: "qwerty", allKeys: false },
      priority: 0,
    });
  });

  it("has a time budget with convergence and top layouts' distance, and no units or steps", () => {
    const checked = submissionOf({
      ...draft,
      time: "1.5h",
      units: 0,
      stepsPerUnit: Number.NaN,
      converge: " 2 min ",
      topDistance: 4,
    });
    assert.ok(checked.ok);
    const { search } = checked.submission;
    assert.equal(search.timeSeconds, 5400);
    assert.equal(search.convergeSeconds, 120);
    assert.equal(search.topDistance, 4);
    assert.ok(!("units" in search) && !("stepsPerUnit" in search), "only the time budget's fields");
  });

  it("is the body keyforge submit --units 8 --steps 20000000 sends, with a step budget", () => {
    const checked = submissionOf({ ...draft, budget: "steps", time: "not read" });
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

  it("reads durations as people type them, a plain number as minutes", () => {
    assert.equal(durationSeconds("10m"), 600);
    assert.equal(durationSeconds("90s"), 90);
    assert.equal(durationSeconds("10 sec"), 10);
    assert.equal(durationSeconds("2 hours"), 7200);
    assert.equal(durationSeconds("1d"), 86_400);
    assert.equal(durationSeconds("15"), 900);
    assert.equal(durationSeconds("0.5"), 30);
    assert.equal(durationSeconds("10 parsecs"), null);
    assert.equal(durationSeconds("-5m"), null);
    assert.equal(durationSeconds(""), null);
    assert.equal(durationText(600), "10 min");
    assert.equal(durationText(5400), "1 h 30 min");
    assert.equal(durationText(10), "10 s");
    assert.equal(durationText(7 * 86_400), "7 d");
  });

  it("names a time budget or convergence it cannot take, once each, by the form's labels", () => {
    const unread = submissionOf({ ...draft, time: "soon", converge: "5s" });
    assert.ok(!unread.ok);
    assert.deepEqual(unread.problems, [
      "search time: not a duration: write e.g. 10m, 90s or 2h (a number is minutes)",
      "end early when no better layout for: 5 s is not between 10 s and 7 d",
    ]);
    const long = submissionOf({ ...draft, time: "8d", topDistance: 0 });
    assert.ok(!long.ok);
    assert.deepEqual(
      long.problems.map((problem) => problem.split(":")[0]),
      ["search time", "top layouts differ in at least"],
    );
    assert.match(long.problems[0] ?? "", /8 d is not between 10 s and 7 d/);
    // The step budget's fields are the steps budget's business only.
    assert.ok(submissionOf({ ...draft, units: 0, stepsPerUnit: 5 }).ok);
  });

  it("names what is wrong by the form's labels", () => {
    const small = submissionOf({
      ...draft,
      budget: "steps",
      units: 0,
      stepsPerUnit: 5,
      seed: Number.NaN,
    });
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
