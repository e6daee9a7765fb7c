export interface MicroBatcherOptions {
  /** Most items in one batch. */
  readonly maxBatch: number;
  /** Batches running at once; further items wait and go out together in the next one. */
  readonly maxInFlight: number;
}

interface Waiting<Item, Outcome> {
  readonly item: Item;
  readonly resolve: (outcome: Outcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Turns many concurrent calls into few round trips: items submitted in the same turn of the
 * event loop, or while the batches in flight run, go out together. A lone call leaves at the
 * next turn, so batching costs no latency when there is no load. `run` answers each item of a
 * batch in order; when it throws, every item of that batch gets the error.
 */
export class MicroBatcher<Item, Outcome> {
  private readonly run: (items: Item[]) => Promise<readonly Outcome[]>;
  private readonly options: MicroBatcherOptions;
  private readonly waiting: Waiting<Item, Outcome>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(run: (items: Item[]) => Promise<readonly Outcome[]>, options: MicroBatcherOptions) {
    this.run = run;
    this.options = options;
  }

  submit(item: Item): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.dispatch();
        });
      }
    });
  }

  private dispatch(): void {
    while (this.waiting.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.runBatch(batch).finally(() => {
        this.inFlight--;
        this.dispatch();
      });
    }
  }

  private async runBatch(batch: readonly Waiting<Item, Outcome>[]): Promise<void> {
    try {
      const outcomes = await this.run(batch.map((waiting) => waiting.item));
      if (outcomes.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} got ${outcomes.length} outcomes`);
      }
      batch.forEach((waiting, i) => {
        waiting.resolve(outcomes[i] as Outcome);
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
