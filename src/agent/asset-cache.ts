import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { KeyForgeError } from "../core/errors.ts";
import { writeDurably } from "../infra/durable-file.ts";
import { HiveUnavailableError } from "./hive-client.ts";

const SHA256 = /^[0-9a-f]{64}$/;
/** Downloads take at most this long. */
const DOWNLOAD_TIMEOUT_MS = 120_000;

/**
 * The gateway has no blob for a hash a job pins. Usually for a moment (Valkey restarted empty,
 * and the asset manager publishes again within seconds); for good when the pinned version is
 * gone from the asset folders too. `missingForMs` says how long this agent has seen it missing.
 */
export class AssetMissingError extends KeyForgeError {
  readonly sha256: string;
  readonly missingForMs: number;

  constructor(sha256: string, missingForMs: number) {
    const since = missingForMs > 0 ? ` (missing for ${Math.ceil(missingForMs / 1000)} s)` : "";
    super("ASSET_NOT_FOUND", `the assets gateway has no blob ${sha256}${since}`);
    this.name = "AssetMissingError";
    this.sha256 = sha256;
    this.missingForMs = missingForMs;
  }
}

function sha256Of(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The assets a job pins (boards, corpora, weights), by SHA-256: read from the agent's cache
 * when a file there still has its hash, else fetched from the assets gateway
 * (`/blobs/<sha256>`), checked against the hash and kept. A file that changed on disk is
 * fetched again; bytes that do not match their hash are never used.
 */
export class AssetCache {
  private readonly gatewayUrl: string;
  private readonly folder: string;
  /** When each hash that the gateway lacks was first found missing (forgotten once fetched). */
  private readonly missingSince = new Map<string, number>();

  constructor(gatewayUrl: string, dataDir: string) {
    this.gatewayUrl = gatewayUrl.replace(/\/+$/, "");
    this.folder = join(dataDir, "assets");
  }

  async read(sha256: string): Promise<Uint8Array> {
    if (!SHA256.test(sha256)) {
      throw new KeyForgeError("ASSET_HASH_INVALID", `"${sha256}" is not a SHA-256 in hex`);
    }
    const file = join(this.folder, sha256);
    const cached = await readFile(file).catch(() => null);
    if (cached && sha256Of(cached) === sha256) return cached;
    const fetched = await this.download(sha256);
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    await writeDurably(file, fetched);
    return fetched;
  }

  private async download(sha256: string): Promise<Uint8Array> {
    const url = `${this.gatewayUrl}/blobs/${sha256}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    } catch (error) {
      throw new HiveUnavailableError(`GET ${url}: ${(error as Error).message}`);
    }
    if (response.status === 404) {
      const since = this.missingSince.get(sha256) ?? Date.now();
      this.missingSince.set(sha256, since);
      throw new AssetMissingError(sha256, Date.now() - since);
    }
    if (!response.ok) {
      throw new HiveUnavailableError(`GET ${url} answered ${response.status}`);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (sha256Of(bytes) !== sha256) {
      // Never used, and not retried here: the unit fails, and its attempts say so.
      throw new KeyForgeError("ASSET_CORRUPT", `the blob from ${url} does not match its hash`);
    }
    this.missingSince.delete(sha256);
    return bytes;
  }
}
