import { resolve } from "node:path";
import { watch } from "chokidar";
import { assetPathIn } from "./asset-scan.ts";

export interface AssetWatcher {
  close(): Promise<void>;
}

export interface AssetWatcherOptions {
  /** Folders with one sub-folder per kind. */
  readonly folders: readonly string[];
  /** An asset path whose file was added, changed or deleted (in any of the folders). */
  readonly onChange: (path: string) => void;
  readonly onError: (error: Error) => void;
  /** How long a file must stay unchanged before it is read, so a half-written file never is. */
  readonly settleMs?: number;
}

/** Watches the kind folders (inotify on Linux) and reports asset paths as their files change. */
export async function watchAssetFolders(options: AssetWatcherOptions): Promise<AssetWatcher> {
  const folders = options.folders.map((folder) => resolve(folder));
  const watcher = watch(folders, {
    ignoreInitial: true,
    // <folder>/<kind>/<file>: nothing deeper is an asset.
    depth: 1,
    awaitWriteFinish: { stabilityThreshold: options.settleMs ?? 200, pollInterval: 50 },
  });
  const report = (file: string) => {
    for (const folder of folders) {
      const path = assetPathIn(folder, file);
      if (path !== null) {
        options.onChange(path);
        return;
      }
    }
  };
  watcher.on("add", report).on("change", report).on("unlink", report);
  watcher.on("error", (error) => options.onError(error as Error));
  await new Promise<void>((done) => watcher.once("ready", done));
  return { close: () => watcher.close() };
}
