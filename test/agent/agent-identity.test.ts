import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { IDENTITY_FILE, loadOrCreateIdentity } from "../../src/agent/agent-identity.ts";
import { signText, verifyText } from "../../src/infra/node-signatures.ts";
import { nodeIdOf } from "../../src/protocol/node-messages.ts";

const dataDir = () => join(mkdtempSync(join(tmpdir(), "keyforge-agent-")), "data");

function rejectsWith(code: string) {
  return (error: unknown) => (error as { code?: string }).code === code;
}

describe("agent identity", () => {
  it("is created on first start, readable by its owner only, and the same after a restart", async () => {
    const dir = dataDir();
    const first = await loadOrCreateIdentity(dir);
    assert.equal(first.nodeId, nodeIdOf(first.publicKey));
    assert.equal(statSync(join(dir, IDENTITY_FILE)).mode & 0o777, 0o600);
    const again = await loadOrCreateIdentity(dir);
    assert.deepEqual([again.nodeId, again.publicKey], [first.nodeId, first.publicKey]);
    const signature = signText(again.privateKey, "a result");
    assert.equal(await verifyText(first.publicKey, "a result", signature), true);
  });

  it("gives agents starting at once on one data dir the same identity", async () => {
    const dir = dataDir();
    const identities = await Promise.all(
      Array.from({ length: 6 }, () => loadOrCreateIdentity(dir)),
    );
    assert.equal(new Set(identities.map((i) => i.nodeId)).size, 1);
  });

  it("refuses a key file other users may read, and a corrupt one, naming the file", async () => {
    const exposed = dataDir();
    await loadOrCreateIdentity(exposed);
    chmodSync(join(exposed, IDENTITY_FILE), 0o644);
    await assert.rejects(loadOrCreateIdentity(exposed), rejectsWith("IDENTITY_EXPOSED"));

    const corrupt = dataDir();
    await loadOrCreateIdentity(corrupt);
    writeFileSync(join(corrupt, IDENTITY_FILE), "{ not json", { mode: 0o600 });
    await assert.rejects(
      loadOrCreateIdentity(corrupt),
      (error: unknown) =>
        rejectsWith("IDENTITY_INVALID")(error) &&
        (error as Error).message.includes(join(corrupt, IDENTITY_FILE)),
    );
  });
});
