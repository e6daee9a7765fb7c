import { KeyForgeError } from "../../core/errors.ts";

/** What a node reports with each heartbeat; kept only in the coordinator, never in Postgres. */
export interface NodeTelemetry {
  /** Annealing steps per second the node is running at. */
  readonly ips: number;
  readonly temperatureC?: number;
  readonly memoryMb?: number;
  /** Units in progress, with their best score so far. */
  readonly units?: readonly { readonly unitId: string; readonly bestScore: number }[];
}

export interface ClusterStats {
  readonly liveNodes: number;
  readonly totalIps: number;
  readonly nodes: readonly { readonly nodeId: string; readonly telemetry: NodeTelemetry }[];
}

/** An event for every client on every hive instance (job.created, asset.updated …). */
export interface CoordinatorEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Seconds a heartbeat keeps a node alive. */
export const HEARTBEAT_TTL_SECONDS = 30;
/** Seconds one hive instance holds the right to write a hardware profile. */
export const PROFILE_SHIELD_SECONDS = 86_400;

/**
 * The ephemeral side of the hive (ARCHITECTURE.md §4): nothing here is lost for good when it is
 * lost, and Postgres is spared the writes. Two implementations keep the same contract: Valkey
 * for production and an in-memory one for `keyforge up`; one contract suite tests both.
 */
export interface Coordinator {
  /** True for the one caller that may write this CPU's hardware profile in the next 24 h. */
  tryReserveProfileUpdate(cpuSignature: string): Promise<boolean>;
  releaseProfileUpdate(cpuSignature: string): Promise<void>;
  updateHeartbeat(nodeId: string, telemetry: NodeTelemetry): Promise<void>;
  /** Nodes whose last heartbeat is younger than HEARTBEAT_TTL_SECONDS. */
  getClusterStats(): Promise<ClusterStats>;
  /** True the first time a (node, nonce) pair is seen within `ttlSeconds`: replays get false. */
  checkAndSetNonce(nodeId: string, nonce: string, ttlSeconds: number): Promise<boolean>;
  publishUpdate(event: CoordinatorEvent): Promise<void>;
  /** Calls `listener` for every event published from now on, by anyone; returns unsubscribe. */
  subscribe(listener: (event: CoordinatorEvent) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Keys carry a namespaced, versioned prefix, so another app or version never collides. */
export const KEY_PREFIX = "keyforge:v1:";

export const keys = {
  profileShield: (cpuSignature: string) => `${KEY_PREFIX}shield:profile:${cpuSignature}`,
  heartbeat: (nodeId: string) => `${KEY_PREFIX}heartbeat:${nodeId}`,
  liveNodes: `${KEY_PREFIX}nodes:live`,
  nonce: (nodeId: string, nonce: string) => `${KEY_PREFIX}nonce:${nodeId}:${nonce}`,
  events: `${KEY_PREFIX}events`,
};

/** The coordinator's service cannot be reached; callers degrade (see docs) and retry later. */
export class CoordinatorUnavailableError extends KeyForgeError {
  constructor(reason: string) {
    super("COORDINATOR_UNAVAILABLE", `the coordinator (Valkey) is unavailable: ${reason}`);
    this.name = "CoordinatorUnavailableError";
  }
}
