import type { Board } from "../board.ts";

/**
 * A firmware keymap's entries (one per key, in the firmware's order) laid out one line per
 * display row of the board, so the file reads like the keyboard. `order[i]` is the board key of
 * entry i (-1: a key the board lacks, kept on the line before it).
 */
export function entriesByRow(
  board: Board,
  order: readonly number[],
  entries: readonly string[],
): string[][] {
  const lines: string[][] = [];
  let row: number | undefined;
  order.forEach((keyIndex, i) => {
    const keyRow = board.keys[keyIndex]?.row;
    const line = lines.at(-1);
    if (line === undefined || (keyRow !== undefined && keyRow !== row)) lines.push([]);
    if (keyRow !== undefined) row = keyRow;
    lines.at(-1)?.push(entries[i] as string);
  });
  return lines;
}
