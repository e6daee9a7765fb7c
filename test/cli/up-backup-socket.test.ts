import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  backupSocketPath,
  serveSnapshots,
  snapshotFromRunningUp,
} from "../../src/cli/up-backup-socket.ts";
import { KeyForgeError } from "../../src/core/errors.ts";

const newDataDir = () => mkdtempSync(join(tmpdir(), "kf-sock-"));

describe("up's backup socket", { skip: process.platform === "win32" }, () => {
  it("hands a snapshot to whoever asks in the data dir, and is owner-only", async () => {
    const dir = newDataDir();
    const logged: string[] = [];
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
    const stop = await serveSnapshots(
      dir,
      async () => bytes,
      (line) => logged.push(line),
    );
    try {
      assert.equal(statSync(backupSocketPath(dir)).mode & 0o777, 0o600);
      const received = await snapshotFromRunningUp(dir);
      assert.deepEqual(received && [...received], [...bytes]);
    } finally {
      await stop();
    }
    assert.deepEqual(logged, []);
    assert.equal(await snapshotFromRunningUp(dir), null, "no up runs there any more");
  });

  it("passes on why a snapshot failed", async () => {
    const dir = newDataDir();
    const logged: string[] = [];
    const stop = await serveSnapshots(
      dir,
      async () => {
        throw new Error("disk full\nsecond line");
      },
      (line) => logged.push(line),
    );
    try {
      await assert.rejects(
        snapshotFromRunningUp(dir),
        (error: unknown) =>
          error instanceof KeyForgeError &&
          error.code === "BACKUP_FAILED" &&
          /could not take the backup: disk full second line$/.test(error.message),
      );
    } finally {
      await stop();
    }
    assert.match(logged.join("\n"), /backup failed: disk full/);
  });

  it("is not opened where its path would be too long for a socket", {
    skip: process.platform === "win32",
  }, async () => {
    const dir = join(newDataDir(), "a".repeat(100));
    mkdirSync(dir);
    await assert.rejects(
      serveSnapshots(
        dir,
        async () => new Uint8Array(),
        () => {},
      ),
      /longer than 103 bytes/,
    );
    assert.equal(await snapshotFromRunningUp(dir), null);
  });
});
