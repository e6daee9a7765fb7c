import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Valkey } from "iovalkey";
import { KEY_PREFIX } from "../../src/infra/coord/coordinator.ts";
import { assetFolder, SMALL_ASSETS } from "../helpers/asset-folder.ts";
import { assertCleanFailure, runCli, startCli } from "../helpers/run-cli.ts";
import { TEST_VALKEY_URL } from "../helpers/valkey.ts";

/**
 * The CLI has no key-prefix option, so these tests use a database of their own on the test
 * server: the asset manager owns the manifest it writes, and would remove other tests' entries.
 */
function databaseUrl(database: number): string {
  const url = new URL(TEST_VALKEY_URL);
  url.pathname = `/${database}`;
  return url.toString();
}
const VALKEY = databaseUrl(13);

async function deleteAssetKeys(): Promise<void> {
  const valkey = new Valkey(VALKEY);
  try {
    const found = await valkey.keys(`${KEY_PREFIX}*`);
    if (found.length > 0) await valkey.del(...found);
  } finally {
    valkey.disconnect();
  }
}

async function deleteBlobs(): Promise<void> {
  const valkey = new Valkey(VALKEY);
  try {
    const found = await valkey.keys(`${KEY_PREFIX}blob:*`);
    if (found.length > 0) await valkey.del(...found);
  } finally {
    valkey.disconnect();
  }
}

describe("keyforge assetmgr", () => {
  const data = assetFolder();
  before(deleteAssetKeys);
  after(async () => {
    data.close();
    await deleteAssetKeys();
  });
  const flags = ["--valkey", VALKEY, "--data", data.dir];

  it("seeds the folder once, then lists the manifest", () => {
    const seeded = runCli(["assetmgr", "seed", ...flags]);
    assert.equal(seeded.status, 0, seeded.stderr);
    assert.match(
      seeded.stdout,
      /^seed: 4 uploaded \(4 new\), 0 already served, 0 removed, 0 rejected$/m,
    );
    assert.match(seeded.stderr, /^assetmgr: uploaded boards\/corne\.json \(sha [0-9a-f]{12}, /m);

    // Options may come before the subcommand's name too.
    const listed = runCli(["assetmgr", "--valkey", VALKEY, "list"]);
    assert.equal(listed.status, 0, listed.stderr);
    const lines = listed.stdout.trim().split("\n");
    assert.match(lines[0] ?? "", /^path\s+kind\s+size\s+sha256\s+updated$/);
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(/\s+/)[0]),
      [...SMALL_ASSETS].sort(),
    );
    const corne = readFileSync(join(data.dir, "boards", "corne.json"));
    const sha = createHash("sha256").update(corne).digest("hex");
    const row = lines.find((line) => line.startsWith("boards/corne.json")) ?? "";
    assert.match(
      row,
      new RegExp(
        `^boards/corne\\.json\\s+boards\\s+${corne.byteLength.toLocaleString("en-US")}\\s+${sha.slice(0, 12)}\\s+\\d{4}-`,
      ),
    );
  });

  it("verify restores lost blobs, and fails while a file cannot be published", () => {
    return deleteBlobs().then(() => {
      const restored = runCli(["assetmgr", "verify", ...flags]);
      assert.equal(restored.status, 0, restored.stderr);
      assert.match(restored.stdout, /^verify: 4 uploaded \(4 blob missing\)/m);
      assert.match(restored.stderr, /re-uploaded \(its blob was missing\) boards\/corne\.json/);

      data.write("boards/broken.json", "{ nope");
      const failed = runCli(["assetmgr", "verify", ...flags]);
      assertCleanFailure(failed, /1 file\(s\) could not be published: boards\/broken\.json/);
      assert.match(failed.stderr, /^assetmgr: rejected boards\/broken\.json: not valid JSON/m);
      data.remove("boards/broken.json");
    });
  });

  it("runs as a daemon until interrupted, then exits cleanly", async () => {
    const daemon = startCli(["assetmgr", ...flags, "--verify-interval", "30"]);
    await daemon.waitFor(/assetmgr: watching .*; verifying every 30 s/);
    const result = await daemon.stop("SIGTERM");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /assetmgr: SIGTERM: stopping/);
  });

  it("explains a bad or unreachable Valkey URL without a stack trace", () => {
    assertCleanFailure(
      runCli(["assetmgr", "list", "--valkey", "not a url"]),
      /--valkey must be a URL such as redis:\/\/host:6379/,
    );
    assertCleanFailure(
      runCli(["assetmgr", "list", "--valkey", "redis://127.0.0.1:1"]),
      /the coordinator \(Valkey\) is unavailable/,
    );
  });
});
