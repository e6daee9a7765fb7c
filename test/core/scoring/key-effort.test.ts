import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keyTable } from "../../../src/core/scoring/key-pairs.ts";
import { keyEffort } from "../../../src/core/scoring/metrics/effort-and-distance.ts";
import { builtinIds, loadBoard, loadWeights } from "../../../src/infra/system-data.ts";

const weights = await loadWeights("balanced");
const boards = await Promise.all((await builtinIds("boards")).map((id) => loadBoard(id)));

describe("key effort from the board's geometry", () => {
  for (const board of boards) {
    it(`makes the pinky's and ring's off-home keys dear on ${board.id}`, () => {
      const keys = keyTable(board);
      const params = weights.parameters;
      board.keys.forEach((key, k) => {
        const effort = keyEffort(board, keys, k, params);
        const own = params.fingerEffort[key.finger];
        if (key.home) {
          assert.equal(effort, own, `${key.id}: a home key costs its finger's effort`);
        } else if (key.finger === "pinky" || key.finger === "ring") {
          // At least twice the index finger's home key, and 1.5 times the finger's own.
          assert.ok(
            effort >= 2 * params.fingerEffort.index,
            `${key.id} (${key.finger}): ${effort}`,
          );
          assert.ok(effort >= 1.5 * own, `${key.id} (${key.finger}): ${effort}`);
        } else {
          assert.ok(effort > own, `${key.id}: off home costs more than home`);
        }
      });
    });
  }
});
