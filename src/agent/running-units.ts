import type { LeasedUnit, Telemetry } from "../protocol/node-messages.ts";
import { type AssetCache, AssetMissingError } from "./asset-cache.ts";
import { type HiveClient, HiveUnavailableError } from "./hive-client.ts";
import { IslandHandover } from "./island-handover.ts";
import type { ResultDelivery } from "./result-delivery.ts";
import type { RetryBackoff } from "./retry-backoff.ts";
import { runUnit, type UnitRun } from "./unit-runner.ts";

/**
 * Far beyond the seconds the asset manager takes to publish an emptied store again, and even
 * beyond a restart of the asset manager itself: a blob missing this long is gone for good.
 */
const MISSING_ASSET_PATIENCE_MS = 10 * 60_000;
/**
 * A unit's best layout goes with a heartbeat when it improved since the last one, and with
 * every this many heartbeats regardless (a hive whose coordinator restarted empty learns the
 * job's best again within a minute).
 */
const BEST_RESENT_EVERY = 12;

/** Removes the entry of `unitId` in `map` when it is still `value`. */
function forget<Value>(map: Map<string, Value>, unitId: string, value: Value): void {
  if (map.get(unitId) === value) map.delete(unitId);
}

export interface RunningUnitsOptions {
  readonly threads: number;
  readonly niceness?: number;
  /** How long a pinned blob may be missing before its units fail (default 10 min). */
  readonly missingAssetPatienceMs?: number;
  readonly assets: AssetCache;
  readonly client: HiveClient;
  readonly delivery: ResultDelivery;
  readonly retries: RetryBackoff;
  /** Ends the wait after a unit given back. */
  readonly stop: AbortSignal;
  readonly log: (line: string) => void;
}

/**
 * The units the node has leased, one thread each, from the lease until each has settled: its
 * result delivered, its failure reported, or the unit given back.
 */
export class RunningUnits {
  private readonly options: RunningUnitsOptions;
  /** Units whose search runs now. */
  private readonly running = new Map<string, UnitRun>();
  /**
   * Per leased unit: settles once its result is delivered (or its failure reported). A thread
   * takes its next unit then, so that unit can start from this one's result.
   */
  private readonly settling = new Map<string, Promise<void>>();
  /** Units stopped on purpose (the hive's command, or shutdown): not failures. */
  private readonly aborted = new Set<UnitRun>();
  /** Units given back in a row because the assets gateway could not serve their assets. */
  private unavailableAssets = 0;
  /** Islands of ended units, for the next unit of the same job here. */
  private readonly handover = new IslandHandover();
  /** The best score each running unit last reported with its layout. */
  private readonly reportedBest = new WeakMap<UnitRun, number>();
  private reports = 0;

  constructor(options: RunningUnitsOptions) {
    this.options = options;
  }

  /** Threads with no leased unit. */
  get freeThreads(): number {
    return this.options.threads - this.settling.size;
  }

  /** One promise per leased unit, settling as the unit does. */
  settlements(): Promise<void>[] {
    return [...this.settling.values()];
  }

  /**
   * Every running unit, with its best score once it has one, and its best layout when that
   * improved since the last report (or every BEST_RESENT_EVERY reports): the job's other
   * islands get it from the hive.
   */
  progress(): Telemetry["units"] {
    const resend = this.reports++ % BEST_RESENT_EVERY === 0;
    return [...this.running.values()].map((run) => {
      const bestScore = run.bestScore();
      if (bestScore === null) return { unitId: run.unitId };
      const layout = resend || this.reportedBest.get(run) !== bestScore ? run.bestLayout() : null;
      if (layout === null) return { unitId: run.unitId, bestScore };
      this.reportedBest.set(run, bestScore);
      return { unitId: run.unitId, bestScore, best: { layout, score: bestScore } };
    });
  }

  /** A migrant from the hive for a running unit (the job's best, which the unit trails). */
  migrate(unitId: string, layout: string): void {
    this.running.get(unitId)?.offerMigrant(layout);
  }

