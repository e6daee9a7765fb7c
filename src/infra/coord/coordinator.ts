import { createHash } from "node:crypto";
import { KeyForgeError } from "../../core/errors.ts";
import type { BusEvent } from "../../protocol/bus-events.ts";

/** What a node reports with each heartbeat; kept only in the coordinator, never in Postgres. */
export interface NodeTelemetry {
  /** Annealing steps per second the node is running at. */
  readonly ips: number;
  readonly temperatureC?: number;
  readonly memoryMb?: number;
  /** Units in progress, with their best score so far. */
  readonly units?: readonly { readonly unitId: string; readonly bestScore?: number }[];
}

export interface ClusterStats {
  readonly liveNodes: number;
  readonly totalIps: number;
  readonly nodes: readonly {
    readonly nodeId: string;
    readonly telemetry: NodeTelemetry;
    /** When the node's last heartbeat was stored, in milliseconds since the epoch. */
    readonly lastHeartbeatAt: number;
  }[];
}

/** An event for every client on every hive instance (job.created, asset.updated …). */
export interface CoordinatorEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** One asset in the manifest: where it lives under data/system, and its current content. */
export interface ManifestEntry {
  /** Path under data/system, with forward slashes, e.g. "boards/corne.json". */
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  /** boards, layouts, corpora or weights. */
  readonly kind: string;
  /** ISO 8601 time of the upload. */
  readonly updated: string;
}

/** Requests counted in a rate-limit window (Coordinator.countRequest). */
export interface RequestCount {
  readonly count: number;
  /** Milliseconds until the window ends and the count starts again. */
  readonly resetInMs: number;
}

/** A job's best layout as its islands reported it (checked by the hive), and when it last improved. */
export interface JobBest {
  readonly score: number;
  readonly layout: string;
  /** When the best last improved: ms since the epoch, by the coordinator's clock. */
  readonly improvedAt: number;
}

/** Blobs are stored in chunks of this many bytes, so nobody holds a large one whole to serve it. */
export const BLOB_CHUNK_BYTES = 1 << 20;

