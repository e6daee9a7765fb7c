import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { buildAssetsGateway } from "../../src/assets/assets-gateway.ts";
import {
  BLOB_CHUNK_BYTES,
  type Coordinator,
  type ManifestEntry,
} from "../../src/infra/coord/coordinator.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { ValkeyCoordinator } from "../../src/infra/coord/valkey-coordinator.ts";
import { manifestSchema } from "../../src/protocol/asset-messages.ts";
import { errorBodySchema } from "../../src/protocol/error-body.ts";
import { capturedLogger } from "../helpers/captured-log.ts";
import { FlakyCoordinator } from "../helpers/flaky-coordinator.ts";
import { IsolatedValkey } from "../helpers/valkey.ts";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function store(
  coordinator: Coordinator,
  path: string,
  blob: Uint8Array,
): Promise<ManifestEntry> {
  const entry: ManifestEntry = {
    path,
    sha256: sha256(blob),
    size: blob.byteLength,
    kind: path.split("/")[0] ?? "",
    updated: new Date().toISOString(),
  };
  await coordinator.setManifestEntry(entry, blob);
  return entry;
}

/** GET over a real socket, with the path sent exactly as given (no URL normalisation). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

const board = Buffer.from(
  JSON.stringify({ format: "keyforge-board/1", padding: "x".repeat(4000) }),
);
const large = randomBytes(2 * BLOB_CHUNK_BYTES + 12_345);

describe("assets gateway", () => {
  const flaky = new FlakyCoordinator(new MemoryCoordinator());
  const gateway = buildAssetsGateway(flaky.coordinator, { manifestMaxAgeMs: 0 });
  let corne: ManifestEntry;
  let corpus: ManifestEntry;
  before(async () => {
    corne = await store(flaky.coordinator, "boards/corne.json", board);
    corpus = await store(flaky.coordinator, "corpora/big.json", large);
  });
  after(() => gateway.close());

  it("lists the manifest, with an ETag of its body, short caching and 304", async () => {
    const response = await gateway.inject({ method: "GET", url: "/manifest" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^application\/json/);
    assert.equal(response.headers["cache-control"], "public, max-age=5");
    assert.equal(response.headers.etag, `"${sha256(response.rawPayload)}"`);
    assert.deepEqual(manifestSchema.parse(response.json()), [corne, corpus]);
    const again = await gateway.inject({
      method: "GET",
      url: "/manifest",
      headers: { "if-none-match": response.headers.etag as string },
    });
    assert.equal(again.statusCode, 304);
    assert.equal(again.rawPayload.byteLength, 0);
    const head = await gateway.inject({ method: "HEAD", url: "/manifest" });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers["content-length"], String(response.rawPayload.byteLength));
    assert.equal(head.rawPayload.byteLength, 0);
  });

  it("serves an asset by path: its bytes, its hash as ETag, JSON type, short caching", async () => {
    const response = await gateway.inject({ method: "GET", url: "/assets/boards/corne.json" });
    assert.equal(response.statusCode, 200);
    assert.ok(response.rawPayload.equals(board));
    assert.equal(response.headers.etag, `"${corne.sha256}"`);
    assert.equal(response.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(response.headers["content-length"], String(board.byteLength));
    assert.equal(response.headers["cache-control"], "public, max-age=5");
    assert.equal(response.headers["x-content-type-options"], "nosniff");
    // Public data: the web app reads it from the hive's origin or its own host.
    assert.equal(response.headers["access-control-allow-origin"], "*");
    assert.match(String(response.headers.vary), /accept-encoding/i);

    for (const ifNoneMatch of [
      `"${corne.sha256}"`,
      `W/"${corne.sha256}"`,
      `"other", "${corne.sha256}"`,
      "*",
    ]) {
      const cached = await gateway.inject({
        method: "GET",
        url: "/assets/boards/corne.json",
        headers: { "if-none-match": ifNoneMatch },
      });
      assert.equal(cached.statusCode, 304, ifNoneMatch);
      assert.equal(cached.headers.etag, `"${corne.sha256}"`);
    }
    const stale = await gateway.inject({
      method: "GET",
      url: "/assets/boards/corne.json",
      headers: { "if-none-match": `"${"0".repeat(64)}"` },
    });
    assert.equal(stale.statusCode, 200);

    const head = await gateway.inject({ method: "HEAD", url: "/assets/boards/corne.json" });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers.etag, `"${corne.sha256}"`);
    assert.equal(head.headers["content-length"], String(board.byteLength));
    assert.equal(head.rawPayload.byteLength, 0);
  });

  it("serves blobs as immutable bytes", async () => {
    const response = await gateway.inject({ method: "GET", url: `/blobs/${corne.sha256}` });
    assert.equal(response.statusCode, 200);
    assert.ok(response.rawPayload.equals(board));
    assert.equal(response.headers["content-type"], "application/octet-stream");
    assert.equal(response.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(response.headers.etag, `"${corne.sha256}"`);
    const upper = await gateway.inject({
      method: "GET",
      url: `/blobs/${corne.sha256.toUpperCase()}`,
    });
    assert.equal(upper.statusCode, 200);
    const cached = await gateway.inject({
      method: "GET",
      url: `/blobs/${corne.sha256}`,
      headers: { "if-none-match": `"${corne.sha256}"` },
    });
    assert.equal(cached.statusCode, 304);
    const head = await gateway.inject({ method: "HEAD", url: `/blobs/${corpus.sha256}` });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers["content-length"], String(large.byteLength));
    assert.equal(head.rawPayload.byteLength, 0);
  });

  it("streams a blob of several chunks, chunk by chunk, never whole", async () => {
    const chunksBefore = flaky.count("getBlobChunk");
    const response = await gateway.inject({ method: "GET", url: "/assets/corpora/big.json" });
    assert.equal(response.statusCode, 200);
    assert.equal(response.rawPayload.byteLength, large.byteLength);
    assert.ok(response.rawPayload.equals(large));
    assert.equal(response.headers.etag, `"${sha256(response.rawPayload)}"`);
    assert.equal(flaky.count("getBlobChunk") - chunksBefore, 3);
    assert.equal(flaky.count("getBin"), 0);
  });

  it("compresses when the client accepts it, and only then", async () => {
    const plain = await gateway.inject({ method: "GET", url: "/assets/boards/corne.json" });
    assert.equal(plain.headers["content-encoding"], undefined);
    const gzip = await gateway.inject({
      method: "GET",
      url: "/assets/boards/corne.json",
      headers: { "accept-encoding": "gzip" },
    });
    assert.equal(gzip.headers["content-encoding"], "gzip");
    assert.ok(gzip.rawPayload.byteLength < board.byteLength / 4);
    assert.ok(gunzipSync(gzip.rawPayload).equals(board));
    const br = await gateway.inject({
      method: "GET",
      url: "/assets/corpora/big.json",
      headers: { "accept-encoding": "br, gzip" },
    });
    assert.equal(br.headers["content-encoding"], "br");
    assert.ok(brotliDecompressSync(br.rawPayload).equals(large));
    const manifest = await gateway.inject({
      method: "GET",
      url: "/manifest",
      headers: { "accept-encoding": "identity" },
    });
    assert.equal(manifest.headers["content-encoding"], undefined);
  });

  it("answers 404 with a code for unknown assets, blobs and routes", async () => {
    for (const [url, code] of [
      ["/assets/boards/nope.json", "ASSET_NOT_FOUND"],
      ["/assets/boards/CORNE.json", "ASSET_NOT_FOUND"],
      [`/blobs/${"ab".repeat(32)}`, "BLOB_NOT_FOUND"],
      ["/nope", "NOT_FOUND"],
    ] as const) {
      const response = await gateway.inject({ method: "GET", url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(errorBodySchema.parse(response.json()).code, code);
      assert.equal(response.headers.etag, undefined);
      assert.equal(response.headers["cache-control"], "no-store");
    }
  });

  it("answers 405 with Allow: GET, HEAD to any other method", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"] as const) {
      for (const url of ["/manifest", "/assets/boards/corne.json", "/health", "/nope"]) {
        const response = await gateway.inject({ method, url, payload: "{}" });
        assert.equal(response.statusCode, 405, `${method} ${url}`);
        assert.equal(response.headers.allow, "GET, HEAD");
        assert.equal(errorBodySchema.parse(response.json()).code, "METHOD_NOT_ALLOWED");
      }
    }
  });

  it("answers 400 for malformed paths and hashes, never 500", async () => {
    for (const url of [
      "/assets/..%2f..%2fetc%2fpasswd",
      "/assets/boards%2f..%2f..%2fsecret",
      "/assets/%2e%2e%5c%2e%2e%5cwindows",
      "/assets/boards/corne%00.json",
      "/assets/%2fetc%2fpasswd",
      "/assets/boards/.hidden",
      "/assets/boards/%252e%252e/x",
      "/assets/",
      `/assets/${"a".repeat(300)}`,
      "/assets/%zz",
      "/blobs/abc",
      `/blobs/${"g".repeat(64)}`,
      `/blobs/${"a".repeat(65)}`,
    ]) {
      const response = await gateway.inject({ method: "GET", url });
      assert.equal(response.statusCode, 400, url);
      const body = errorBodySchema.parse(response.json());
      assert.match(body.code, /^(ASSET_PATH_INVALID|BLOB_HASH_INVALID|URL_INVALID)$/, url);
    }
  });

  // inject() parses URLs as a browser would (dot segments resolved, a backslash read as "/"); a raw
  // socket delivers them as an attacker sends them.
  it("refuses traversal sent raw over a socket, where nothing normalises the path", async () => {
    await gateway.listen({ host: "127.0.0.1", port: 0 });
    const { port } = gateway.server.address() as AddressInfo;
    for (const path of [
      "/assets/../../etc/passwd",
      "/assets/boards/../../../etc/passwd",
      "/assets/%2e%2e/%2e%2e/etc/passwd",
      "/assets/%2E%2E%2Fetc%2Fpasswd",
      "/assets/..\\..\\etc\\passwd",
      "/assets/boards\\corne.json",
      "/assets//etc/passwd",
      "/assets/boards/corne.json%00.txt",
    ]) {
      const response = await rawGet(port, path);
      assert.equal(response.status, 400, `${path}: ${response.body}`);
    }
    assert.equal((await rawGet(port, "/assets/boards/corne.json")).status, 200);
  });
});

describe("assets gateway while the coordinator is unavailable", () => {
  const down = new ValkeyCoordinator("redis://127.0.0.1:1");
  const gateway = buildAssetsGateway(down);
  after(async () => {
    await gateway.close();
    await down.close();
  });

  it("answers 503 with Retry-After, and health says down", async () => {
    for (const url of ["/manifest", "/assets/boards/corne.json", `/blobs/${"a".repeat(64)}`]) {
      const response = await gateway.inject({ method: "GET", url });
      assert.equal(response.statusCode, 503, url);
      assert.equal(response.headers["retry-after"], "5");
      const body = errorBodySchema.parse(response.json());
      assert.equal(body.code, "COORDINATOR_UNAVAILABLE");
      assert.doesNotMatch(body.message, /127\.0\.0\.1/, "no internal addresses");
    }
    const health = await gateway.inject({ method: "GET", url: "/health" });
    assert.equal(health.statusCode, 503);
    assert.equal(health.headers["retry-after"], "5");
    assert.deepEqual(health.json(), { status: "down", coordinator: "unavailable" });
  });
});

describe("assets gateway log", () => {
  it("writes one JSON line per request with its id, and a bug's stack inside one line", async () => {
    const { logger, written, lines: logged } = capturedLogger("assets");
    const broken = new MemoryCoordinator();
    broken.getManifest = () => Promise.reject(new Error("manifest decoder bug"));
    const gateway = buildAssetsGateway(broken, { logger, manifestMaxAgeMs: 0 });
    after(() => gateway.close());
    const response = await gateway.inject({ url: "/manifest", headers: { "x-request-id": "r-1" } });
    assert.equal(response.statusCode, 500);
    assert.equal(response.headers["x-request-id"], "r-1");
    const lines = logged();
    assert.equal(written.join("").split("\n").length, lines.length + 1, "one line each");
    const bug = lines.find((line) => line.msg === "unexpected error");
    assert.ok(bug);
    assert.equal(bug.requestId, "r-1");
    assert.equal(bug.url, "/manifest");
    assert.equal(bug.caller, "anonymous");
    assert.match((bug.err as { stack: string }).stack, /manifest decoder bug\n\s+at /);
    const done = lines.filter((line) => line.msg === "request");
    assert.deepEqual(
      done.map((line) => [line.requestId, line.route, line.status]),
      [["r-1", "/manifest", 500]],
    );
  });
});

describe("assets gateway on Valkey (Redis on loopback)", () => {
  const valkey = new IsolatedValkey();
  const writer = valkey.coordinator();
  const gateway = buildAssetsGateway(valkey.coordinator(), { manifestMaxAgeMs: 0 });
  after(async () => {
    await gateway.close();
    await valkey.close();
  });

  it("says it is healthy and streams a large blob intact", async () => {
    const health = await gateway.inject({ method: "GET", url: "/health" });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: "ok", coordinator: "up" });
    const entry = await store(writer, "corpora/big.json", large);
    const response = await gateway.inject({ method: "GET", url: `/blobs/${entry.sha256}` });
    assert.equal(response.statusCode, 200);
    assert.ok(response.rawPayload.equals(large));
  });

  it("never gives a reader content that mismatches its ETag while the asset keeps changing", async () => {
    await gateway.listen({ host: "127.0.0.1", port: 0 });
    const { port } = gateway.server.address() as AddressInfo;
    const path = "boards/hammered.json";
    // Versions of very different sizes, some over several chunks, so a mix-up would show.
    const versions = [1, 3000, 2 * BLOB_CHUNK_BYTES + 7, 10, BLOB_CHUNK_BYTES + 1, 500].map(
      (size, i) => Buffer.alloc(size, 65 + i),
    );
    await store(writer, path, versions[0] as Buffer);
    let writing = true;
    const writes = (async () => {
      for (let round = 0; round < 4; round++) {
        for (const version of versions) await store(writer, path, version);
      }
      writing = false;
    })();
    let checked = 0;
    const reader = async () => {
      while (writing) {
        const response = await fetch(`http://127.0.0.1:${port}/assets/${path}`);
        const body = Buffer.from(await response.arrayBuffer());
        assert.equal(response.status, 200);
        assert.equal(response.headers.get("etag"), `"${sha256(body)}"`);
        checked++;
      }
    };
    await Promise.all([writes, ...Array.from({ length: 8 }, reader)]);
    assert.ok(checked > 0);
  });
});
