/** Manifest and path answers: short, so a new version reaches readers within seconds. */
export const SHORT_CACHING = "public, max-age=5";
/** Blob answers: a hash names one content forever. */
export const IMMUTABLE_CACHING = "public, max-age=31536000, immutable";
/** Errors and health: never reused. */
export const NO_CACHING = "no-store";

/** The quoted ETag of a content: its SHA-256, which readers can check the body against. */
export function etagOf(sha256: string): string {
  return `"${sha256}"`;
}

/**
 * True when the request's If-None-Match names this ETag, so the answer is 304. Comparison is
 * weak (a W/ prefix is ignored), as RFC 9110 prescribes for If-None-Match.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => bare(tag) === bare(etag));
}
