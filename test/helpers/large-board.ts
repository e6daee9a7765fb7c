import type { Finger } from "../../src/core/board.ts";

const FINGERS: readonly Finger[] = ["pinky", "ring", "middle", "index"];

/**
 * A valid board description of `count` keys (at least 32) as plain JSON: a square grid whose
 * first three rows start with the 3x10 letter block, the last two keys the thumbs, one home
 * key per finger. For tests about how large a board may be.
 */
export function largeBoardData(count: number) {
  const side = Math.max(10, Math.ceil(Math.sqrt(count)));
  const homes = new Set<string>();
  const keys = Array.from({ length: count }, (_, i) => {
    const row = Math.floor(i / side);
    const col = i % side;
    const hand = col < 5 ? "left" : "right";
    const finger = i >= count - 2 ? "thumb" : (FINGERS[col % FINGERS.length] as Finger);
    const home = !homes.has(`${hand} ${finger}`);
    homes.add(`${hand} ${finger}`);
    // 1.2 key units apart, centred, so even the largest grids stay within the coordinate bounds.
    const at = (n: number) => Math.round((n - side / 2) * 12) / 10;
    return { id: `k${i}`, x: at(col), y: at(row), hand, finger, home, row, col };
  });
  const letterBlock = [0, 1, 2].map((row) =>
    Array.from({ length: 10 }, (_, col) => `k${row * side + col}`),
  );
  return { format: "keyforge-board/1", name: `${count} keys`, keys, letterBlock };
}
