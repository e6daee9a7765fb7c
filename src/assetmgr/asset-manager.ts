import { KeyForgeError } from "../core/errors.ts";
import { oneLineReason } from "../infra/asset-validation.ts";
import { type Coordinator, CoordinatorUnavailableError } from "../infra/coord/coordinator.ts";
import { AssetPublisher } from "./asset-publisher.ts";
import { checkAssetFolders } from "./asset-scan.ts";
import { type AssetWatcher, watchAssetFolders } from "./asset-watcher.ts";

export interface AssetManagerOptions {
  readonly coordinator: Coordinator;
  /** Folders with one sub-folder per kind; when two hold the same path, the later one wins. */
  readonly folders: readonly string[];
  /** Time between two full verifies of the manifest against the folders. */
  readonly verifyIntervalMs: number;
  /** One line per event, for standard error. */
  readonly log: (line: string) => void;
  /** First wait before retrying after the coordinator was unavailable; doubles up to 30 s. */
  readonly retryDelayMs?: number;
  /** How long a file must stay unchanged before it is read. */
  readonly settleMs?: number;
  /**
   * Time between two checks that the store still holds the published assets (one cheap read
   * of the mark the last full pass left); a store that lost them is published again at once.
   */
  readonly seedCheckIntervalMs?: number;
}

const MAX_RETRY_DELAY_MS = 30_000;
/** Agents wait while blobs are missing: one EXISTS a second keeps that wait short, at no cost. */
const DEFAULT_SEED_CHECK_INTERVAL_MS = 1000;

/**
 * The `keyforge assetmgr` daemon: publishes the folders at boot, then every change the watcher
 * reports, and verifies everything periodically. Work runs one task at a time, so a verify and
 * a change never interleave. When the coordinator is unavailable, changed paths stay pending
 * and are retried with back-off, and a full pass follows once it is back; the periodic verify
 * reconciles whatever was missed. A store that comes back empty (Valkey restarted without
 * persistence) is noticed within a seed check, and published again at once: until then the
 * gateway answers 404 for every blob, and agents wait.
 */
export class AssetManager {
  private readonly publisher: AssetPublisher;
  private readonly coordinator: Coordinator;
  private readonly log: (line: string) => void;
  private readonly firstRetryDelayMs: number;
  /** Paths changed on disk and not published yet. */
  private readonly pending = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private drainQueued = false;
  private verifyQueued = false;
  private seedCheckQueued = false;
  /** A full pass is owed: at boot, after one failed, and after the coordinator was unavailable. */
  private reconcileOwed = true;
  private coordinatorDown = false;
  private retryDelayMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private verifyTimer: NodeJS.Timeout | undefined;
  private seedCheckTimer: NodeJS.Timeout | undefined;
  private watcher: AssetWatcher | undefined;
  private closed = false;

  private constructor(options: AssetManagerOptions) {
    this.publisher = new AssetPublisher(options);
    this.coordinator = options.coordinator;
    this.log = options.log;
    this.firstRetryDelayMs = options.retryDelayMs ?? 500;
    this.retryDelayMs = this.firstRetryDelayMs;
  }

  /** Starts watching, publishes the folders once, and resolves when that first pass is done. */
  static async start(options: AssetManagerOptions): Promise<AssetManager> {
    await checkAssetFolders(options.folders);
    const manager = new AssetManager(options);
    // Watch before the first pass, so a change made during it is not missed.
    manager.watcher = await watchAssetFolders({
      folders: options.folders,
      onChange: (path) => manager.changed(path),
      onError: (error) => options.log(`assetmgr: watcher error: ${error.message}`),
      ...(options.settleMs !== undefined && { settleMs: options.settleMs }),
    });
    await manager.enqueue(() => manager.reconcile());
    manager.verifyTimer = setInterval(() => manager.verifySoon(), options.verifyIntervalMs);
    manager.seedCheckTimer = setInterval(
      () => manager.checkSeedSoon(),
      options.seedCheckIntervalMs ?? DEFAULT_SEED_CHECK_INTERVAL_MS,
    );
    return manager;
  }

  /** Stops watching and verifying, after the task in progress. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.verifyTimer);
    clearInterval(this.seedCheckTimer);
    clearTimeout(this.retryTimer);
    await this.watcher?.close();
    await this.queue;
  }

  private changed(path: string): void {
    this.pending.add(path);
    if (this.drainQueued || this.closed) return;
    this.drainQueued = true;
    void this.enqueue(() => this.drain());
  }

  private verifySoon(): void {
    if (this.verifyQueued || this.closed) return;
    this.verifyQueued = true;
    void this.enqueue(async () => {
      this.verifyQueued = false;
      await this.reconcile();
    });
  }

  /**
   * Publishes everything again when the store has lost the mark of the last full pass. Not
   * while the coordinator is down: the retry makes a full pass once it is back.
   */
  private checkSeedSoon(): void {
    if (this.seedCheckQueued || this.coordinatorDown || this.closed) return;
    this.seedCheckQueued = true;
    void this.enqueue(async () => {
      this.seedCheckQueued = false;
      try {
        if (await this.coordinator.assetsSeeded()) return;
      } catch (error) {
        this.failed(error);
        return;
      }
      this.log(
        "assetmgr: the store has lost the assets (Valkey restarted empty?); publishing them again",
      );
      await this.reconcile();
    });
  }

  /** Runs tasks one after the other; each task handles its own failures. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.closed ? undefined : task()));
    this.queue = run;
    return run;
  }

  private async reconcile(): Promise<void> {
    try {
      await this.publisher.reconcile();
      this.reconcileOwed = false;
      this.reachable();
    } catch (error) {
      this.reconcileOwed = true;
      this.failed(error);
    }
  }

  private async drain(): Promise<void> {
    this.drainQueued = false;
    for (const path of [...this.pending]) {
      this.pending.delete(path);
      try {
        await this.publisher.syncPath(path);
      } catch (error) {
        if (error instanceof CoordinatorUnavailableError) {
          this.pending.add(path);
          this.failed(error);
          return;
        }
        if (error instanceof KeyForgeError && error.code === "ASSET_FOLDER_MISSING") {
          // One line for the folder, not one per file; the verify takes over once it is back.
          this.pending.clear();
          this.failed(error);
          return;
        }
        this.log(`assetmgr: cannot publish ${path}: ${oneLineReason(error)}`);
      }
    }
    this.reachable();
  }

  private failed(error: unknown): void {
    if (!(error instanceof CoordinatorUnavailableError)) {
      // A bug or a file-system failure: report it; the next verify tries again.
      this.log(`assetmgr: ${oneLineReason(error)}`);
      return;
    }
    // It may come back empty (a restart without persistence): a full pass follows the outage.
    this.reconcileOwed = true;
    if (!this.coordinatorDown) {
      // One line when it goes down and one when it is back, not one per attempt.
      this.coordinatorDown = true;
      const pending = this.pending.size > 0 ? ` (${this.pending.size} change(s) pending)` : "";
      this.log(`assetmgr: ${oneLineReason(error)}; retrying${pending}`);
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.enqueue(async () => {
        if (this.reconcileOwed) await this.reconcile();
        if (!this.reconcileOwed) await this.drain();
      });
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2);
  }

  private reachable(): void {
    this.retryDelayMs = this.firstRetryDelayMs;
    if (!this.coordinatorDown) return;
    this.coordinatorDown = false;
    this.log("assetmgr: the coordinator is reachable again");
  }
}
