/**
 * Counts keyed by a pair of small non-negative integers, in typed arrays: an open-addressing
 * hash table (linear probing, load at most one half) maps each pair to a dense slot, and every
 * count column holds one number per slot. Built for the corpus counter's inner loop, which
 * looks up three pairs per character of text.
 */
export class PairCountTable {
  /** Hash table of slot numbers; -1 marks an empty place. */
  private table = new Int32Array(4096).fill(-1);
  private mask = 4095;
  private firsts = new Int32Array(1024);
  private seconds = new Int32Array(1024);
  readonly counts: Float64Array[];
  size = 0;

  constructor(columns: number) {
    this.counts = Array.from({ length: columns }, () => new Float64Array(1024));
  }

  /** The slot of pair (a, b), created with zero counts on first sight. */
  slot(a: number, b: number): number {
    let place = hash(a, b) & this.mask;
    for (;;) {
      const slot = this.table[place] as number;
      if (slot === -1) return this.insert(place, a, b);
      if (this.firsts[slot] === a && this.seconds[slot] === b) return slot;
      place = (place + 1) & this.mask;
    }
  }

  first(slot: number): number {
    return this.firsts[slot] as number;
  }

  second(slot: number): number {
    return this.seconds[slot] as number;
  }

  private insert(place: number, a: number, b: number): number {
    const slot = this.size++;
    if (slot >= this.firsts.length) this.growSlots();
    this.firsts[slot] = a;
    this.seconds[slot] = b;
    this.table[place] = slot;
    if (this.size * 2 > this.table.length) this.rehash();
    return slot;
  }

  private growSlots(): void {
    const length = this.firsts.length * 2;
    this.firsts = grown(this.firsts, new Int32Array(length));
    this.seconds = grown(this.seconds, new Int32Array(length));
    for (let c = 0; c < this.counts.length; c++) {
      this.counts[c] = grown(this.counts[c] as Float64Array, new Float64Array(length));
    }
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2).fill(-1);
    this.mask = this.table.length - 1;
    for (let slot = 0; slot < this.size; slot++) {
      let place = hash(this.firsts[slot] as number, this.seconds[slot] as number) & this.mask;
      while (this.table[place] !== -1) place = (place + 1) & this.mask;
      this.table[place] = slot;
    }
  }
}

function hash(a: number, b: number): number {
  const h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
  return h ^ (h >>> 15);
}

function grown<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
