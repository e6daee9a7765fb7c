import type { Board } from "../board.ts";
import { type Layout, shiftedLayer } from "../layout.ts";

/**
 * A 32-bit number that changes whenever the layout's name or any of its characters does (FNV-1a
 * over them). Operating systems cache an installed layout by its identifier (macOS by the
 * keylayout's id, Windows by the DLL name), so an export of a changed layout must carry a new
 * one or the old version keeps being used.
 */
export function layoutFingerprint(layout: Layout, board: Pick<Board, "shiftPairs">): number {
  const text = JSON.stringify([layout.name, layout.chars, shiftedLayer(layout, board)]);
  let hash = 0x811c9dc5;
  for (const unit of new TextEncoder().encode(text)) {
    hash ^= unit;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
