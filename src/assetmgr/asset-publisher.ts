import { createHash } from "node:crypto";
import { assetKindOf, assetNameProblem } from "../infra/asset-path.ts";
import { oneLineReason, validateAsset } from "../infra/asset-validation.ts";
import type { Coordinator, ManifestEntry } from "../infra/coord/coordinator.ts";
import type { AssetEvent } from "../protocol/asset-messages.ts";
import {
  type AssetSource,
  checkAssetFolders,
  findAssetSource,
  readAssetFile,
  scanAssetFolders,
} from "./asset-scan.ts";

/** What one pass changed, for the verify and seed commands and for tests. */
export interface PublishReport {
  readonly uploaded: { path: string; sha256: string; reason: UploadReason }[];
  readonly removed: string[];
  /** Files that stay unpublished (invalid, unreadable or misnamed), with the reason. */
  readonly rejected: { path: string; reason: string }[];
  /** Files already served with their current content. */
  unchanged: number;
}

/** Why a file was uploaded: first seen, edited, or its blob was lost (Valkey restarted empty). */
export type UploadReason = "new" | "changed" | "blob missing";

export interface AssetPublisherOptions {
  readonly coordinator: Coordinator;
  /** Folders with one sub-folder per kind; when two hold the same path, the later one wins. */
  readonly folders: readonly string[];
  /** One line per event, for standard error. */
  readonly log: (line: string) => void;
  readonly now?: () => Date;
}

function emptyReport(): PublishReport {
  return { uploaded: [], removed: [], rejected: [], unchanged: 0 };
}

function sha256Of(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const short = (sha256: string) => sha256.slice(0, 12);

function sizeText(bytes: number): string {
  return bytes < 1000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} kB`;
}

/**
 * Makes the manifest match the asset folders: uploads every valid file whose content is not
 * served yet (or whose blob is gone), removes entries whose file is gone, and announces each
 * change on the event bus. An invalid file is reported and skipped, so the version served
 * before it stays served. Not re-entrant: the asset manager runs one call at a time.
 */
export class AssetPublisher {
  private readonly coordinator: Coordinator;
  private readonly folders: readonly string[];
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  /** Content last reported as invalid, per path: each bad version is reported once, not at every verify. */
  private readonly reportedInvalid = new Map<string, string>();
  /** Changes stored but not yet announced (the bus failed after the write): sent first next time. */
  private readonly unannounced = new Map<string, AssetEvent>();

  constructor(options: AssetPublisherOptions) {
    this.coordinator = options.coordinator;
    this.folders = options.folders;
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
  }

  /** One full pass over the folders and the manifest (boot, periodic verify, seed, verify). */
  async reconcile(): Promise<PublishReport> {
    const report = emptyReport();
    await this.announce();
    // A folder gone as a whole (an unmounted volume) is an outage, not a deletion of every asset.
    await checkAssetFolders(this.folders);
    const sources = await scanAssetFolders(this.folders);
    const manifest = new Map((await this.coordinator.getManifest()).map((e) => [e.path, e]));
    for (const source of sources.values()) {
      await this.publish(source, manifest.get(source.path), report);
    }
    for (const entry of manifest.values()) {
      // Only paths of the manager's own scheme: an entry it could never have written is not its to remove.
      if (!sources.has(entry.path) && assetKindOf(entry.path) !== null) {
        await this.remove(entry, report);
      }
    }
    await this.announce();
    // Last: the mark says every asset is in, and it is lost with them (see AssetManager).
    await this.coordinator.markAssetsSeeded();
    return report;
  }

  /** Brings one path up to date after its file changed, appeared or disappeared. */
  async syncPath(path: string): Promise<PublishReport> {
    const report = emptyReport();
    await this.announce();
    await checkAssetFolders(this.folders);
    const source = await findAssetSource(this.folders, path);
    const current = (await this.coordinator.getManifest()).find((e) => e.path === path);
    if (source) await this.publish(source, current, report);
    else if (current) await this.remove(current, report);
    await this.announce();
    return report;
  }

  private async publish(
    source: AssetSource,
    current: ManifestEntry | undefined,
    report: PublishReport,
  ): Promise<void> {
    const nameProblem = assetNameProblem(source.path);
    if (nameProblem) {
      this.reject(source.path, "name", nameProblem, report, current);
      return;
    }
    let bytes: Uint8Array | null;
    try {
      bytes = await readAssetFile(source);
    } catch (error) {
      this.reject(source.path, "unreadable", oneLineReason(error), report, current);
      return;
    }
    if (bytes === null) {
      // Deleted while we looked: the watcher reports the deletion, and the next verify sees it.
      return;
    }
    const sha256 = sha256Of(bytes);
    let reason: UploadReason = "new";
    if (current?.sha256 === sha256) {
      const info = await this.coordinator.getBlobInfo(sha256);
      if (info?.size === bytes.byteLength) {
        this.reportedInvalid.delete(source.path);
        report.unchanged++;
        return;
      }
      reason = "blob missing";
    } else if (current) reason = "changed";
    try {
      validateAsset(source.kind, source.path, bytes);
    } catch (error) {
      this.reject(source.path, sha256, oneLineReason(error), report, current);
      return;
    }
    const entry: ManifestEntry = {
      path: source.path,
      sha256,
      size: bytes.byteLength,
      kind: source.kind,
      updated: this.now().toISOString(),
    };
    await this.coordinator.setManifestEntry(entry, bytes);
    this.reportedInvalid.delete(source.path);
    this.unannounced.set(entry.path, { type: "asset.updated", ...entry });
    report.uploaded.push({ path: entry.path, sha256, reason });
    const verb = reason === "blob missing" ? "re-uploaded (its blob was missing)" : "uploaded";
    this.log(`assetmgr: ${verb} ${entry.path} (sha ${short(sha256)}, ${sizeText(entry.size)})`);
  }

  private async remove(entry: ManifestEntry, report: PublishReport): Promise<void> {
    await this.coordinator.removeManifestEntry(entry.path);
    this.reportedInvalid.delete(entry.path);
    this.unannounced.set(entry.path, {
      type: "asset.removed",
      path: entry.path,
      kind: entry.kind,
      sha256: entry.sha256,
      updated: this.now().toISOString(),
    });
    report.removed.push(entry.path);
    this.log(`assetmgr: removed ${entry.path} (its file is gone)`);
  }

  /** Reports a file that cannot be published; `version` tells one bad content from the next. */
  private reject(
    path: string,
    version: string,
    reason: string,
    report: PublishReport,
    current?: ManifestEntry,
  ): void {
    report.rejected.push({ path, reason });
    if (this.reportedInvalid.get(path) === version) return;
    this.reportedInvalid.set(path, version);
    const served = current ? `still serving sha ${short(current.sha256)}` : "not served";
    this.log(`assetmgr: rejected ${path}: ${reason} (${served})`);
  }

  /** Sends the events of stored changes; one still failing stays queued for the next call. */
  private async announce(): Promise<void> {
    for (const [path, event] of this.unannounced) {
      await this.coordinator.publishUpdate(event);
      this.unannounced.delete(path);
    }
  }
}
