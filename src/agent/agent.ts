import { type AgentIdentity, loadOrCreateIdentity } from "./agent-identity.ts";
import { AssetCache } from "./asset-cache.ts";
import { startHeartbeats } from "./heartbeats.ts";
import { HiveClient } from "./hive-client.ts";
import { leaseUntil } from "./lease-loop.ts";
import { NodeSession, nodeRegistration } from "./node-session.ts";
import { ResultDelivery } from "./result-delivery.ts";
import { RetryBackoff } from "./retry-backoff.ts";
import { RunningUnits } from "./running-units.ts";
import { drain, Shutdown } from "./shutdown.ts";

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

/**
 * A worker node (`keyforge agent`): registers with the hive, leases as many units as it has
 * threads, runs each on a worker thread, heartbeats their progress and obeys the hive's
 * commands, and delivers every result through its durable outbox. Stopping ends leasing, lets
 * running units finish within a grace period (the others go back to the hive) and flushes the
 * outbox.
 */
export class Agent {
  private readonly options: AgentOptions;
  private identity: AgentIdentity | null = null;

  constructor(options: AgentOptions) {
    this.options = options;
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
    const { options } = this;
    const { log } = options;
    const identity = await loadOrCreateIdentity(options.dataDir);
    this.identity = identity;
    const registration = await nodeRegistration(identity, options);
    const shutdown = new Shutdown(signal, log);
    const stop = shutdown.signal;
    const client = new HiveClient(options.hiveUrl);
    const retries = new RetryBackoff(options.retryBaseMs ?? 1000, log);
    const session = new NodeSession({
      client,
      identity,
      registration,
      credential: () => options.joinToken ?? options.secret(),
      retries,
      shutdown,
    });
    if (!(await session.register(stop))) return;
    log(`agent: node ${identity.nodeId} registered with ${options.hiveUrl}`);
    const delivery = new ResultDelivery({
      client,
      identity,
      dataDir: options.dataDir,
      retries,
      stop,
      log,
    });
    delivery.deliver();
    const units = new RunningUnits({
      threads: options.threads,
      niceness: options.niceness,
      missingAssetPatienceMs: options.missingAssetPatienceMs,
      assets: new AssetCache(options.assetsUrl, options.dataDir),
      client,
      delivery,
      retries,
      stop,
      log,
    });
    const stopHeartbeats = startHeartbeats({ session, units, delivery, log });
    let delivered = false;
    try {
      await leaseUntil(stop, { client, session, units, retries });
      delivered = await drain(units, delivery, options.graceMs ?? 30_000, log);
    } finally {
      await stopHeartbeats();
    }
    // Not while results wait in the outbox: their leases hold until the next start delivers
    // them, or the node has been silent long enough for the hive to take them back.
    if (delivered) await client.goodbye(identity.nodeId).catch(() => {});
    shutdown.throwRefusal();
  }
}
