import { Valkey } from "iovalkey";
import type { BusEvent } from "../../protocol/bus-events.ts";
import { MicroBatcher } from "../micro-batcher.ts";
import {
  blobChunks,
  type ClusterStats,
  type Coordinator,
  type CoordinatorEvent,
  type CoordinatorKeys,
  CoordinatorUnavailableError,
  checkBlob,
  coordinatorKeys,
  HEARTBEAT_TTL_SECONDS,
  JOB_BEST_TTL_SECONDS,
  type JobBest,
  type ManifestEntry,
  type NodeTelemetry,
  PROFILE_SHIELD_SECONDS,
  type RequestCount,
} from "./coordinator.ts";

/** Longest wait between two reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 5000;

/**
 * Counts requests in their windows atomically: for each key, INCRBY its requests in the batch,
 * and start the key's window (its expiry) with the first. Answers [count, milliseconds left]
 * per key. Sent as EVALSHA: one command for every request counted in the same batch.
 * ARGV holds, per key, its increment then its window in milliseconds.
 */
const COUNT_REQUESTS_SCRIPT = `
local answers = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCRBY', key, ARGV[2 * i - 1])
  local left = redis.call('PTTL', key)
  if left < 0 then
    redis.call('PEXPIRE', key, ARGV[2 * i])
    left = tonumber(ARGV[2 * i])
  end
  answers[2 * i - 1] = count
  answers[2 * i] = left
end
return answers`;

interface CountRequestsCommand {
  keyforgeCountRequests(keyCount: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
}

/**
 * Offers a job's best atomically: keeps it (score, layout, and the server's time in
 * milliseconds as improvedAt) only when the job's hash has no score or a higher one, and then
 * renews the hash's expiry. The server's clock, so every hive instance agrees. Answers 1 when
 * kept, 0 when refused. KEYS[1] is the job's hash; ARGV holds the score, the layout and the
 * expiry in seconds. The score is stored as sent, so it reads back exactly.
 */
const OFFER_JOB_BEST_SCRIPT = `
local stored = redis.call('HGET', KEYS[1], 'score')
if stored and tonumber(stored) <= tonumber(ARGV[1]) then
  return 0
end
local now = redis.call('TIME')
local improvedAt = now[1] .. string.format('%03d', math.floor(tonumber(now[2]) / 1000))
redis.call('HSET', KEYS[1], 'score', ARGV[1], 'layout', ARGV[2], 'improvedAt', improvedAt)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`;

interface OfferJobBestCommand {
  keyforgeOfferJobBest(
    keyCount: 1,
    key: string,
    score: string,
    layout: string,
    ttlSeconds: number,
  ): Promise<number>;
}

/** One heartbeat to store. */
interface HeartbeatToStore {
  readonly nodeId: string;
  readonly telemetry: NodeTelemetry;
}

/** Requests to count: their full key, their window and how many. */
interface RequestToCount {
  readonly key: string;
  readonly windowMs: number;
  readonly requests: number;
}

function client(url: string): Valkey {
  return new Valkey(url, {
    // Fail fast while disconnected instead of queueing; reconnect in the background.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(MAX_RECONNECT_DELAY_MS, 100 * 2 ** attempt),
    lazyConnect: false,
    // Commands issued in the same turn of the event loop share one write.
    enableAutoPipelining: true,
  });
}

/** Longest wait for a client's first connection; after that, calls fail fast while it is down. */
const FIRST_CONNECT_MS = 2000;

/** Waits for a new client's first connection; a client that was connected once fails fast. */
async function connected(valkey: Valkey): Promise<void> {
  if (valkey.status === "ready" || !["wait", "connecting", "connect"].includes(valkey.status))
    return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      valkey.off("ready", done);
      valkey.off("end", done);
      resolve();
    };
    const timer = setTimeout(done, FIRST_CONNECT_MS);
    valkey.once("ready", done);
    valkey.once("end", done);
  });
}

async function guarded<T>(valkey: Valkey, operation: () => Promise<T>): Promise<T> {
  try {
    await connected(valkey);
    return await operation();
  } catch (error) {
    throw new CoordinatorUnavailableError((error as Error).message);
  }
}

