import { assetIdSchema } from "../core/asset-id.ts";

/**
 * Where assets live: one folder per kind under data/system, one `<id>.json` file per asset, so
 * an asset's path is `<kind>/<id>.json`. Nothing here touches the disk: the assets gateway,
 * which never does, checks request paths with the same rules the asset manager publishes by.
 */
export const ASSET_KINDS = ["boards", "layouts", "corpora", "weights"] as const;

export type AssetKind = (typeof ASSET_KINDS)[number];

/** Longer paths are refused before any lookup. */
export const MAX_ASSET_PATH_LENGTH = 256;

const ASSET_EXTENSION = ".json";

/**
 * Plain names joined by single forward slashes. A name may not start with a dot, which rules
 * out `.` and `..` (traversal) and hidden files; the character set rules out backslashes, NUL
 * and other control characters, `%` left over from double encoding, and a leading slash.
 */
const SAFE_PATH = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

export function isSafeAssetPath(path: string): boolean {
  return path.length <= MAX_ASSET_PATH_LENGTH && SAFE_PATH.test(path);
}

function isAssetKind(name: string): name is AssetKind {
  return (ASSET_KINDS as readonly string[]).includes(name);
}

/**
 * The kind of a path in the asset manager's scheme (`<kind>/<name>.json`, name not hidden), or
 * null for anything else: files that are not assets (README, provenance notes, editor files).
 */
export function assetKindOf(path: string): AssetKind | null {
  const parts = path.split("/");
  if (parts.length !== 2) return null;
  const [kind, name] = parts as [string, string];
  if (!isAssetKind(kind) || name.startsWith(".") || !name.endsWith(ASSET_EXTENSION)) return null;
  return kind;
}

/** Why an asset file's name cannot be published (its name is the asset id), or null. */
export function assetNameProblem(path: string): string | null {
  const name = path.slice(path.lastIndexOf("/") + 1, -ASSET_EXTENSION.length);
  if (!assetIdSchema.safeParse(name).success) {
    return `the file name is the asset id: use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit`;
  }
  return isSafeAssetPath(path)
    ? null
    : `the path is longer than ${MAX_ASSET_PATH_LENGTH} characters`;
}

/** The id an asset gets when its document does not name one: its file name. */
export function assetIdOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1, -ASSET_EXTENSION.length);
}
