/**
 * A map that keeps its newest `limit` entries: adding one more drops the oldest. For caches of
 * what never changes once read (node keys, job models, verified tokens), so that a long-running
 * process does not grow without end.
 */
export class BoundedCache<K, V> {
  private readonly limit: number;
  private readonly entries = new Map<K, V>();

  constructor(limit: number) {
    this.limit = limit;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): V {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) {
      this.entries.delete(this.entries.keys().next().value as K);
    }
    return value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
