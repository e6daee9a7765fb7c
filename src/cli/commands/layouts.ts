import type { Command } from "commander";
import { formatLayout } from "../../core/layout.ts";
import { isFileReference } from "../../infra/data-files.ts";
import {
  builtinIds,
  loadBoard,
  loadLayout,
  loadLayoutDefinition,
} from "../../infra/system-data.ts";
import { drawBoard, fingerColourLegend } from "../board-drawing.ts";
import { table, useColour } from "../output.ts";

async function listLayouts(): Promise<void> {
  const rows = [["id", "name", "author", "year"]];
  for (const id of await builtinIds("layouts")) {
    const layout = await loadLayoutDefinition(id);
    rows.push([
      id,
      layout.name,
      layout.author,
      layout.year === undefined ? "" : String(layout.year),
    ]);
  }
  console.log(table(rows));
}

async function showLayout(ref: string, flags: { board: string }): Promise<void> {
  const board = await loadBoard(flags.board);
  const layout = await loadLayout(ref, board);
  const labels = layout.chars.map((c) =>
    c === null ? "" : c === " " ? "spc" : c === "\n" ? "ent" : c,
  );
  const heading = [`${layout.name} on ${board.name} (${board.id})`];
  if (!isFileReference(ref)) {
    const definition = await loadLayoutDefinition(ref);
    heading[0] = `${definition.name} by ${definition.author}${definition.year ? ` (${definition.year})` : ""} on ${board.name} (${board.id})`;
  }
  const colour = useColour();
  console.log(
    [
      ...heading,
      "",
      drawBoard(board, { labels, colour }),
      "",
      ...(colour ? [fingerColourLegend(), ""] : []),
      "layout text:",
      formatLayout(layout, board).trimEnd(),
    ].join("\n"),
  );
}

export function registerLayoutCommands(program: Command): void {
  program.command("layouts").description("list the built-in layouts").action(listLayouts);
  const layout = program.command("layout").description("show layouts");
  layout
    .command("show <layout>")
    .description("draw a layout (built-in name, file, or - for standard input) on a board")
    .option("-b, --board <board>", "board id or file", "ansi")
    .action(showLayout);
}
