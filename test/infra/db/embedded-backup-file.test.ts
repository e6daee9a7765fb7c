import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeyForgeError } from "../../../src/core/errors.ts";
import {
  decodeEmbeddedBackup,
  type EmbeddedBackup,
  encodeEmbeddedBackup,
} from "../../../src/infra/db/embedded-backup-file.ts";

const backup: EmbeddedBackup = {
  header: {
    takenAt: "2026-12-06T15:00:00.000Z",
    keyforgeVersion: "0.1.0",
    migrations: ["0001_initial", "0002_more"],
  },
  // A gzip stream starts with 1f 8b; the rest is the tarball's.
  tarball: new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 10, 255]),
};

const refused = (bytes: Uint8Array, why: RegExp) =>
  assert.throws(
    () => decodeEmbeddedBackup(bytes, "b.keyforge-backup"),
    (error: unknown) =>
      error instanceof KeyForgeError &&
      error.code === "BACKUP_INVALID" &&
      /^b\.keyforge-backup is not a KeyForge embedded backup: /.test(error.message) &&
      why.test(error.message),
  );

describe("embedded backup file", () => {
  it("reads back the header and the tarball it was written with", () => {
    const decoded = decodeEmbeddedBackup(encodeEmbeddedBackup(backup), "b.keyforge-backup");
    assert.deepEqual(decoded.header, backup.header);
    assert.deepEqual([...decoded.tarball], [...backup.tarball]);
  });

  it("refuses another file, a changed header and a missing tarball", () => {
    const bytes = encodeEmbeddedBackup(backup);
    refused(new TextEncoder().encode("PGDMP...."), /does not start with/);
    refused(bytes.subarray(0, 40), /header line is cut/);
    const text = new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0x1f)));
    refused(new TextEncoder().encode(text.replace('"migrations"', '"tables"')), /header/);
    refused(bytes.subarray(0, bytes.indexOf(0x1f)), /tarball .* is missing or cut/);
  });
});
