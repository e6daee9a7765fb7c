import { KeyForgeError } from "../core/errors.ts";
import type { Coordinator, ManifestEntry } from "../infra/coord/coordinator.ts";
import { ManifestCache } from "../infra/coord/manifest-cache.ts";

/** How long one read of the manifest answers submissions. */
const MANIFEST_MAX_AGE_MS = 1000;
/** Parsed blobs are immutable (addressed by hash); this many bytes of them stay cached. */
const BLOB_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The published assets as the hive sees them: the manifest (the last copy read stays in use
 * while Valkey is down, so submissions keep working) and blobs by SHA-256, cached because they
 * never change.
 */
export class AssetCatalog {
  private readonly coordinator: Coordinator;
  private readonly manifest: ManifestCache;
  private readonly blobs = new Map<string, Uint8Array>();
  private cachedBytes = 0;

  constructor(coordinator: Coordinator) {
    this.coordinator = coordinator;
    this.manifest = new ManifestCache(coordinator, MANIFEST_MAX_AGE_MS, {
      keepLastWhileUnavailable: true,
    });
  }

  /** The current manifest entry of `path`, or null when nothing is published there. */
  async entry(path: string): Promise<ManifestEntry | null> {
    return (await this.manifest.get()).byPath.get(path) ?? null;
  }

  /** The bytes of a published blob. */
  async read(sha256: string): Promise<Uint8Array> {
    const cached = this.blobs.get(sha256);
    if (cached) return cached;
    const bytes = await this.coordinator.getBin(sha256);
    if (!bytes) {
      throw new KeyForgeError(
        "ASSET_UNAVAILABLE",
        `the asset with SHA-256 ${sha256} is not stored`,
      );
    }
    this.remember(sha256, bytes);
    return bytes;
  }

  private remember(sha256: string, bytes: Uint8Array): void {
    this.blobs.set(sha256, bytes);
    this.cachedBytes += bytes.byteLength;
    for (const [key, value] of this.blobs) {
      if (this.cachedBytes <= BLOB_CACHE_BYTES) break;
      this.blobs.delete(key);
      this.cachedBytes -= value.byteLength;
    }
  }
}
