import { signRegistration } from "../infra/node-signatures.ts";
import {
  isJoinRefusal,
  type Migrant,
  type NodeCommand,
  type NodeRegistration,
  type Telemetry,
} from "../protocol/node-messages.ts";
import type { AgentIdentity } from "./agent-identity.ts";
import { calibratedIps } from "./calibration.ts";
import { detectHardware } from "./hardware.ts";
import { type HiveClient, HiveRefusedError } from "./hive-client.ts";
import type { RetryBackoff } from "./retry-backoff.ts";
import type { Shutdown } from "./shutdown.ts";

/** What the node registers with: its key, its hardware and its calibrated speed. */
export async function nodeRegistration(
  identity: AgentIdentity,
  node: {
    readonly dataDir: string;
    readonly threads: number;
    readonly engine: string;
    readonly measure?: () => Promise<number>;
    readonly name?: string;
    readonly log: (line: string) => void;
  },
): Promise<NodeRegistration> {
  const hardware = await detectHardware();
  const { ips, measured } = await calibratedIps(node.dataDir, hardware, node.threads, {
    engine: node.engine,
    measure: node.measure,
  });
  if (measured)
    node.log(`agent: calibrated at ${Math.round(ips)} steps/s on ${node.threads} thread(s)`);
  return {
    publicKey: identity.publicKey,
    hardware,
    calibratedIps: ips,
    // The hive leases the node as many units at once as it runs threads.
    threads: node.threads,
    ...(node.name ? { name: node.name } : {}),
  };
}

/** A node token is renewed once it has less than this left (or half its lifetime, if shorter). */
const RENEWAL_MARGIN_MS = 5 * 60_000;

export interface NodeSessionOptions {
  readonly client: HiveClient;
  readonly identity: AgentIdentity;
  readonly registration: NodeRegistration;
  /** The join token, or HIVE_SECRET read again (it may have been rotated). */
  readonly credential: () => string | undefined;
  readonly retries: RetryBackoff;
  readonly shutdown: Shutdown;
}

/**
 * The node as the hive knows it: registered with a join token or HIVE_SECRET, then known by
 * its node token, renewed before it expires and replaced by registering again when the hive
 * no longer takes it.
 */
export class NodeSession {
  private readonly options: NodeSessionOptions;
  private tokenExpiresAt = 0;
  /** How long the node's token lived when the hive issued it. */
  private tokenLifetimeMs = 0;
  private intervalSeconds = 5;

  constructor(options: NodeSessionOptions) {
    this.options = options;
  }

  get nodeId(): string {
    return this.options.identity.nodeId;
  }

  /** Seconds between heartbeats, as the hive last said. */
  get heartbeatSeconds(): number {
    return this.intervalSeconds;
  }

  /**
   * Registers, retrying while the hive is unreachable or refuses the secret (it is read again:
   * it may have been rotated); false if stopped. Throws the hive's refusal when retrying cannot
   * help: a join token it does not take, a registration it finds invalid.
   */
  async register(stop: AbortSignal): Promise<boolean> {
    const { client, identity, registration, retries } = this.options;
    const { privateKey, publicKey } = identity;
    for (let attempt = 0; !stop.aborted; attempt++) {
      const credential = this.options.credential();
      try {
        if (credential === undefined) throw new Error("HIVE_SECRET is not set");
        const registered = await client.register(credential, {
          ...registration,
          proof: signRegistration(privateKey, publicKey),
        });
        this.intervalSeconds = registered.heartbeatIntervalSeconds;
        this.tokenIssued(registered.expiresAt);
        return true;
      } catch (error) {
        const final =
          error instanceof HiveRefusedError && (error.status !== 401 || isJoinRefusal(error.code));
        if (final) throw error;
        const what =
          error instanceof HiveRefusedError
            ? "the hive refuses this HIVE_SECRET (rotated? HIVE_SECRET or HIVE_SECRET_FILE is read again before each attempt)"
            : "cannot register";
        await retries.waitToRetry(what, error, attempt, stop);
      }
    }
    return false;
  }

  /**
   * Registers again once the hive no longer knows the node's token. A refusal for good stops
   * the agent; false then, or when stopped.
   */
  async registerAgain(stop: AbortSignal): Promise<boolean> {
    try {
      return await this.register(stop);
    } catch (error) {
      if (!(error instanceof HiveRefusedError)) throw error;
      this.options.shutdown.refusedForGood(error);
      return false;
    }
  }

  /**
   * A node call that re-registers once when the hive no longer knows the node's token (or the
   * secret the node enrolled with was retired), and stops the agent once its admin removed it.
   */
  async asNode<T>(call: () => Promise<T>, stop: AbortSignal): Promise<T> {
    await this.renewTokenIfDue();
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof HiveRefusedError)) throw error;
      if (error.code === "NODE_REMOVED") this.options.shutdown.refusedForGood(error);
      if (error.status !== 401) throw error;
      if (!(await this.registerAgain(stop))) throw error;
      return call();
    }
  }

  /**
   * Renews the node's token when it has less than five minutes (or half its lifetime, for a
   * hive that issues shorter tokens) left; best effort.
   */
  async renewTokenIfDue(): Promise<void> {
    const margin = Math.min(RENEWAL_MARGIN_MS, this.tokenLifetimeMs / 2);
    if (this.tokenExpiresAt - Date.now() >= margin) return;
    const renewed = await this.options.client.renewToken(this.nodeId).catch(() => null);
    if (renewed) this.tokenIssued(renewed.expiresAt);
  }

  private tokenIssued(expiresAt: string): void {
    this.tokenExpiresAt = Date.parse(expiresAt);
    this.tokenLifetimeMs = Math.max(0, this.tokenExpiresAt - Date.now());
  }

  /** Sends a heartbeat; the hive's commands for the node and migrants for its units come back. */
  async heartbeat(telemetry: Telemetry): Promise<{ commands: NodeCommand[]; migrants: Migrant[] }> {
    const reply = await this.options.client.heartbeat(this.nodeId, telemetry);
    this.intervalSeconds = reply.heartbeatIntervalSeconds;
    return { commands: reply.commands, migrants: reply.migrants ?? [] };
  }
}
