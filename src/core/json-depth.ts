/**
 * How deeply a parsed JSON value nests: 0 for a scalar, 1 for a flat array or object, and so
 * on. Walks with its own stack rather than recursing, so a value nested deeper than the call
 * stack is measured instead of overflowing it.
 */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return deepest;
}
