/** What one user's key may have open at once: queued or running jobs, and their units not done. */
export interface KeyQuota {
  readonly maxOpenJobs: number;
  readonly maxOpenUnits: number;
}

/** A tenth of the queue's default bound per key, and enough jobs for a day's experiments. */
export const DEFAULT_KEY_QUOTA: KeyQuota = { maxOpenJobs: 50, maxOpenUnits: 100_000 };
