import { type KeyGeometry, keyCorners } from "../board.ts";

/**
 * One imported key before hands and fingers are known: where it is (same conventions as a board
 * key: top-left of the unrotated key in key units, clockwise degrees about rx/ry) and what its
 * legends say.
 */
export interface PlacedKey extends KeyGeometry {
  readonly id: string;
  /** Legends printed on the key's top face, e.g. ["!", "1"]; empty when the source has none. */
  readonly legends: readonly string[];
  /** The character the key types, when its legend names exactly one. */
  readonly char?: string;
}

/** Leftmost and rightmost x of the rotated key. */
export function placedSpanX(key: PlacedKey): { readonly min: number; readonly max: number } {
  const xs = keyCorners(key).map((corner) => corner.x);
  return { min: Math.min(...xs), max: Math.max(...xs) };
}

/** Roughly one key unit each way: the size of a letter key (not a modifier, space or tall key). */
export function isLetterSized(key: PlacedKey): boolean {
  return key.w >= 0.75 && key.w <= 1.1 && key.h >= 0.75 && key.h <= 1.1;
}

/**
 * The character a legend stands for when it is one printable character; letters are lower-cased
 * because a legend "A" types "a". A legend "Space" stands for the space.
 */
export function charOfLegend(legend: string | undefined): string | undefined {
  if (legend !== undefined && /^space ?(bar)?$/i.test(legend.trim())) return " ";
  if (legend === undefined || [...legend].length !== 1 || /[\s\p{C}]/u.test(legend))
    return undefined;
  const lower = legend.toLowerCase();
  return [...lower].length === 1 ? lower : legend;
}
