import type { Board } from "../board.ts";
import { KeyForgeError } from "../errors.ts";
import type { Layout } from "../layout.ts";

/**
 * Exporters read `layout.chars[i]` as the character on `board.keys[i]`, so a layout made for a
 * board with another number of keys would be drawn or flashed onto the wrong keys.
 */
export function checkLayoutFits(board: Board, layout: Layout): void {
  if (layout.chars.length !== board.keys.length) {
    throw new KeyForgeError(
      "EXPORT_LAYOUT_MISMATCH",
      `layout ${layout.name} has ${layout.chars.length} keys, board ${board.id} has ${board.keys.length}`,
    );
  }
}
