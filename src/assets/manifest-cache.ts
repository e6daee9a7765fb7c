import { createHash } from "node:crypto";
import type { Coordinator, ManifestEntry } from "../infra/coord/coordinator.ts";

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
 * consistent one, since blobs are immutable and served by the hash the entry names.
 */
export class ManifestCache {
  private readonly coordinator: Coordinator;
  private readonly maxAgeMs: number;
  private snapshot: { value: ManifestSnapshot; readAt: number } | undefined;
  private reading: Promise<ManifestSnapshot> | undefined;

  constructor(coordinator: Coordinator, maxAgeMs: number) {
    this.coordinator = coordinator;
    this.maxAgeMs = maxAgeMs;
  }

  get(): Promise<ManifestSnapshot> {
    if (this.snapshot && performance.now() - this.snapshot.readAt < this.maxAgeMs) {
      return Promise.resolve(this.snapshot.value);
    }
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
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