/** The coordinator on Valkey (or any Redis-protocol server), for hive instances in production. */
export class ValkeyCoordinator implements Coordinator {
  private readonly valkey: Valkey;
  private readonly url: string;
  private readonly requestCounts: MicroBatcher<RequestToCount, RequestCount>;
  private readonly heartbeats: MicroBatcher<HeartbeatToStore, undefined>;
  private readonly subscribers: Valkey[] = [];
  private readonly heartbeatTtlSeconds: number;
  private readonly profileShieldSeconds: number;
  private readonly keys: CoordinatorKeys;

  /** `keyPrefix` (default KEY_PREFIX) separates deployments or tests sharing one server. */
  /** The TTLs are the contract's; tests shorten them. */
  constructor(
    url: string,
    options: {
      heartbeatTtlSeconds?: number;
      profileShieldSeconds?: number;
      keyPrefix?: string;
    } = {},
  ) {
    this.url = url;
    this.heartbeatTtlSeconds = options.heartbeatTtlSeconds ?? HEARTBEAT_TTL_SECONDS;
    this.profileShieldSeconds = options.profileShieldSeconds ?? PROFILE_SHIELD_SECONDS;
    this.keys = coordinatorKeys(options.keyPrefix);
    this.valkey = client(url);
    this.valkey.defineCommand("keyforgeCountRequests", { lua: COUNT_REQUESTS_SCRIPT });
    this.valkey.defineCommand("keyforgeOfferJobBest", { lua: OFFER_JOB_BEST_SCRIPT });
    this.requestCounts = new MicroBatcher((requests) => this.countRequests(requests), {
      maxBatch: 512,
      maxInFlight: 2,
    });
    this.heartbeats = new MicroBatcher((beats) => this.updateHeartbeats(beats), {
      maxBatch: 512,
      maxInFlight: 2,
    });
    // Connection errors are reported by the calls that fail; reconnection goes on by itself.
    this.valkey.on("error", () => {});
  }

  async tryReserveProfileUpdate(cpuSignature: string): Promise<boolean> {
    const reply = await guarded(this.valkey, () =>
      this.valkey.set(
        this.keys.profileShield(cpuSignature),
        "1",
        "EX",
        this.profileShieldSeconds,
        "NX",
      ),
    );
    return reply === "OK";
  }

  async releaseProfileUpdate(cpuSignature: string): Promise<void> {
    await guarded(this.valkey, () => this.valkey.del(this.keys.profileShield(cpuSignature)));
  }

  updateHeartbeat(nodeId: string, telemetry: NodeTelemetry): Promise<void> {
    return this.heartbeats.submit({ nodeId, telemetry });
  }

  /**
   * Stores a batch of heartbeats: each node's telemetry with its TTL, and one ZADD that marks
   * them all alive. Plain commands rather than MULTI: each is idempotent, and they leave in one
   * write (auto-pipelining).
   */
  private async updateHeartbeats(beats: readonly HeartbeatToStore[]): Promise<undefined[]> {
    const expiresAt = Date.now() + this.heartbeatTtlSeconds * 1000;
    const latest = new Map(beats.map((beat) => [beat.nodeId, beat.telemetry]));
    await guarded(this.valkey, () =>
      Promise.all([
        ...[...latest].map(([nodeId, telemetry]) =>
          this.valkey.set(
            this.keys.heartbeat(nodeId),
            JSON.stringify(telemetry),
            "EX",
            this.heartbeatTtlSeconds,
          ),
        ),
        this.valkey.zadd(
          this.keys.liveNodes,
          ...[...latest.keys()].flatMap((id) => [expiresAt, id]),
        ),
      ]),
    );
    return beats.map(() => undefined);
  }

  async removeHeartbeat(nodeId: string): Promise<void> {
    await guarded(this.valkey, () =>
      Promise.all([
        this.valkey.del(this.keys.heartbeat(nodeId)),
        this.valkey.zrem(this.keys.liveNodes, nodeId),
      ]),
    );
  }