  /** Ends a running unit now, its best delivered (its job's time is spent, or it converged). */
  finish(unitId: string, reason: string): void {
    const run = this.running.get(unitId);
    if (!run) return;
    this.options.log(`agent: finishing unit ${unitId}: ${reason}`);
    run.finish(reason);
  }

  /** Steps per second of every running search together. */
  stepsPerSecond(): number {
    return [...this.running.values()].reduce((sum, run) => sum + run.stepsPerSecond(), 0);
  }

  /** Searches a leased unit; its result goes to the delivery, its failure to the hive. */
  start(unit: LeasedUnit): void {
    const { assets, client, delivery, retries, stop, log } = this.options;
    const run = runUnit(unit, (sha) => assets.read(sha), {
      niceness: this.options.niceness,
      handover: this.handover,
      leasedAt: Date.now(),
    });
    this.running.set(unit.unitId, run);
    const budget =
      unit.timeLimitSeconds === undefined
        ? `${unit.steps} steps`
        : `${Math.round(unit.timeLimitSeconds)} s`;
    log(`agent: unit ${unit.unitId} started (${budget})`);
    const settled = run.done
      .then(async (outcome) => {
        // Reported in heartbeats all along: searching, then undelivered.
        forget(this.running, unit.unitId, run);
        this.unavailableAssets = 0;
        await delivery.keep(unit.unitId, outcome);
      })
      .catch(async (error: unknown) => {
        forget(this.running, unit.unitId, run);
        if (this.aborted.has(run)) return;
        if (error instanceof HiveUnavailableError || this.isWorthWaitingFor(error)) {
          // The assets gateway is away, or lacks a pinned blob for now: the unit goes back
          // (no attempt counted), and this thread waits before it leases again.
          log(`agent: unit ${unit.unitId} given back: ${error.message}`);
          await client.release(unit.unitId).catch(() => {});
          await retries.pause(this.unavailableAssets++, stop);
          return;
        }
        const reason =
          error instanceof AssetMissingError
            ? `${error.message}: the asset version the job pins is no longer published`
            : (error as Error).message;
        log(`agent: unit ${unit.unitId} failed: ${reason}`);
        await client.failUnit(unit.unitId, reason).catch(() => {});
      })
      .finally(() => {
        // The unit may be leased here again meanwhile (given back, then leased by another
        // thread): only this run's entries go.
        forget(this.settling, unit.unitId, settled);
        this.aborted.delete(run);
      });
    this.settling.set(unit.unitId, settled);
  }

  /** Stops a running unit the hive took back (its job was cancelled, say). */
  abort(unitId: string, reason: string): void {
    const run = this.running.get(unitId);
    if (!run) return;
    this.options.log(`agent: aborting unit ${unitId}: ${reason}`);
    this.stopRun(run, reason);
  }

  /**
   * Stops every search still running; those that end without a result go back to the hive,
   * one that finished as it was stopped is delivered. Settles once each unit has settled.
   */
  async stopAll(reason: string): Promise<void> {
    const stillRunning = [...this.running.values()];
    const settlements = stillRunning.map((run) => this.settling.get(run.unitId));
    for (const run of stillRunning) this.stopRun(run, reason);
    const ends = await Promise.allSettled(stillRunning.map((run) => run.done));
    for (const [index, end] of ends.entries()) {
      const run = stillRunning[index] as UnitRun;
      if (end.status === "rejected") await this.options.client.release(run.unitId).catch(() => {});
    }
    await Promise.all(settlements);
  }

  /** Stops a search on purpose: its end is not a failure. */
  private stopRun(run: UnitRun, reason: string): void {
    this.aborted.add(run);
    run.abort(reason);
  }

  /**
   * A missing pinned blob is expected back (Valkey restarted empty, and the asset manager
   * publishes again) until it has been missing for the patience; then the unit fails, and
   * its job with it, saying which blob is missing.
   */
  private isWorthWaitingFor(error: unknown): error is AssetMissingError {
    const patience = this.options.missingAssetPatienceMs ?? MISSING_ASSET_PATIENCE_MS;
    return error instanceof AssetMissingError && error.missingForMs < patience;
  }
}
