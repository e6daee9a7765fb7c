/** Two keys (board key indices) whose characters change places. */
export interface Swap {
  readonly a: number;
  readonly b: number;
}

/** The swaps made so far, and those undone since (gone at the next new swap). */
export interface EditHistory {
  readonly done: readonly Swap[];
  readonly undone: readonly Swap[];
}

export const NO_EDITS: EditHistory = { done: [], undone: [] };

export function withSwap(history: EditHistory, a: number, b: number): EditHistory {
  if (a === b) return history;
  return { done: [...history.done, { a, b }], undone: [] };
}

export function undo(history: EditHistory): EditHistory {
  const last = history.done.at(-1);
  if (last === undefined) return history;
  return { done: history.done.slice(0, -1), undone: [last, ...history.undone] };
}

export function redo(history: EditHistory): EditHistory {
  const [next, ...rest] = history.undone;
  if (next === undefined) return history;
  return { done: [...history.done, next], undone: rest };
}

/** The characters on each key after the swaps, in order. */
export function charsAfter<T>(start: readonly T[], swaps: readonly Swap[]): T[] {
  const chars = [...start];
  for (const { a, b } of swaps) {
    const kept = chars[a] as T;
    chars[a] = chars[b] as T;
    chars[b] = kept;
  }
  return chars;
}
