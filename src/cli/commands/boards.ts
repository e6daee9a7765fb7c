import type { Command } from "commander";
import { idFromPath } from "../../core/asset-id.ts";
import { type Board, boardDocument, FINGERS, HANDS } from "../../core/board.ts";
import { importKleBoard } from "../../core/board-import/kle.ts";
import { importQmkBoard } from "../../core/board-import/qmk.ts";
import { KeyForgeError } from "../../core/errors.ts";
import { readJsonFile, writeTextFile } from "../../infra/data-files.ts";
import { builtinIds, loadBoard } from "../../infra/system-data.ts";
import { drawBoard, FINGER_LEGEND, fingerCode, fingerColourLegend } from "../board-drawing.ts";
import { finiteNumber } from "../flag-values.ts";
import { table, useColour } from "../output.ts";

function fingerSummary(board: Board): string {
  return HANDS.map((hand) => {
    const counts = FINGERS.map((finger) => {
      const n = board.keys.filter((k) => k.hand === hand && k.finger === finger).length;
      return n > 0 ? `${finger} ${n}` : "";
    }).filter(Boolean);
    return `${hand}: ${counts.join(", ")}`;
  }).join("\n");
}

export function describeBoard(board: Board): string {
  const labels = board.keys.map((k) => `${fingerCode(k.hand, k.finger)}${k.home ? "*" : ""}`);
  const colour = useColour();
  return [
    `${board.name} (${board.id}): ${board.keys.length} keys${board.letterBlock ? ", 3x10 letter block" : ""}`,
    ...(board.description ? [board.description] : []),
    "",
    drawBoard(board, { labels, colour }),
    "",
    FINGER_LEGEND,
    ...(colour ? [fingerColourLegend()] : []),
    fingerSummary(board),
    ...(board.source ? [`source: ${board.source}`] : []),
  ].join("\n");
}

async function listBoards(): Promise<void> {
  const rows = [["id", "keys", "name"]];
  for (const id of await builtinIds("boards")) {
    const board = await loadBoard(id);
    rows.push([id, String(board.keys.length), board.name]);
  }
  console.log(table(rows));
}

interface ImportFlags {
  out?: string;
  name?: string;
  id?: string;
  layout?: string;
  splitGap?: number;
  homeRow?: number;
  overrides?: string;
}

async function importBoard(format: string, file: string, flags: ImportFlags): Promise<void> {
  const data = await readJsonFile(file);
  // The importer checks the overrides' content and names what is wrong in them.
  const overrides = flags.overrides ? ((await readJsonFile(flags.overrides)) as object) : {};
  const options = {
    ...overrides,
    id: flags.id ?? idFromPath(flags.out ?? file),
    ...(flags.name !== undefined && { name: flags.name }),
    ...(flags.splitGap !== undefined && { splitGap: flags.splitGap }),
    ...(flags.homeRow !== undefined && { homeRow: flags.homeRow }),
  };
  let board: Board;
  if (format === "kle") board = importKleBoard(data, options);
  else if (format === "qmk") {
    board = importQmkBoard(data, {
      ...options,
      ...(flags.layout !== undefined && { layoutName: flags.layout }),
    });
  } else {
    throw new KeyForgeError(
      "IMPORT_FORMAT_UNKNOWN",
      `unknown import format "${format}": use kle or qmk`,
    );
  }
  const json = `${JSON.stringify(boardDocument(board), null, 2)}\n`;
  if (flags.out) {
    await writeTextFile(flags.out, json);
    console.error(
      `wrote ${flags.out}: ${board.keys.length} keys; check it with: keyforge board show ${flags.out}`,
    );
  } else process.stdout.write(json);
}

export function registerBoardCommands(program: Command): void {
  program.command("boards").description("list the built-in boards").action(listBoards);
  const board = program.command("board").description("show and import boards");
  board
    .command("show <board>")
    .description("draw a board (built-in id or file) with its fingers and home keys")
    .action(async (ref: string) => console.log(describeBoard(await loadBoard(ref))));
  board
    .command("import <format> <file>")
    .description(
      "convert a keyboard-layout-editor (kle) or QMK info.json (qmk) file to a KeyForge board",
    )
    .option("-o, --out <file>", "write the board here instead of standard output")
    .option("--id <id>", "board id (default: from the output or input file name)")
    .option("--name <name>", "board name")
    .option("--layout <name>", "QMK: which of the file's layouts to import")
    .option(
      "--split-gap <units>",
      "horizontal gap (key units) that marks a split board",
      finiteNumber,
    )
    .option("--home-row <n>", "which row (0 = top) is the home row", finiteNumber)
    .option(
      "--overrides <file>",
      'JSON corrections to the inferred fingers: {"hands": {id: hand}, "fingers": {id: finger}, "homes": [id]}',
    )
    .action(importBoard);
}
