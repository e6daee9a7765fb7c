import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { drawBoard, fingerColourLegend, visibleWidth } from "../../src/cli/board-drawing.ts";
import { type Board, keyCentre } from "../../src/core/board.ts";
import { importKleBoard } from "../../src/core/board-import/kle.ts";
import { importQmkBoard } from "../../src/core/board-import/qmk.ts";
import { builtinIds, loadBoard } from "../../src/infra/system-data.ts";

function fixture(path: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8"));
}

const KLE_FIXTURES = [
  "ansi-104",
  "iso-105",
  "standard-60",
  "planck",
  "jd40",
  "ergodox",
  "kinesis-advantage",
  "atreus",
];

async function everyBoard(): Promise<Board[]> {
  const builtin = await Promise.all((await builtinIds("boards")).map(loadBoard));
  return [
    ...builtin,
    ...KLE_FIXTURES.map((name) => importKleBoard(fixture(`kle/${name}.json`), { id: name })),
    importQmkBoard(fixture("qmk/crkbd-rev1.keyboard.json"), {
      id: "crkbd",
      layoutName: "LAYOUT_split_3x6_3",
    }),
    importQmkBoard(fixture("qmk/ferris-sweep.keyboard.json"), { id: "sweep" }),
  ];
}

/** Each key labelled with its index, so the drawing can be read back. */
function indexLabels(board: Board): string[] {
  return board.keys.map((_, i) => String(i));
}

/** The key indices on each drawn line, left to right, with the column each cell starts at. */
function readBack(drawing: string): { index: number; column: number }[][] {
  return drawing
    .split("\n")
    .map((line) =>
      [...line.matchAll(/\[ *(\d+) *\]/g)].map((m) => ({ index: Number(m[1]), column: m.index })),
    );
}

/** Row labels that hold keys of the wanted kind (thumb or finger), top first. */
function rowsHolding(board: Board, thumb: boolean): number[] {
  const rows = board.keys.filter((k) => (k.finger === "thumb") === thumb).map((k) => k.row);
  return [...new Set(rows)].sort((a, b) => a - b);
}

describe("drawBoard", () => {
  let boards: Board[] = [];
  before(async () => {
    boards = await everyBoard();
  });

  it("draws a line per row of finger keys, then a line per row of thumb keys", () => {
    for (const board of boards) {
      const lines = readBack(drawBoard(board, { labels: indexLabels(board), colour: false }));
      const fingerRows = rowsHolding(board, false);
      const thumbRows = rowsHolding(board, true);
      assert.equal(lines.length, fingerRows.length + thumbRows.length, board.id);
      const expected = [
        ...fingerRows.map((row) => ({ row, thumb: false })),
        ...thumbRows.map((row) => ({ row, thumb: true })),
      ];
      expected.forEach(({ row, thumb }, l) => {
        const wanted = board.keys
          .map((k, i) => ({ k, i }))
          .filter(({ k }) => k.row === row && (k.finger === "thumb") === thumb)
          .map(({ i }) => i);
        assert.deepEqual(
          lines[l]?.map((cell) => cell.index).sort((a, b) => a - b),
          wanted,
          `${board.id}, line ${l}`,
        );
      });
    }
  });

  it("draws the left hand's keys of a line before the right hand's", () => {
    for (const board of boards) {
      for (const line of readBack(
        drawBoard(board, { labels: indexLabels(board), colour: false }),
      )) {
        const hands = line.map((cell) => board.keys[cell.index]?.hand);
        assert.deepEqual(hands, [...hands].sort(), board.id);
      }
    }
  });

  it("fits 100 columns, except full-size boards, which are drawn narrower", () => {
    for (const board of boards) {
      const drawing = drawBoard(board, { labels: indexLabels(board), colour: false });
      const width = Math.max(...drawing.split("\n").map(visibleWidth));
      assert.ok(width <= (board.keys.length > 100 ? 120 : 100), `${board.id}: ${width} columns`);
    }
  });

  it("shows row stagger by indentation", async () => {
    const ansi = await loadBoard("ansi");
    const lines = readBack(drawBoard(ansi, { labels: indexLabels(ansi), colour: false }));
    const columnOf = (id: string) => {
      const index = ansi.keys.findIndex((k) => k.id === id);
      return lines.flat().find((cell) => cell.index === index)?.column;
    };
    // Q, A and Z stand 0.25u and 0.5u further right row by row: 1.5 and 3 columns.
    const [q, a, z] = (ansi.letterBlock ?? []).map((row) => columnOf(row[0] as string) as number);
    assert.ok(q !== undefined && a !== undefined && z !== undefined);
    assert.ok(a > q && a - q <= 2, `A at ${a}, Q at ${q}`);
    assert.ok(z - a === 3, `Z at ${z}, A at ${a}`);
  });

  it("draws split halves a fixed gap apart, thumb keys under the inner end of each half", async () => {
    for (const id of ["corne", "ferris", "corne-3x5"]) {
      const board = await loadBoard(id);
      const drawing = drawBoard(board, { labels: indexLabels(board), colour: false });
      const [home, thumbs] = [drawing.split("\n")[1] ?? "", drawing.split("\n").at(-1) ?? ""];
      assert.match(home, /\] {6}\[/, `${id}: a six-column gap in the home row`);
      assert.doesNotMatch(home, / {7}/, `${id}: and no wider one`);
      assert.equal(thumbs.indexOf("]      ["), home.indexOf("]      ["), `${id}: thumbs aligned`);
    }
  });

  it("colours cells without changing what is drawn", async () => {
    const corne = await loadBoard("corne");
    const labels = indexLabels(corne);
    const plain = drawBoard(corne, { labels, colour: false });
    const coloured = drawBoard(corne, { labels, colour: true });
    assert.notEqual(coloured, plain);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removes ANSI colour codes
    assert.equal(coloured.replace(/\u001b\[[0-9;]*m/g, ""), plain);
    assert.equal(
      fingerColourLegend(),
      "colours: pinky magenta, ring blue, middle cyan, index green, thumb grey",
    );
  });

  it("draws a rotated thumb cluster straightened, keys in their cluster's order", () => {
    const ergodox = boards.find((b) => b.id === "ergodox") as Board;
    const lines = readBack(drawBoard(ergodox, { labels: indexLabels(ergodox), colour: false }));
    const rotated = lines.filter((line) => line.some((c) => ergodox.keys[c.index]?.r !== 0));
    assert.equal(rotated.length, 3, "three lines of thumb keys");
    for (const line of rotated) {
      const left = line.filter((c) => ergodox.keys[c.index]?.hand === "left");
      const xs = left.map((c) => keyCentre(ergodox.keys[c.index] as Board["keys"][number]).x);
      assert.deepEqual(
        xs,
        [...xs].sort((a, b) => a - b),
        "left to right as on the board",
      );
    }
  });
});
