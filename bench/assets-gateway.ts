import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { AssetPublisher } from "../src/assetmgr/asset-publisher.ts";
import { buildAssetsGateway } from "../src/assets/assets-gateway.ts";
import { SYSTEM_DATA_DIR } from "../src/infra/system-data.ts";
import { IsolatedValkey } from "../test/helpers/valkey.ts";

const CONNECTIONS = 10;
const BLOB_BYTES = 4 * 1024 * 1024;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The baseline: one file per URL, streamed from disk with its length, as a static server does. */
function diskServer(files: ReadonlyMap<string, string>): Server {
  return createServer(async (request, response) => {
    const file = files.get(request.url ?? "");
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    const { size } = await stat(file);
    response.writeHead(200, {
      "content-type": file.endsWith(".json") ? "application/json" : "application/octet-stream",
      "content-length": size,
    });
    createReadStream(file).pipe(response);
  });
}

async function measure(label: string, url: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${label}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  }
  const rate = result.requests.average;
  const megabytes = result.throughput.average / 1e6;
  console.log(`${label}: ${Math.round(rate)} req/s, ${megabytes.toFixed(1)} MB/s`);
  return rate;
}

/**
 * Requests and bytes per second of the assets gateway (fastify, streaming out of a real Valkey)
 * against a plain node:http server streaming the same files from disk, for a small asset, the
 * corpus and a 4 MiB blob, `seconds` per figure. Both servers and autocannon share the machine.
 */
export async function benchAssetsGateway(seconds: number): Promise<void> {
  const valkey = new IsolatedValkey();
  const work = await mkdtemp(join(tmpdir(), "keyforge-bench-assets-"));
  const gatewayCoordinator = valkey.coordinator();
  const gateway = buildAssetsGateway(gatewayCoordinator);
  const disk = diskServer(
    new Map([
      ["/small", join(SYSTEM_DATA_DIR, "boards", "corne.json")],
      ["/corpus", join(SYSTEM_DATA_DIR, "corpora", "en.json")],
      ["/blob", join(work, "blob.bin")],
    ]),
  );
  try {
    const writer = valkey.coordinator();
    await new AssetPublisher({
      coordinator: writer,
      folders: [SYSTEM_DATA_DIR],
      log: () => {},
    }).reconcile();
    const blob = randomBytes(BLOB_BYTES);
    await writeFile(join(work, "blob.bin"), blob);
    const blobSha = createHash("sha256").update(blob).digest("hex");
    await writer.setManifestEntry(
      {
        path: "bench/blob.bin",
        sha256: blobSha,
        size: BLOB_BYTES,
        kind: "bench",
        updated: new Date().toISOString(),
      },
      blob,
    );
    await gateway.listen({ host: "127.0.0.1", port: 0 });
    const gatewayUrl = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
    const diskUrl = await listen(disk);

    console.log(`assets gateway: ${CONNECTIONS} connections, ${seconds} s per figure`);
    for (const [what, gatewayPath, diskPath] of [
      ["small asset (boards/corne.json)", "/assets/boards/corne.json", "/small"],
      ["corpus (corpora/en.json)", "/assets/corpora/en.json", "/corpus"],
      ["4 MiB blob", `/blobs/${blobSha}`, "/blob"],
    ] as const) {
      const served = await measure(
        `assets gateway ${what}`,
        `${gatewayUrl}${gatewayPath}`,
        seconds,
      );
      const baseline = await measure(
        `node:http from disk ${what}`,
        `${diskUrl}${diskPath}`,
        seconds,
      );
      console.log(
        `assets gateway ${what}: ${(served / baseline).toFixed(2)} x node:http from disk`,
      );
    }
  } finally {
    await gateway.close();
    await new Promise((resolve) => disk.close(resolve));
    await valkey.close();
    await rm(work, { recursive: true, force: true });
  }
}
