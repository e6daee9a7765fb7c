/**
 * A blob served by hash has no name and may hold anything, so it is plain bytes; the reader
 * knows what it asked for and checks the bytes against the hash.
 */
export const BLOB_CONTENT_TYPE = "application/octet-stream";

const BY_EXTENSION: Record<string, string> = {
  json: "application/json; charset=utf-8",
  txt: "text/plain; charset=utf-8",
};

/** The Content-Type of an asset served by path, from its extension. */
export function contentTypeOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return (dot > 0 && BY_EXTENSION[name.slice(dot + 1).toLowerCase()]) || BLOB_CONTENT_TYPE;
}
