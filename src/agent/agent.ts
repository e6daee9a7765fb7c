import { setTimeout as sleep } from "node:timers/promises";
import { signRegistration, signResult } from "../infra/node-signatures.ts";
import {
  isJoinRefusal,
  type LeasedUnit,
  type NodeRegistration,
} from "../protocol/node-messages.ts";
import { type AgentIdentity, loadOrCreateIdentity } from "./agent-identity.ts";
import { AssetCache, AssetMissingError } from "./asset-cache.ts";
import { calibratedIps } from "./calibration.ts";
import { cpuTemperature, detectHardware } from "./hardware.ts";
import { HiveClient, HiveRefusedError, HiveUnavailableError } from "./hive-client.ts";
import { ResultOutbox } from "./result-outbox.ts";
import { runUnit, type UnitRun } from "./unit-runner.ts";

export interface AgentOptions {
  readonly hiveUrl: string;
  readonly assetsUrl: string;
  readonly dataDir: string;
  /** Reads HIVE_SECRET; read again when the hive refuses the node, so a rotation needs no restart. */
  readonly secret: () => string | undefined;
  /**
   * A join token (kfj_...) to register with instead of HIVE_SECRET: it enrols the node once, and
   * the node is known by its key afterwards.
   */
  readonly joinToken?: string;
  /** Units run at once, one worker thread each. */
  readonly threads: number;
  /** Nice value of the search threads (default 0; the command's low priority is 19). */
  readonly niceness?: number;
  /** KeyForge's version: calibration is measured again when it changes. */
  readonly engine: string;
  readonly name?: string;
  readonly log: (line: string) => void;
  /** Measures steps per second of one thread (default: the standard problem). */
  readonly measure?: () => Promise<number>;
  /** First wait before retrying an unreachable hive (default 1 s, doubling up to 60 s). */
  readonly retryBaseMs?: number;
  /** How long running units may go on once the agent is asked to stop (default 30 s). */
  readonly graceMs?: number;
  /**
   * How long a blob a job pins may be missing from the assets gateway before the units that
   * need it fail (default 10 min); until then they are given back, no attempt counted.
   */
  readonly missingAssetPatienceMs?: number;
}

/** Seconds a lease request waits for work when none is queued. */
const LEASE_WAIT_SECONDS = 25;
const MAX_RETRY_MS = 60_000;
/**
 * Far beyond the seconds the asset manager takes to publish an emptied store again, and even
 * beyond a restart of the asset manager itself: a blob missing this long is gone for good.
 */
const MISSING_ASSET_PATIENCE_MS = 10 * 60_000;

