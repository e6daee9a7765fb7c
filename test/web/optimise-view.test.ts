import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { optimiseCommand } from "../../web/src/search/optimise-command.ts";
import {
  DEFAULT_OPTIMISE,
  MAX_THREADS,
  type OptimiseView,
  optimiseFromQuery,
  optimiseToQuery,
  togglePin,
} from "../../web/src/search/optimise-view.ts";
import { layoutChoice, scoringChoice } from "./view-arbitraries.ts";

const view: fc.Arbitrary<OptimiseView> = fc
  .tuple(
    scoringChoice,
    fc.record({
      layout: layoutChoice,
      fromLayout: fc.boolean(),
      pins: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 1 }), { maxLength: 8 }),
      allKeys: fc.boolean(),
      budget: fc.oneof(
        fc.record({
          kind: fc.constant("time" as const),
          seconds: fc.integer({ min: 1, max: 3600 }),
        }),
        fc.record({ kind: fc.constant("steps" as const), steps: fc.integer({ min: 1, max: 1e9 }) }),
      ),
      threads: fc.integer({ min: 1, max: MAX_THREADS }),
      seed: fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
    }),
  )
  .map(([scoring, rest]) => ({ ...scoring, ...rest, pins: rest.pins.join("") }));

describe("the Optimise page's search in the URL", () => {
  it("comes back from its query exactly (a link poses the same search)", () => {
    fc.assert(
      fc.property(view, (v) => {
        assert.deepEqual(optimiseFromQuery(optimiseToQuery(v), 3), JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it("reads a missing or broken query as the defaults, with the machine's threads", () => {
    assert.deepEqual(optimiseFromQuery("", 3), { ...DEFAULT_OPTIMISE, threads: 3 });
    const broken = optimiseFromQuery("threads=0&steps=-5&time=1.5&seed=x&pin=eee&from=yes", 2);
    assert.equal(broken.threads, 2);
    assert.deepEqual(broken.budget, DEFAULT_OPTIMISE.budget);
    assert.equal(broken.seed, null);
    assert.equal(broken.pins, "e");
    assert.equal(broken.fromLayout, false);
    assert.deepEqual(optimiseFromQuery("steps=1000&time=60", 1).budget, {
      kind: "steps",
      steps: 1000,
    });
  });

  it("pins a character picked once and unpins it picked again", () => {
    assert.equal(togglePin("", "e"), "e");
    assert.equal(togglePin("et", "a"), "eta");
    assert.equal(togglePin("eta", "t"), "ea");
  });
});

describe("the command line the Optimise page shows", () => {
  const steps: OptimiseView = {
    ...DEFAULT_OPTIMISE,
    board: "corne",
    overrides: { sfb: 20 },
    pins: "a'b",
    budget: { kind: "steps", steps: 5000 },
    threads: 2,
  };

  it("names every setting, quoting what the shell would split", () => {
    assert.equal(
      optimiseCommand(steps, 42),
      "keyforge optimize --board corne --corpus en --weights balanced --weight sfb=20 --pin 'a'\\''b' --steps 5000 --threads 2 --seed 42",
    );
    assert.equal(
      optimiseCommand(
        {
          ...steps,
          fromLayout: true,
          layout: { kind: "builtin", name: "graphite" },
          allKeys: true,
          pins: "",
          budget: { kind: "time", seconds: 9 },
        },
        1,
      ),
      "keyforge optimize --board corne --corpus en --weights balanced --weight sfb=20 --from graphite --all-keys --time 9s --threads 2 --seed 1",
    );
  });

  it("is not offered for a search the command line cannot pose", () => {
    assert.equal(optimiseCommand({ ...steps, layout: { kind: "text", text: "q w" } }, 1), null);
    assert.equal(
      optimiseCommand({ ...steps, layout: { kind: "builtin", name: "graphite" } }, 1),
      null,
    );
  });
});
