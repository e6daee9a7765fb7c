import { readdir, readFile, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { KeyForgeError } from "../core/errors.ts";
import { ASSET_KINDS, type AssetKind, assetKindOf } from "../infra/asset-path.ts";

/** The file that provides an asset path. */
export interface AssetSource {
  readonly path: string;
  readonly kind: AssetKind;
  /** Absolute file name on disk. */
  readonly file: string;
}

/** Refuses to start on a folder that is not there, rather than publishing an empty set. */
export async function checkAssetFolders(folders: readonly string[]): Promise<void> {
  for (const folder of folders) {
    const isFolder = await stat(folder).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isFolder) {
      throw new KeyForgeError("ASSET_FOLDER_MISSING", `${folder} is not a folder`);
    }
  }
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Every asset file in the folders, each folder holding one sub-folder per kind. Only
 * `<kind>/<name>.json` files count; anything else there (README, provenance notes, editor
 * back-ups, hidden files, deeper folders) is not an asset and is left alone. A file whose name
 * is not a valid asset id is still listed, so that it is reported rather than ignored.
 */
export async function scanAssetFolders(
  folders: readonly string[],
): Promise<Map<string, AssetSource>> {
  // One source per asset path; when folders clash, the later folder's file wins.
  const sources = new Map<string, AssetSource>();
  for (const folder of folders) {
    for (const kind of ASSET_KINDS) {
      const names = await readdir(join(folder, kind)).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const path = `${kind}/${name}`;
        const file = join(folder, kind, name);
        if (assetKindOf(path) !== null && (await isFile(file)))
          sources.set(path, { path, kind, file });
      }
    }
  }
  return sources;
}

/** The file that provides `path` now (the last folder that has it), or null when none does. */
export async function findAssetSource(
  folders: readonly string[],
  path: string,
): Promise<AssetSource | null> {
  const kind = assetKindOf(path);
  if (kind === null) return null;
  for (const folder of [...folders].reverse()) {
    const file = join(folder, ...path.split("/"));
    if (await isFile(file)) return { path, kind, file };
  }
  return null;
}

/** The asset path of a file inside `folder`, or null when the file is not an asset there. */
export function assetPathIn(folder: string, file: string): string | null {
  const rel = relative(folder, file);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  const path = rel.split(sep).join("/");
  return assetKindOf(path) === null ? null : path;
}

/** The file's bytes, or null when it vanished since it was found (deleted meanwhile). */
export async function readAssetFile(source: AssetSource): Promise<Uint8Array | null> {
  try {
    return await readFile(source.file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new KeyForgeError(
      "ASSET_UNREADABLE",
      `cannot read ${source.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
