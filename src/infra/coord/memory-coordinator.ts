import type { BusEvent } from "../../protocol/bus-events.ts";
import {
  blobChunks,
  type ClusterStats,
  type Coordinator,
  type CoordinatorEvent,
  checkBlob,
  HEARTBEAT_TTL_SECONDS,
  JOB_BEST_TTL_SECONDS,
  type JobBest,
  type ManifestEntry,
  type NodeTelemetry,
  PROFILE_SHIELD_SECONDS,
  type RequestCount,
} from "./coordinator.ts";

/**
 * The coordinator in one process, for `keyforge up`: the same contract as Valkey, TTLs, NX
 * and pub/sub included. Expired entries are dropped when read, as Valkey's lazy expiry does.
 */
export class MemoryCoordinator implements Coordinator {
  private readonly expiring = new Map<string, { value: unknown; expiresAt: number }>();
  private readonly listeners = new Set<(event: CoordinatorEvent) => void>();
  private readonly manifest = new Map<string, ManifestEntry>();
  private readonly blobs = new Map<string, Uint8Array[]>();
  private seeded = false;
  private readonly now: () => number;
  private readonly heartbeatTtlSeconds: number;
  private readonly profileShieldSeconds: number;

  /** The TTLs are the contract's; tests shorten them. */
  constructor(
    options: {
      now?: () => number;
      heartbeatTtlSeconds?: number;
      profileShieldSeconds?: number;
    } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.heartbeatTtlSeconds = options.heartbeatTtlSeconds ?? HEARTBEAT_TTL_SECONDS;
    this.profileShieldSeconds = options.profileShieldSeconds ?? PROFILE_SHIELD_SECONDS;
  }

  private live(key: string): { value: unknown } | undefined {
    const entry = this.expiring.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.expiring.delete(key);
      return undefined;
    }
    return entry;
  }

  private setNx(key: string, value: unknown, ttlSeconds: number): boolean {
    if (this.live(key)) return false;
    this.expiring.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    return true;
  }

  async tryReserveProfileUpdate(cpuSignature: string): Promise<boolean> {
    return this.setNx(`shield:${cpuSignature}`, 1, this.profileShieldSeconds);
  }

  async releaseProfileUpdate(cpuSignature: string): Promise<void> {
    this.expiring.delete(`shield:${cpuSignature}`);
  }

  async updateHeartbeat(nodeId: string, telemetry: NodeTelemetry): Promise<void> {
    const at = this.now();
    this.expiring.set(`heartbeat:${nodeId}`, {
      value: { telemetry: structuredClone(telemetry), at },
      expiresAt: at + this.heartbeatTtlSeconds * 1000,
    });
  }

  async removeHeartbeat(nodeId: string): Promise<void> {
    this.expiring.delete(`heartbeat:${nodeId}`);
  }

  async getClusterStats(): Promise<ClusterStats> {
    const nodes: ClusterStats["nodes"][number][] = [];
    for (const key of [...this.expiring.keys()].sort()) {
      if (!key.startsWith("heartbeat:")) continue;
      const entry = this.live(key);
      if (!entry) continue;
      const { telemetry, at } = entry.value as { telemetry: NodeTelemetry; at: number };
      nodes.push({ nodeId: key.slice("heartbeat:".length), telemetry, lastHeartbeatAt: at });
    }
    return {
      liveNodes: nodes.length,
      totalIps: nodes.reduce((sum, n) => sum + n.telemetry.ips, 0),
      nodes,
    };
  }

  async claimNonce(
    nodeId: string,
    nonce: string,
    claim: string,
    ttlSeconds: number,
  ): Promise<string | null> {
    const key = `nonce:${nodeId}:${nonce}`;
    const claimed = this.live(key);
    if (claimed) return claimed.value as string;
    this.setNx(key, claim, ttlSeconds);
    return null;
  }

  async forgetNonce(nodeId: string, nonce: string): Promise<void> {
    this.expiring.delete(`nonce:${nodeId}:${nonce}`);
  }

  async countRequest(key: string, windowMs: number, requests = 1): Promise<RequestCount> {
    const name = `ratelimit:${key}`;
    const now = this.now();
    const window = this.live(name) ? this.expiring.get(name) : undefined;
    if (!window) {
      this.expiring.set(name, { value: requests, expiresAt: now + windowMs });
      return { count: requests, resetInMs: windowMs };
    }
    window.value = (window.value as number) + requests;
    return { count: window.value as number, resetInMs: window.expiresAt - now };
  }

  async offerJobBest(
    jobId: string,
    best: { readonly score: number; readonly layout: string },
  ): Promise<boolean> {
    if (!Number.isFinite(best.score)) return false;
    const key = `jobbest:${jobId}`;
    const stored = this.live(key)?.value as JobBest | undefined;
    if (stored && stored.score <= best.score) return false;
    // A job's first best: drop the expired bests of other jobs (live() deletes them), so the
    // map holds only the jobs that improved in the last JOB_BEST_TTL_SECONDS.
    if (!stored) {
      for (const name of [...this.expiring.keys()]) {
        if (name.startsWith("jobbest:")) this.live(name);
      }
    }
    const improvedAt = this.now();
    this.expiring.set(key, {
      value: { score: best.score, layout: best.layout, improvedAt } satisfies JobBest,
      expiresAt: improvedAt + JOB_BEST_TTL_SECONDS * 1000,
    });
    return true;
  }

  async jobBests(jobIds: readonly string[]): Promise<Map<string, JobBest>> {
    const bests = new Map<string, JobBest>();
    for (const jobId of jobIds) {
      const stored = this.live(`jobbest:${jobId}`)?.value as JobBest | undefined;
      if (stored) bests.set(jobId, { ...stored });
    }
    return bests;
  }

  async ping(): Promise<void> {}

  async setManifestEntry(entry: ManifestEntry, blob: Uint8Array): Promise<void> {
    checkBlob(entry, blob);
    if (!this.blobs.has(entry.sha256)) this.blobs.set(entry.sha256, blobChunks(blob.slice()));
    this.manifest.set(entry.path, { ...entry });
  }

  async removeManifestEntry(path: string): Promise<void> {
    this.manifest.delete(path);
  }

  async getManifest(): Promise<ManifestEntry[]> {
    return [...this.manifest.values()]
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((e) => ({ ...e }));
  }

  async markAssetsSeeded(): Promise<void> {
    this.seeded = true;
  }

  async assetsSeeded(): Promise<boolean> {
    return this.seeded;
  }

  async getBlobInfo(sha256: string): Promise<{ size: number; chunks: number } | null> {
    const chunks = this.blobs.get(sha256);
    return chunks
      ? { size: chunks.reduce((sum, c) => sum + c.byteLength, 0), chunks: chunks.length }
      : null;
  }

  async getBlobChunk(sha256: string, index: number): Promise<Uint8Array | null> {
    return this.blobs.get(sha256)?.[index]?.slice() ?? null;
  }

  async getBin(sha256: string): Promise<Uint8Array | null> {
    const chunks = this.blobs.get(sha256);
    return chunks ? Buffer.concat(chunks) : null;
  }

  async publishUpdate(event: BusEvent): Promise<void> {
    const copy = structuredClone(event);
    // Delivered asynchronously, as a Valkey subscriber receives it.
    queueMicrotask(() => {
      for (const listener of this.listeners) listener(copy);
    });
  }

  async subscribe(listener: (event: CoordinatorEvent) => void): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
