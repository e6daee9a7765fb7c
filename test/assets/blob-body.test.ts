import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { openBlobBody } from "../../src/assets/blob-body.ts";
import { BLOB_CHUNK_BYTES, type ManifestEntry } from "../../src/infra/coord/coordinator.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { FlakyCoordinator } from "../helpers/flaky-coordinator.ts";

const blob = randomBytes(3 * BLOB_CHUNK_BYTES + 5);
const sha256 = createHash("sha256").update(blob).digest("hex");
const entry: ManifestEntry = {
  path: "corpora/x.json",
  sha256,
  size: blob.byteLength,
  kind: "corpora",
  updated: new Date(0).toISOString(),
};

async function stored(): Promise<{ memory: MemoryCoordinator; flaky: FlakyCoordinator }> {
  const memory = new MemoryCoordinator();
  await memory.setManifestEntry(entry, blob);
  return { memory, flaky: new FlakyCoordinator(memory) };
}

describe("blob body", () => {
  it("gives a blob of one chunk as it is", async () => {
    const memory = new MemoryCoordinator();
    const small = Buffer.from('{"small": true}');
    const smallSha = createHash("sha256").update(small).digest("hex");
    await memory.setManifestEntry({ ...entry, sha256: smallSha, size: small.byteLength }, small);
    const bytes = await openBlobBody(memory, smallSha, 1);
    assert.ok(Buffer.isBuffer(bytes));
    assert.ok(bytes.equals(small));
  });

  it("streams a longer blob's bytes in order", async () => {
    const { flaky } = await stored();
    const stream = await openBlobBody(flaky.coordinator, sha256, 4);
    assert.ok(stream instanceof Readable);
    const chunks: Buffer[] = [];
    for await (const chunk of stream as Readable) chunks.push(chunk as Buffer);
    assert.ok(Buffer.concat(chunks).equals(blob));
    assert.equal(flaky.count("getBin"), 0);
  });

  it("fetches a chunk only when the reader wants more", async () => {
    const { flaky } = await stored();
    const stream = (await openBlobBody(flaky.coordinator, sha256, 4)) as Readable;
    assert.equal(flaky.count("getBlobChunk"), 1, "the first chunk, before any byte is sent");
    const reader = stream[Symbol.asyncIterator]();
    await reader.next();
    // The stream's buffer holds at most one chunk ahead of the reader.
    assert.ok(flaky.count("getBlobChunk") <= 2, `${flaky.count("getBlobChunk")} fetched`);
    stream.destroy();
  });

  it("fails before the first byte when the blob's content is gone", async () => {
    const memory = new MemoryCoordinator();
    await assert.rejects(
      openBlobBody(memory, sha256, 4),
      (e: unknown) => (e as { code?: string }).code === "BLOB_INCOMPLETE",
    );
  });

  it("fails the stream, rather than end it early, when a later chunk is gone", async () => {
    const { memory } = await stored();
    const getBlobChunk = memory.getBlobChunk.bind(memory);
    memory.getBlobChunk = async (sha, index) => (index === 2 ? null : getBlobChunk(sha, index));
    const stream = (await openBlobBody(memory, sha256, 4)) as Readable;
    await assert.rejects(
      (async () => {
        for await (const _ of stream);
      })(),
      (e: unknown) => (e as { code?: string }).code === "BLOB_INCOMPLETE",
    );
  });
});