/** A wait before the `attempt`-th retry: doubling from `baseMs`, with jitter. */
function backoff(baseMs: number, attempt: number): number {
  const ceiling = Math.min(MAX_RETRY_MS, baseMs * 2 ** Math.min(attempt, 16));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** The hive no longer knows the node's token (it expired): kept, and sent once registered again. */
function isAuthenticationError(error: HiveRefusedError): boolean {
  return error.status === 401 && error.code !== "RESULT_SIGNATURE_INVALID";
}

/**
 * A worker node (`keyforge agent`): registers with the hive, leases as many units as it has
 * threads, runs each on a worker thread, heartbeats their progress and obeys the hive's
 * commands, and delivers every result through its durable outbox. Stopping ends leasing, lets
 * running units finish within a grace period (the others go back to the hive) and flushes the
 * outbox.
 */
export class Agent {
  private readonly options: AgentOptions;
  private readonly client: HiveClient;
  private readonly outbox: ResultOutbox;
  private readonly assets: AssetCache;
  /** Units whose search runs now. */
  private readonly running = new Map<string, UnitRun>();
  /**
   * Per leased unit: settles once its result is delivered (or its failure reported). A thread
   * takes its next unit then, so that unit can start from this one's result.
   */
  private readonly settling = new Map<string, Promise<void>>();
  /** Results in the outbox, not yet acknowledged: reported in heartbeats, so their leases hold. */
  private readonly undelivered = new Set<string>();
  /** Units stopped on purpose (the hive's command, or shutdown): not failures. */
  private readonly aborted = new Set<UnitRun>();
  /** Ends the heartbeats, once the last unit has ended. */
  private readonly beating = new AbortController();
  private identity: AgentIdentity | null = null;
  private registration: NodeRegistration | null = null;
  private heartbeatSeconds = 5;
  private tokenExpiresAt = 0;
  private delivering: Promise<void> = Promise.resolve();
  /** The next delivery attempt after a failed one, and how many failed in a row. */
  private redelivery: NodeJS.Timeout | null = null;
  private failedDeliveries = 0;
  /** Units given back in a row because the assets gateway could not serve their assets. */
  private unavailableAssets = 0;
  /** Aborted when the agent is asked to stop, or the hive refuses the node for good. */
  private stopping: AbortSignal = new AbortController().signal;
  /** Stops the agent when the hive refuses to register the node again. */
  private readonly halt = new AbortController();
  /** Why the hive refused the node for good; run() rejects with it once the agent has stopped. */
  private refusal: HiveRefusedError | null = null;

  constructor(options: AgentOptions) {
    this.options = options;
    this.client = new HiveClient(options.hiveUrl);
    this.outbox = new ResultOutbox(options.dataDir);
    this.assets = new AssetCache(options.assetsUrl, options.dataDir);
  }

  /** The node id, once the agent has started. */
  get nodeId(): string | null {
    return this.identity?.nodeId ?? null;
  }

  /**
   * Runs until `signal` is aborted, then shuts down cleanly and tells the hive it has gone.
   * Rejects when the hive refuses the node for good (a join token it no longer takes, say).
   */
  async run(signal: AbortSignal): Promise<void> {
    const stop = AbortSignal.any([signal, this.halt.signal]);
    const { log } = this.options;
    this.identity = await loadOrCreateIdentity(this.options.dataDir);
    const hardware = await detectHardware();
    const { ips, measured } = await calibratedIps(
      this.options.dataDir,
      hardware,
      this.options.threads,
      { engine: this.options.engine, measure: this.options.measure },
    );
    if (measured)
      log(`agent: calibrated at ${Math.round(ips)} steps/s on ${this.options.threads} thread(s)`);
    this.registration = {
      publicKey: this.identity.publicKey,
      hardware,
      calibratedIps: ips,
      // The hive leases the node as many units at once as it runs threads.
      threads: this.options.threads,
      ...(this.options.name ? { name: this.options.name } : {}),
    };
    this.stopping = stop;
    if (!(await this.register(stop))) return;
    log(`agent: node ${this.identity.nodeId} registered with ${this.options.hiveUrl}`);
    this.deliver();
    const beating = this.heartbeats();
    let delivered = false;
    try {
      await this.leaseUntil(stop);
      delivered = await this.finish();
    } finally {
      this.beating.abort();
      await beating;
    }
    // Not while results wait in the outbox: their leases hold until the next start delivers
    // them, or the node has been silent long enough for the hive to take them back.
    if (delivered) await this.client.goodbye(this.identity.nodeId).catch(() => {});
    if (this.refusal) throw this.refusal;
  }

  /**
   * Registers, retrying while the hive is unreachable or refuses the secret (it is read again:
   * it may have been rotated); false if stopped. Throws the hive's refusal when retrying cannot
   * help: a join token it does not take, a registration it finds invalid.
   */
  private async register(stop: AbortSignal): Promise<boolean> {
    const { privateKey, publicKey } = this.identity as AgentIdentity;
    for (let attempt = 0; !stop.aborted; attempt++) {
      const credential = this.options.joinToken ?? this.options.secret();
      try {
        if (credential === undefined) throw new Error("HIVE_SECRET is not set");
        const registered = await this.client.register(credential, {
          ...(this.registration as NodeRegistration),
          proof: signRegistration(privateKey, publicKey),
        });
        this.heartbeatSeconds = registered.heartbeatIntervalSeconds;
        this.tokenExpiresAt = Date.parse(registered.expiresAt);
        return true;
      } catch (error) {
        const final =
          error instanceof HiveRefusedError && (error.status !== 401 || isJoinRefusal(error.code));
        if (final) throw error;
        await this.waitToRetry("cannot register", error, attempt, stop);
      }
    }
    return false;
  }

  /**
   * Registers again once the hive no longer knows the node's token. A refusal for good stops
   * the agent; false then, or when stopped.
   */
  private async registerAgain(stop: AbortSignal): Promise<boolean> {
    try {
      return await this.register(stop);
    } catch (error) {
      if (!(error instanceof HiveRefusedError)) throw error;
      this.refusedForGood(error);
      return false;
    }
  }

  /** The hive will not have the node (it refused to register it, or its admin removed it). */
  private refusedForGood(error: HiveRefusedError): void {
    this.options.log(`agent: the hive refused the node (${error.message}); stopping`);
    this.refusal = error;
    this.halt.abort();
  }

  /**
   * A node call that re-registers once when the hive no longer knows the node's token (or the
   * secret the node enrolled with was retired), and stops the agent once its admin removed it.
   */
  private async asNode<T>(call: () => Promise<T>, stop: AbortSignal): Promise<T> {
    await this.renewTokenIfDue();
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof HiveRefusedError)) throw error;
      if (error.code === "NODE_REMOVED") this.refusedForGood(error);
      if (error.status !== 401) throw error;
      if (!(await this.registerAgain(stop))) throw error;
      return call();
    }
  }

  /** Renews the node's token when it has less than five minutes left (best effort). */
  private async renewTokenIfDue(): Promise<void> {
    if (this.tokenExpiresAt - Date.now() >= 5 * 60_000) return;
    const renewed = await this.client.renewToken(this.nodeId as string).catch(() => null);
    if (renewed) this.tokenExpiresAt = Date.parse(renewed.expiresAt);
  }

  private async leaseUntil(stop: AbortSignal): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      if (stop.aborted) resolve();
      stop.addEventListener("abort", () => resolve(), { once: true });
    });
    let failures = 0;
    while (!stop.aborted) {
      const free = this.options.threads - this.settling.size;
      if (free === 0) {
        await Promise.race([...this.settling.values(), stopped]);
        continue;
      }
      try {
        const units = await this.asNode(
          () => this.client.lease(this.nodeId as string, free, LEASE_WAIT_SECONDS, stop),
          stop,
        );
        failures = 0;
        for (const unit of units) this.start(unit);
      } catch (error) {
        if (stop.aborted) break;
        await this.waitToRetry("leasing failed", error, failures++, stop);
      }
    }
  }

  /** The wait before the `attempt`-th retry of anything that failed. */
  private retryWait(attempt: number): number {
    return backoff(this.options.retryBaseMs ?? 1000, attempt);
  }

  /** Logs a failed attempt and waits before the next (doubling, with jitter), or until stopped. */
  private async waitToRetry(
    what: string,
    error: unknown,
    attempt: number,
    stop: AbortSignal,
  ): Promise<void> {
    const wait = this.retryWait(attempt);
    this.options.log(
      `agent: ${what} (${(error as Error).message}); retrying in ${Math.round(wait / 1000)} s`,
    );
    await sleep(wait, undefined, { signal: stop }).catch(() => {});
  }

  private start(unit: LeasedUnit): void {
    const run = runUnit(unit, (sha) => this.assets.read(sha), this.options.niceness);
    this.running.set(unit.unitId, run);
    this.options.log(`agent: unit ${unit.unitId} started (${unit.steps} steps)`);
    const settled = run.done
      .then(async (outcome) => {
        // Reported in heartbeats all along: searching, then undelivered.
        this.undelivered.add(unit.unitId);
        this.forget(this.running, unit.unitId, run);
        this.unavailableAssets = 0;
        const { privateKey } = this.identity as AgentIdentity;
        const submission = signResult(privateKey, unit.unitId, outcome);
        try {
          await this.outbox.put({ unitId: unit.unitId, submission });
        } catch (error) {
          this.undelivered.delete(unit.unitId);
          throw error;
        }
        this.deliver();
        await this.delivering;
      })
      .catch(async (error: unknown) => {
        this.forget(this.running, unit.unitId, run);
        if (this.aborted.has(run)) return;
        if (error instanceof HiveUnavailableError || this.isWorthWaitingFor(error)) {
          // The assets gateway is away, or lacks a pinned blob for now: the unit goes back
          // (no attempt counted), and this thread waits before it leases again.
          this.options.log(`agent: unit ${unit.unitId} given back: ${error.message}`);
          await this.client.release(unit.unitId).catch(() => {});
          const wait = this.retryWait(this.unavailableAssets++);
          await sleep(wait, undefined, { signal: this.stopping }).catch(() => {});
          return;
        }
        const reason =
          error instanceof AssetMissingError
            ? `${error.message}: the asset version the job pins is no longer published`
            : (error as Error).message;
        this.options.log(`agent: unit ${unit.unitId} failed: ${reason}`);
        await this.client.failUnit(unit.unitId, reason).catch(() => {});
      })
      .finally(() => {
        // The unit may be leased here again meanwhile (given back, then leased by another
        // thread): only this run's entries go.
        this.forget(this.settling, unit.unitId, settled);
        this.aborted.delete(run);
      });
    this.settling.set(unit.unitId, settled);
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

  /** Removes the entry of `unitId` in `map` when it is still `value`. */
  private forget<Value>(map: Map<string, Value>, unitId: string, value: Value): void {
    if (map.get(unitId) === value) map.delete(unitId);
  }

  /** Heartbeats until the agent has finished: telemetry out, commands (aborts) in. */
  private async heartbeats(): Promise<void> {
    const signal = this.beating.signal;
    // The first beat goes at once: the node shows in the cluster as soon as it has joined.
    for (let first = true; !signal.aborted; first = false) {
      if (!first) await sleep(this.heartbeatSeconds * 1000, undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
      // Every running unit, with its best score once it has one, and every result not yet
      // delivered: the hive aborts units of cancelled jobs and keeps the leases of the others.
      const units = [
        ...[...this.running.values()].map((run) => {
          const bestScore = run.bestScore();
          return bestScore === null ? { unitId: run.unitId } : { unitId: run.unitId, bestScore };
        }),
        ...[...this.undelivered].map((unitId) => ({ unitId })),
      ];
      // A unit may run longer than a token lives.
      await this.renewTokenIfDue();
      try {
        const temperatureC = await cpuTemperature();
        const reply = await this.client.heartbeat(this.nodeId as string, {
          ips: [...this.running.values()].reduce((sum, run) => sum + run.stepsPerSecond(), 0),
          ...(temperatureC === undefined ? {} : { temperatureC }),
          memoryMb: Math.round(process.memoryUsage().rss / 2 ** 20),
          units,
        });
        this.heartbeatSeconds = reply.heartbeatIntervalSeconds;
        for (const command of reply.commands) {
          const run = this.running.get(command.unitId);
          if (!run) continue;
          this.options.log(`agent: aborting unit ${command.unitId}: ${command.reason}`);
          this.aborted.add(run);
          run.abort(command.reason);
        }
      } catch (error) {
        this.options.log(`agent: heartbeat failed: ${(error as Error).message}`);
        if (error instanceof HiveRefusedError && error.status === 401) {
          await this.registerAgain(signal);
        }
      }
    }
  }

  /** Sends what waits in the outbox, one delivery at a time; what fails stays for the next. */
  private deliver(): void {
    this.delivering = this.delivering.then(() => this.deliverPending()).catch(() => {});
  }

  /**
   * Each result is signed again as it is sent: a fresh nonce and timestamp, so a result that
   * waited out a long outage is still within the hive's timestamp window. The hive stores a
   * unit's result once, so a copy that arrives twice is answered, not stored twice.
   */
  private async deliverPending(): Promise<void> {
    const { privateKey } = this.identity as AgentIdentity;
    for (const { unitId, submission } of await this.outbox.pending()) {
      this.undelivered.add(unitId);
      const { layout, score, steps, durationMs } = submission;
      try {
        await this.client.submitResult(
          unitId,
          signResult(privateKey, unitId, { layout, score, steps, durationMs }),
        );
        await this.outbox.acknowledge(unitId);
        this.undelivered.delete(unitId);
        this.failedDeliveries = 0;
      } catch (error) {
        if (error instanceof HiveRefusedError && !isAuthenticationError(error)) {
          this.options.log(`agent: result of ${unitId} refused: ${error.message}`);
          await this.outbox.deadLetter(unitId, error.message);
          this.undelivered.delete(unitId);
          continue;
        }
        this.options.log(`agent: result of ${unitId} kept for later: ${(error as Error).message}`);
        this.redeliverLater(error);
        return;
      }
    }
  }

  /** Tries the outbox again after a failed delivery: when the hive said, else backing off. */
  private redeliverLater(error: unknown): void {
    if (this.redelivery !== null || this.stopping.aborted) return;
    const asked = error instanceof HiveUnavailableError ? error.retryAfterSeconds : null;
    const wait = asked !== null ? asked * 1000 : this.retryWait(this.failedDeliveries++);
    this.redelivery = setTimeout(() => {
      this.redelivery = null;
      this.deliver();
    }, wait);
  }

  /**
   * Lets running units end within the grace period, gives the rest back, flushes the outbox.
   * True when every result was delivered.
   */
  private async finish(): Promise<boolean> {
    const graceOver = new AbortController();
    const grace = sleep(this.options.graceMs ?? 30_000, undefined, { signal: graceOver.signal });
    await Promise.race([Promise.all(this.settling.values()), grace.catch(() => {})]);
    // A pending timer would keep the process alive to the end of the grace period.
    graceOver.abort();
    // Only searches that end without a result go back; one that finished as it was stopped
    // is delivered below.
    const stillRunning = [...this.running.values()];
    const settlements = stillRunning.map((run) => this.settling.get(run.unitId));
    for (const run of stillRunning) {
      this.aborted.add(run);
      run.abort("the agent is stopping");
    }
    const ends = await Promise.allSettled(stillRunning.map((run) => run.done));
    for (const [index, end] of ends.entries()) {
      const run = stillRunning[index] as UnitRun;
      if (end.status === "rejected") await this.client.release(run.unitId).catch(() => {});
    }
    await Promise.all(settlements);
    if (this.redelivery !== null) clearTimeout(this.redelivery);
    this.redelivery = null;
    this.deliver();
    await this.delivering;
    if ((await this.outbox.pending()).length === 0) return true;
    this.options.log("agent: results wait in the outbox for the next start");
    return false;
  }
}
