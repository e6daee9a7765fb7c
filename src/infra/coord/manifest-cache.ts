import { createHash } from "node:crypto";
import {
  type Coordinator,
  CoordinatorUnavailableError,
  type ManifestEntry,
} from "./coordinator.ts";

/** The manifest as one response: the entries, their JSON body and its ETag. */
export interface ManifestSnapshot {
  readonly byPath: ReadonlyMap<string, ManifestEntry>;
  readonly body: Buffer;
  /** Quoted SHA-256 of the body. */
  readonly etag: string;
}

/**
 * The manifest, read at most once per `maxAgeMs` however many requests need it, with
 * concurrent readers sharing one read. A reader may get an entry up to `maxAgeMs` old: still a
 * consistent one, since blobs are immutable and served by the hash the entry names. With
 * `keepLastWhileUnavailable`, the last manifest read stays in use while the coordinator is down
 * (the hive keeps accepting jobs); without it, the outage reaches the caller (the assets
 * gateway answers 503 rather than serve a stale manifest).
 */
export class ManifestCache {
  private readonly coordinator: Coordinator;
  private readonly maxAgeMs: number;
  private readonly keepLastWhileUnavailable: boolean;
  private snapshot: { value: ManifestSnapshot; readAt: number } | undefined;
  private reading: Promise<ManifestSnapshot> | undefined;

  constructor(
    coordinator: Coordinator,
    maxAgeMs: number,
    options: { keepLastWhileUnavailable?: boolean } = {},
  ) {
    this.coordinator = coordinator;
    this.maxAgeMs = maxAgeMs;
    this.keepLastWhileUnavailable = options.keepLastWhileUnavailable ?? false;
  }

  get(): Promise<ManifestSnapshot> {
    if (this.snapshot && performance.now() - this.snapshot.readAt < this.maxAgeMs) {
      return Promise.resolve(this.snapshot.value);
    }
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    const last = this.snapshot?.value;
    if (!this.keepLastWhileUnavailable || !last) return this.reading;
    return this.reading.catch((error: unknown) => {
      if (error instanceof CoordinatorUnavailableError) return last;
      throw error;
    });
  }

  private async read(): Promise<ManifestSnapshot> {
    const startedAt = performance.now();
    const entries = await this.coordinator.getManifest();
    const body = Buffer.from(JSON.stringify(entries));
    const value: ManifestSnapshot = {
      byPath: new Map(entries.map((entry) => [entry.path, entry])),
      body,
      etag: `"${createHash("sha256").update(body).digest("hex")}"`,
    };
    // Aged from when the read started: an answer is never trusted longer than maxAgeMs.
    this.snapshot = { value, readAt: startedAt };
    return value;
  }
}
