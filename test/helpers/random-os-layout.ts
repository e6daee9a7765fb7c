import fc from "fast-check";
import type { Board } from "../../src/core/board.ts";
import { boardPositions } from "../../src/core/key-positions.ts";
import { checkedLayout, type Layout, shiftedLayer } from "../../src/core/layout.ts";

/**
 * Random valid layouts for the operating-system exports: every key with a place gets a
 * character or nothing, and a used key a Shift character that is the default, nothing, or set. The
 * characters mix ASCII, the markup characters XML escapes, controls, and non-ASCII letters and
 * symbols of the BMP (what every format can hold).
 */
export function randomOsLayout(board: Board): fc.Arbitrary<Layout> {
  const places = boardPositions(board);
  const n = board.keys.length;
  const char = fc.oneof(
    fc.constantFrom("<", "&", '"', "'", ">", " ", "\t", "\n", "-", "\\", "é", "ß", "ẞ", "İ"),
    fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0xa1, max: 0x2fff }).map((cp) => String.fromCodePoint(cp)),
  );
  return fc
    .record({
      pool: fc.uniqueArray(char, { minLength: 2 * n, maxLength: 2 * n }),
      used: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      shift: fc.array(fc.constantFrom("default", "none", "set"), { minLength: n, maxLength: n }),
      name: fc.string({ minLength: 1, maxLength: 20 }),
    })
    .map(({ pool, used, shift, name }) => {
      const chars = board.keys.map((_, k) =>
        places[k] !== null && used[k] ? (pool[k] as string) : null,
      );
      const explicit = board.keys.map((_, k) => {
        if (chars[k] === null) return undefined;
        if (shift[k] === "none") return null;
        return shift[k] === "set" ? (pool[n + k] as string) : undefined;
      });
      return checkedLayout(name, board, chars, explicit);
    });
}

/** What the layout types on each key with a place: the character and the Shift character. */
export function typedByPlace(
  board: Board,
  layout: Layout,
): Map<string, [string | null, string | null]> {
  const shifted = shiftedLayer(layout, board);
  const typed = new Map<string, [string | null, string | null]>();
  boardPositions(board).forEach((place, k) => {
    if (place) typed.set(place.code, [layout.chars[k] ?? null, shifted[k] ?? null]);
  });
  return typed;
}

/** The layout's characters with those of its first two keys swapped: a changed layout. */
export function swapFirstTwo(chars: readonly (string | null)[]): (string | null)[] {
  const [first, second, ...rest] = chars;
  return [second ?? null, first ?? null, ...rest];
}
