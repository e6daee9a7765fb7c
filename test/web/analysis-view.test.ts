import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type AnalysisView,
  DEFAULT_VIEW,
  viewFromQuery,
  viewToQuery,
} from "../../web/src/analysis/analysis-view.ts";
import { layoutChoice, scoringChoice } from "./view-arbitraries.ts";

const view: fc.Arbitrary<AnalysisView> = fc
  .tuple(
    scoringChoice,
    layoutChoice,
    fc.array(fc.record({ a: fc.nat(200), b: fc.nat(200) }), { maxLength: 30 }),
  )
  .map(([scoring, layout, swaps]) => ({ ...scoring, layout, swaps }));

describe("analysis view in the URL", () => {
  it("comes back from its query exactly (a shared link reproduces the view)", () => {
    fc.assert(
      fc.property(view, (v) => {
        // fast-check builds objects without a prototype; compare the plain data.
        assert.deepEqual(viewFromQuery(viewToQuery(v)), JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it("reads an empty or hand-broken query as the defaults, keeping what is valid", () => {
    assert.deepEqual(viewFromQuery(""), DEFAULT_VIEW);
    const broken = viewFromQuery(
      "b=../../etc&l=<script>&s=1-2.x.3-4.5&c=en&w=rolls&o=sfb=oops,sfs=4",
    );
    assert.equal(broken.board, DEFAULT_VIEW.board);
    assert.deepEqual(broken.layout, { kind: "builtin", name: "qwerty" });
    assert.deepEqual(broken.swaps, [
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ]);
    assert.equal(broken.weights, "rolls");
    assert.deepEqual(broken.overrides, { sfs: 4 });
  });

  it("keeps typed layout text, rows and all", () => {
    const typed = viewFromQuery(
      viewToQuery({ ...DEFAULT_VIEW, layout: { kind: "text", text: "q w e\na s d\n" } }),
    );
    assert.deepEqual(typed.layout, { kind: "text", text: "q w e\na s d\n" });
  });
});
