import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { boardProblems } from "../../src/core/board-validation.ts";
import { boardPositions, KEY_POSITIONS, keyPosition } from "../../src/core/key-positions.ts";
import { loadBoard } from "../../src/infra/system-data.ts";
import { gridBoardData } from "../helpers/grid-board.ts";

describe("key positions", () => {
  it("name every place of the ANSI and ISO main block once, with the codes the systems use", () => {
    assert.equal(KEY_POSITIONS.length, 50);
    assert.equal(new Set(KEY_POSITIONS.map((place) => place.code)).size, 50);
    for (const place of KEY_POSITIONS) {
      assert.match(place.code, /^[A-E]\d\d$/);
      assert.ok(place.evdev > 0 && place.mac >= 0, place.code);
    }
    assert.deepEqual(keyPosition("C01"), {
      code: "C01",
      xkb: "AC01",
      evdev: 30,
      vk: "A",
      mac: 0,
      us: ["a", "A"],
    });
    assert.deepEqual(keyPosition("E01")?.us, ["1", "!"]);
    assert.deepEqual(keyPosition("E10")?.us, ["0", ")"]);
    assert.equal(keyPosition("B00")?.xkb, "LSGT");
    assert.equal(keyPosition("D13")?.evdev, keyPosition("C12")?.evdev, "one key to the systems");
    assert.equal(keyPosition("Z99"), undefined);
  });

  it("read the built-in ANSI and ISO boards' places, and derive a split board's", async () => {
    const codes = async (id: string) =>
      boardPositions(await loadBoard(id)).map((place) => place?.code ?? null);
    const ansi = await codes("ansi");
    assert.deepEqual(ansi.slice(0, 3), ["E00", "E01", "E02"]);
    assert.equal(ansi.filter((code) => code === null).length, 1, "the left half of the space bar");
    const iso = await loadBoard("iso");
    const isoCodes = await codes("iso");
    assert.equal(isoCodes[iso.keys.findIndex((key) => key.id === "r3c1")], "B00");
    assert.equal(isoCodes[iso.keys.findIndex((key) => key.id === "r2c12")], "C12");
    const corne = await loadBoard("corne");
    const corneCodes = await codes("corne");
    const at = (id: string) => corneCodes[corne.keys.findIndex((key) => key.id === id)];
    assert.equal(at("r0c1"), "D01", "the letter block on the QWERTY letters");
    assert.equal(at("r2c13"), "B10");
    assert.equal(at("r1c14"), "C11", "' on its US place");
    assert.equal(at("r3c9"), "A03", "space");
    assert.equal(at("r0c0"), null, "a key without a character has no place");
  });

  it("refuse an unknown place and two keys on one", () => {
    const data = gridBoardData();
    Object.assign(data.keys[0] as object, { position: "Q42" });
    assert.ok(boardProblems(data).some((problem) => /must be a place/.test(problem.message)));
    const twice = gridBoardData();
    Object.assign(twice.keys[1] as object, { position: "D13" });
    Object.assign(twice.keys[2] as object, { position: "C12" });
    assert.deepEqual(
      boardProblems(twice).map((problem) => `${problem.code} ${problem.message}`),
      ["KEY_POSITION_DUPLICATE place BKSL is already on key r0c1"],
    );
  });
});
