import { Readable } from "node:stream";
import { KeyForgeError } from "../core/errors.ts";
import type { Coordinator } from "../infra/coord/coordinator.ts";

/** A blob's content missing from the store although its info is there. */
function chunkMissing(sha256: string, index: number): KeyForgeError {
  return new KeyForgeError(
    "BLOB_INCOMPLETE",
    `blob ${sha256} has no chunk ${index}: the store lost it; the asset manager re-uploads it`,
  );
}

/**
 * A stored blob's bytes for a response: a blob of one chunk as it is, a longer one as a stream
 * that fetches one chunk at a time, when the reader wants the next, so a response holds about
 * one chunk in memory however large the blob. The first chunk is fetched before anything is
 * returned, so a failure to start is an error the caller can answer with a status code rather
 * than a truncated response.
 */
export async function openBlobBody(
  coordinator: Coordinator,
  sha256: string,
  chunks: number,
): Promise<Buffer | Readable> {
  const first = await coordinator.getBlobChunk(sha256, 0);
  if (first === null) throw chunkMissing(sha256, 0);
  // A view, not a copy: HTTP servers send Buffers.
  if (chunks === 1) return Buffer.from(first.buffer, first.byteOffset, first.byteLength);
  async function* rest(): AsyncGenerator<Uint8Array> {
    yield first as Uint8Array;
    for (let index = 1; index < chunks; index++) {
      const chunk = await coordinator.getBlobChunk(sha256, index);
      // Headers are gone already: failing the stream cuts the response short, and its
      // Content-Length tells the client it is incomplete, never that it is whole.
      if (chunk === null) throw chunkMissing(sha256, index);
      yield chunk;
    }
  }
  return Readable.from(rest(), { objectMode: false });
}
