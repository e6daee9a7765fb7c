import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { z } from "zod";
import {
  exceededLimit,
  INPUT_LIMITS,
  LimitExceededError,
  withinLimit,
} from "../../src/protocol/input-limits.ts";

/** The rows of the limits table of docs/hive-api.md: name, maximum as written, what is counted. */
function documentedLimits(): string[][] {
  const page = readFileSync(new URL("../../docs/hive-api.md", import.meta.url), "utf8");
  const section = page.split("## Job limits")[1]?.split("\n## ")[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim().replaceAll("`", "")),
    );
}

describe("input limits", () => {
  it("are the ones docs/hive-api.md lists, in its order", () => {
    assert.deepEqual(
      documentedLimits(),
      Object.entries(INPUT_LIMITS).map(([name, { max, counts }]) => [
        name,
        max.toLocaleString("en-US"),
        counts,
      ]),
    );
  });

  it("are found in schema issues, also inside a union's alternatives", () => {
    const board = z.union([
      z.string(),
      z.array(z.number()).check(withinLimit("boardKeys", (keys) => keys.length)),
    ]);
    const parsed = board.safeParse(Array.from({ length: 300 }, () => 1));
    assert.deepEqual(exceededLimit(parsed.error?.issues ?? []), {
      limit: "boardKeys",
      max: 256,
      got: 300,
    });
    assert.equal(exceededLimit(z.string().safeParse(1).error?.issues ?? []), null);
  });

  it("name the limit and the amount in LIMIT_EXCEEDED", () => {
    const error = new LimitExceededError("boardKeys", 5042);
    assert.equal(error.code, "LIMIT_EXCEEDED");
    assert.equal(
      error.message,
      "5,042 keys of a job's board, inline or published; the limit (boardKeys) is 256",
    );
    assert.deepEqual(new LimitExceededError("compileSeconds", undefined, 2).details, {
      limit: "compileSeconds",
      max: 2,
    });
  });
});
