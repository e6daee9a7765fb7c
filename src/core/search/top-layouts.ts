import type { ScoredItems } from "./layout-search.ts";

/** Keys two layouts of the same problem put different characters on. */
export function keysApart(a: Int32Array, b: Int32Array): number {
  let apart = 0;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) apart++;
  return apart;
}

/**
 * The best layouts seen that are at least `minDistance` keys apart from each other, so that
 * the runners-up are real alternatives rather than the best with one swap. A layout close to a
 * kept one replaces it only when it scores better (and then pushes out every kept layout close
 * to it): the list is always the best of its neighbourhoods, lowest score first.
 */
export class TopLayouts {
  private entries: ScoredItems[] = [];
  private readonly limit: number;
  private readonly minDistance: number;

  constructor(limit: number, minDistance: number) {
    this.limit = limit;
    this.minDistance = minDistance;
  }

  offer(items: Int32Array, score: number): void {
    const near = this.entries.filter((entry) => keysApart(entry.items, items) < this.minDistance);
    if (near.some((entry) => entry.score <= score)) return;
    const worst = this.entries.at(-1);
    if (near.length === 0 && this.entries.length >= this.limit && worst && worst.score <= score)
      return;
    this.entries = this.entries.filter((entry) => !near.includes(entry));
    this.entries.push({ items: items.slice(), score });
    this.entries.sort((a, b) => a.score - b.score);
    if (this.entries.length > this.limit) this.entries.length = this.limit;
  }

  list(): ScoredItems[] {
    return [...this.entries];
  }
}