  async getClusterStats(): Promise<ClusterStats> {
    return guarded(this.valkey, async () => {
      await this.valkey.zremrangebyscore(this.keys.liveNodes, "-inf", Date.now());
      // Scored by when each node's telemetry expires, so its last heartbeat is a TTL before.
      const scored = await this.valkey.zrange(this.keys.liveNodes, 0, -1, "WITHSCORES");
      const live = new Map<string, number>();
      for (let i = 0; i < scored.length; i += 2) {
        live.set(scored[i] as string, Number(scored[i + 1]) - this.heartbeatTtlSeconds * 1000);
      }
      const ids = [...live.keys()].sort();
      const values =
        ids.length > 0 ? await this.valkey.mget(...ids.map((id) => this.keys.heartbeat(id))) : [];
      const nodes = ids.flatMap((nodeId, i) => {
        const value = values[i];
        if (!value) return [];
        const telemetry = JSON.parse(value) as NodeTelemetry;
        return [{ nodeId, telemetry, lastHeartbeatAt: live.get(nodeId) as number }];
      });
      return {
        liveNodes: nodes.length,
        totalIps: nodes.reduce((sum, n) => sum + n.telemetry.ips, 0),
        nodes,
      };
    });
  }

  claimNonce(
    nodeId: string,
    nonce: string,
    claim: string,
    ttlSeconds: number,
  ): Promise<string | null> {
    // SET NX GET: sets a missing key and answers nil, or answers the value it left in place.
    return guarded(this.valkey, () =>
      this.valkey.set(this.keys.nonce(nodeId, nonce), claim, "EX", ttlSeconds, "NX", "GET"),
    );
  }

  async forgetNonce(nodeId: string, nonce: string): Promise<void> {
    await guarded(this.valkey, () => this.valkey.del(this.keys.nonce(nodeId, nonce)));
  }

  countRequest(key: string, windowMs: number, requests = 1): Promise<RequestCount> {
    return this.requestCounts.submit({ key: this.keys.requestCount(key), windowMs, requests });
  }

  /**
   * Counts a batch in one round trip. A key met several times is incremented once by its
   * number of requests, and each caller gets the count it would have had alone.
   */
  private async countRequests(requests: readonly RequestToCount[]): Promise<RequestCount[]> {
    const perKey = new Map<string, { index: number; windowMs: number; requests: number }>();
    for (const { key, windowMs, requests: counted } of requests) {
      const entry = perKey.get(key) ?? { index: perKey.size, windowMs, requests: 0 };
      entry.requests += counted;
      perKey.set(key, entry);
    }
    const keys = [...perKey.keys()];
    const args = [...perKey.values()].flatMap((entry) => [entry.requests, entry.windowMs]);
    const answers = await guarded(this.valkey, () =>
      (this.valkey as Valkey & CountRequestsCommand).keyforgeCountRequests(
        keys.length,
        ...keys,
        ...args,
      ),
    );
    const countedBefore = new Map<string, number>();
    return requests.map(({ key, requests: counted }) => {
      const entry = perKey.get(key) as { index: number; requests: number };
      const before = (countedBefore.get(key) ?? 0) + counted;
      countedBefore.set(key, before);
      const total = answers[2 * entry.index] as number;
      return {
        count: total - entry.requests + before,
        resetInMs: answers[2 * entry.index + 1] as number,
      };
    });
  }

  async offerJobBest(
    jobId: string,
    best: { readonly score: number; readonly layout: string },
  ): Promise<boolean> {
    if (!Number.isFinite(best.score)) return false;
    const kept = await guarded(this.valkey, () =>
      (this.valkey as Valkey & OfferJobBestCommand).keyforgeOfferJobBest(
        1,
        this.keys.jobBest(jobId),
        String(best.score),
        best.layout,
        JOB_BEST_TTL_SECONDS,
      ),
    );
    return kept === 1;
  }

