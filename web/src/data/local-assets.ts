import { type Board, boardDocument } from "../../../src/core/board.ts";
import { boardImportFormatOf } from "../../../src/core/board-import/import-format.ts";
import { importKleBoard } from "../../../src/core/board-import/kle.ts";
import { importQmkBoard } from "../../../src/core/board-import/qmk.ts";
import { parseBoard } from "../../../src/core/board-validation.ts";

/** An id for something made in the browser, from a file or a name: "local-" and a slug. */
export function localId(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/\.json$/, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return `local-${slug || "board"}`;
}

/**
 * A board from a file the user picked: a keyboard-layout-editor raw data or QMK info.json file,
 * imported as `keyforge board import` does, or a KeyForge board file.
 */
export function boardFromFile(data: unknown, fileName: string): { id: string; document: unknown } {
  const id = localId(fileName);
  const format = boardImportFormatOf(data);
  let board: Board;
  if (format === "kle") board = importKleBoard(data, { id });
  else if (format === "qmk") board = importQmkBoard(data, { id });
  else board = parseBoard(data, id);
  return { id, document: boardDocument({ ...board, id }) };
}
