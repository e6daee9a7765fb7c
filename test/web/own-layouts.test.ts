import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  keepOwnLayout,
  MAX_OWN_LAYOUTS,
  ownLayoutProblem,
  readOwnLayouts,
  writeOwnLayouts,
} from "../../web/src/data/own-layouts.ts";

/** The part of the browser's Storage the own layouts use, in memory. */
function storage(initial: string | null = null) {
  let stored = initial;
  return {
    getItem: () => stored,
    setItem: (_key: string, value: string) => {
      stored = value;
    },
  };
}

describe("the user's own layouts in the browser's storage", () => {
  it("come back as they were kept, a layout of the same name replaced", () => {
    const kept = storage();
    let list = keepOwnLayout([], { name: "draft", text: "q w e" });
    list = keepOwnLayout(list, { name: "other", text: "a s d" });
    list = keepOwnLayout(list, { name: "draft", text: "z x c" });
    writeOwnLayouts(kept, list);
    assert.deepEqual(readOwnLayouts(kept), [
      { name: "other", text: "a s d" },
      { name: "draft", text: "z x c" },
    ]);
  });

  it("reads what another program left there as no layouts, or only the well-formed ones", () => {
    assert.deepEqual(readOwnLayouts(storage("{not json")), []);
    assert.deepEqual(readOwnLayouts(storage('{"name":"x"}')), []);
    assert.deepEqual(
      readOwnLayouts(
        storage(
          JSON.stringify([
            { name: "ok", text: "q w", extra: 1 },
            { name: "../bad", text: "q" },
            { name: "empty", text: " " },
            null,
            { name: 5, text: "q" },
          ]),
        ),
      ),
      [{ name: "ok", text: "q w" }],
    );
  });

  it("keeps at most the newest hundred", () => {
    let list = keepOwnLayout([], { name: "first", text: "q" });
    for (let i = 0; i < MAX_OWN_LAYOUTS; i++)
      list = keepOwnLayout(list, { name: `l${i}`, text: "q" });
    assert.equal(list.length, MAX_OWN_LAYOUTS);
    assert.ok(!list.some((layout) => layout.name === "first"));
  });

  it("says why a layout cannot be kept", () => {
    assert.equal(ownLayoutProblem({ name: "mine", text: "q w e" }, ["graphite"]), null);
    assert.match(
      ownLayoutProblem({ name: "graphite", text: "q" }, ["graphite"]) ?? "",
      /published/,
    );
    assert.match(ownLayoutProblem({ name: "a b", text: "q" }, []) ?? "", /letters, digits/);
    assert.match(ownLayoutProblem({ name: "a", text: "\n" }, []) ?? "", /empty/);
    assert.match(ownLayoutProblem({ name: "a", text: "q".repeat(10_001) }, []) ?? "", /over/);
  });
});