/** Seconds a heartbeat keeps a node alive. */
export const HEARTBEAT_TTL_SECONDS = 30;
/** Seconds one hive instance holds the right to write a hardware profile. */
export const PROFILE_SHIELD_SECONDS = 86_400;
/** Seconds a job's best is kept after it last improved (8 days): a job still searching renews it. */
export const JOB_BEST_TTL_SECONDS = 8 * 86_400;

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
  /** Drops a node from the live set at once (it stopped cleanly) instead of after its TTL. */
  removeHeartbeat(nodeId: string): Promise<void>;
  /** Nodes whose last heartbeat is younger than HEARTBEAT_TTL_SECONDS. */
  getClusterStats(): Promise<ClusterStats>;
  /**
   * Claims a (node, nonce) pair with `claim` for `ttlSeconds`: null the first time, else the
   * claim it was first made with (a replay, or the same result sent twice).
   */
  claimNonce(
    nodeId: string,
    nonce: string,
    claim: string,
    ttlSeconds: number,
  ): Promise<string | null>;
  /** Makes a nonce new again: its request failed before the hive could decide on it. */
  forgetNonce(nodeId: string, nonce: string): Promise<void>;
  /**
   * Stores the blob under its SHA-256 (checked), then points the manifest entry at it: a reader
   * never finds an entry whose blob is missing or partial.
   */
  setManifestEntry(entry: ManifestEntry, blob: Uint8Array): Promise<void>;
  removeManifestEntry(path: string): Promise<void>;
  getManifest(): Promise<ManifestEntry[]>;
  /**
   * Records that the asset manager has published its folders here. The mark goes with the
   * assets when the store loses them (Valkey restarted empty), so its absence tells the
   * manager to publish everything again at once.
   */
  markAssetsSeeded(): Promise<void>;
  /** True while the mark of markAssetsSeeded is there (one cheap read). */
  assetsSeeded(): Promise<boolean>;
  /** Size and chunk count of a stored blob, or null when it is not stored. */
  getBlobInfo(sha256: string): Promise<{ readonly size: number; readonly chunks: number } | null>;
  getBlobChunk(sha256: string, index: number): Promise<Uint8Array | null>;
  /** A whole blob (for small ones; serve large ones chunk by chunk). */
  getBin(sha256: string): Promise<Uint8Array | null>;
  /**
   * Counts `requests` requests (default 1) against `key` in a fixed window of `windowMs` that
   * starts with the window's first request: the count so far (these included) and the time left.
   */
  countRequest(key: string, windowMs: number, requests?: number): Promise<RequestCount>;
  /**
   * Keeps `best` as the job's best when the job has none yet or a worse one (higher score);
   * true when kept. A score not lower than the stored one (equal included), or not a finite
   * number, is refused and changes nothing. A kept best keeps the job's entry for
   * JOB_BEST_TTL_SECONDS more.
   */
  offerJobBest(
    jobId: string,
    best: { readonly score: number; readonly layout: string },
  ): Promise<boolean>;
  /** The stored bests of the given jobs; jobs without one are absent from the map. */
  jobBests(jobIds: readonly string[]): Promise<Map<string, JobBest>>;
  /** Resolves when the service answers (a round trip); throws COORDINATOR_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  publishUpdate(event: BusEvent): Promise<void>;
  /** Calls `listener` for every event published from now on, by anyone; returns unsubscribe. */
  subscribe(listener: (event: CoordinatorEvent) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Keys carry a namespaced, versioned prefix, so another app or version never collides. */
export const KEY_PREFIX = "keyforge:v1:";

/**
 * Every key under one prefix. A different prefix gives a separate world on the same server
 * (several deployments, or tests running side by side); pub/sub channels included, since
 * Redis shares those across databases.
 */
export function coordinatorKeys(prefix: string = KEY_PREFIX) {
  return {
    profileShield: (cpuSignature: string) => `${prefix}shield:profile:${cpuSignature}`,
    heartbeat: (nodeId: string) => `${prefix}heartbeat:${nodeId}`,
    liveNodes: `${prefix}nodes:live`,
    nonce: (nodeId: string, nonce: string) => `${prefix}nonce:${nodeId}:${nonce}`,
    requestCount: (key: string) => `${prefix}ratelimit:${key}`,
    jobBest: (jobId: string) => `${prefix}jobbest:${jobId}`,
    events: `${prefix}events`,
    manifest: `${prefix}manifest`,
    assetsSeeded: `${prefix}assets:seeded`,
    blobInfo: (sha256: string) => `${prefix}blob:${sha256}:info`,
    blobChunk: (sha256: string, index: number) => `${prefix}blob:${sha256}:${index}`,
  };
}

export type CoordinatorKeys = ReturnType<typeof coordinatorKeys>;

/** The coordinator's service cannot be reached; callers degrade (see docs) and retry later. */
export class CoordinatorUnavailableError extends KeyForgeError {
  constructor(reason: string) {
    super("COORDINATOR_UNAVAILABLE", `the coordinator (Valkey) is unavailable: ${reason}`);
    this.name = "CoordinatorUnavailableError";
  }
}

/** Refuses a manifest entry that does not describe its blob. */
export function checkBlob(entry: ManifestEntry, blob: Uint8Array): void {
  const sha256 = createHash("sha256").update(blob).digest("hex");
  if (sha256 !== entry.sha256 || blob.byteLength !== entry.size) {
    throw new KeyForgeError(
      "ASSET_HASH_MISMATCH",
      `asset ${entry.path}: the blob has SHA-256 ${sha256} and ${blob.byteLength} bytes, the entry says ${entry.sha256} and ${entry.size}`,
    );
  }
}

/** The blob cut into BLOB_CHUNK_BYTES pieces (at least one, for an empty blob). */
export function blobChunks(blob: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < blob.byteLength || chunks.length === 0; at += BLOB_CHUNK_BYTES) {
    chunks.push(blob.subarray(at, Math.min(blob.byteLength, at + BLOB_CHUNK_BYTES)));
  }
  return chunks;
}