  /** One HMGET per job, all in one pipeline: one round trip. */
  async jobBests(jobIds: readonly string[]): Promise<Map<string, JobBest>> {
    const bests = new Map<string, JobBest>();
    const ids = [...new Set(jobIds)];
    if (ids.length === 0) return bests;
    const replies = await guarded(this.valkey, async () => {
      const pipeline = this.valkey.pipeline();
      for (const id of ids) pipeline.hmget(this.keys.jobBest(id), "score", "layout", "improvedAt");
      const answers = (await pipeline.exec()) ?? [];
      return answers.map(([error, reply]) => {
        if (error) throw error;
        return reply as (string | null)[];
      });
    });
    for (const [i, id] of ids.entries()) {
      const [score, layout, improvedAt] = replies[i] ?? [];
      if (score == null || layout == null || improvedAt == null) continue;
      bests.set(id, { score: Number(score), layout, improvedAt: Number(improvedAt) });
    }
    return bests;
  }

  async ping(): Promise<void> {
    await guarded(this.valkey, () => this.valkey.ping());
  }

  async setManifestEntry(entry: ManifestEntry, blob: Uint8Array): Promise<void> {
    checkBlob(entry, blob);
    await guarded(this.valkey, async () => {
      // Chunks first, the info key last (its presence means the blob is complete), the
      // manifest field after that, in one atomic HSET.
      if ((await this.valkey.exists(this.keys.blobInfo(entry.sha256))) === 0) {
        const chunks = blobChunks(blob);
        for (const [i, chunk] of chunks.entries()) {
          await this.valkey.set(
            this.keys.blobChunk(entry.sha256, i),
            Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
          );
        }
        await this.valkey.set(
          this.keys.blobInfo(entry.sha256),
          JSON.stringify({ size: blob.byteLength, chunks: chunks.length }),
        );
      }
      await this.valkey.hset(this.keys.manifest, entry.path, JSON.stringify(entry));
    });
  }

  async removeManifestEntry(path: string): Promise<void> {
    await guarded(this.valkey, () => this.valkey.hdel(this.keys.manifest, path));
  }

  async getManifest(): Promise<ManifestEntry[]> {
    const all = await guarded(this.valkey, () => this.valkey.hgetall(this.keys.manifest));
    return Object.values(all)
      .map((value) => JSON.parse(value) as ManifestEntry)
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  async markAssetsSeeded(): Promise<void> {
    await guarded(this.valkey, () => this.valkey.set(this.keys.assetsSeeded, "1"));
  }

  async assetsSeeded(): Promise<boolean> {
    const found = await guarded(this.valkey, () => this.valkey.exists(this.keys.assetsSeeded));
    return found === 1;
  }

  async getBlobInfo(sha256: string): Promise<{ size: number; chunks: number } | null> {
    const info = await guarded(this.valkey, () => this.valkey.get(this.keys.blobInfo(sha256)));
    return info ? (JSON.parse(info) as { size: number; chunks: number }) : null;
  }

  async getBlobChunk(sha256: string, index: number): Promise<Uint8Array | null> {
    return guarded(this.valkey, () => this.valkey.getBuffer(this.keys.blobChunk(sha256, index)));
  }

  async getBin(sha256: string): Promise<Uint8Array | null> {
    const info = await this.getBlobInfo(sha256);
    if (!info) return null;
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < info.chunks; i++) {
      const chunk = await this.getBlobChunk(sha256, i);
      if (!chunk) return null;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  async publishUpdate(event: BusEvent): Promise<void> {
    await guarded(this.valkey, () => this.valkey.publish(this.keys.events, JSON.stringify(event)));
  }

  async subscribe(listener: (event: CoordinatorEvent) => void): Promise<() => Promise<void>> {
    const subscriber = client(this.url);
    subscriber.on("error", () => {});
    this.subscribers.push(subscriber);
    subscriber.on("message", (_channel: string, message: string) =>
      listener(JSON.parse(message) as CoordinatorEvent),
    );
    await guarded(subscriber, () => subscriber.subscribe(this.keys.events));
    return async () => {
      // Stop listening at once: messages already on the wire are not delivered any more.
      subscriber.removeAllListeners("message");
      this.subscribers.splice(this.subscribers.indexOf(subscriber), 1);
      subscriber.disconnect();
    };
  }

  async close(): Promise<void> {
    for (const subscriber of this.subscribers.splice(0)) subscriber.disconnect();
    this.valkey.disconnect();
  }
}
