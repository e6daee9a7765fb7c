import fc from "fast-check";
import type { Board } from "../../src/core/board.ts";
import { checkedLayout, type Layout, shiftedLayer } from "../../src/core/layout.ts";
import type { TypedKey } from "./us-host-layout.ts";

/** Every character a US key types: printable ASCII, Enter and Tab. */
export const US_TYPABLE: readonly string[] = [
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
  "\n",
  "\t",
];

/**
 * Random valid layouts for the firmware exports: a key holds a US-typable character or nothing,
 * and a used key's Shift character is the default, nothing, its own character, or another one.
 */
export function randomFirmwareLayout(board: Board): fc.Arbitrary<Layout> {
  const n = board.keys.length;
  return fc
    .record({
      pool: fc.shuffledSubarray([...US_TYPABLE], { minLength: 2 * n, maxLength: 2 * n }),
      used: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      shift: fc.array(fc.constantFrom("default", "none", "own", "set"), {
        minLength: n,
        maxLength: n,
      }),
      name: fc.string({ minLength: 1, maxLength: 20 }),
    })
    .map(({ pool, used, shift, name }) => {
      const chars = board.keys.map((_, k) => (used[k] ? (pool[k] as string) : null));
      const explicit = chars.map((char, k) => {
        if (char === null || shift[k] === "default") return undefined;
        if (shift[k] === "none") return null;
        return shift[k] === "own" ? char : (pool[n + k] as string);
      });
      return checkedLayout(name, board, chars, explicit);
    });
}

/** What each key types in a firmware's key order (ids; default: the board's order). */
export function expectedTyped(
  board: Board,
  layout: Layout,
  order: readonly string[] | undefined,
): TypedKey[] {
  const shifted = shiftedLayer(layout, board);
  const ids = order ?? board.keys.map((key) => key.id);
  return ids.map((id) => {
    const k = board.keys.findIndex((key) => key.id === id);
    return { plain: layout.chars[k] ?? null, shifted: shifted[k] ?? null };
  });
}

/** The characters of a layout no US key types (on either layer). */
export function nonUsCharacters(board: Board, layout: Layout): string[] {
  const typable = new Set(US_TYPABLE);
  return [...layout.chars, ...shiftedLayer(layout, board)].filter(
    (c): c is string => c !== null && !typable.has(c),
  );
}
