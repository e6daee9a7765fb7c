import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  checkedDatabaseLocation,
  defaultDatabaseLocation,
} from "../../../src/infra/db/database-location.ts";
import { assertCleanFailure, runCli } from "../../helpers/run-cli.ts";

describe("database location (DATABASE_URL, --database)", () => {
  it("takes postgres:// and postgresql:// URLs and folders as they are", () => {
    for (const location of [
      "postgres://kf:pw@db.internal:5432/keyforge",
      "postgresql://db/keyforge",
      "./state/db",
      "/var/lib/keyforge/db",
      "C:\\keyforge\\db",
    ]) {
      assert.equal(checkedDatabaseLocation(location, "DATABASE_URL"), location);
    }
  });

  it("refuses any other URL, naming the setting and hiding the password", () => {
    for (const bad of [
      "postgress://kf:hunter2@db.internal/keyforge",
      "mysql://kf:hunter2@db/keyforge",
      "sqlite:kf:hunter2@file.db",
      "pg://kf:hunt/er2@host@db/keyforge",
    ]) {
      assert.throws(
        () => checkedDatabaseLocation(bad, "DATABASE_URL"),
        (error: Error & { code?: string }) =>
          error.code === "CONFIG_INVALID" &&
          /^DATABASE_URL must be a postgres:\/\//.test(error.message) &&
          /\*\*\*@/.test(error.message) &&
          !/hunter2|hunt\/er2|kf:/.test(error.message),
        bad,
      );
    }
  });

  it("checks DATABASE_URL when it falls back to it", () => {
    assert.throws(
      () => defaultDatabaseLocation({ DATABASE_URL: "postgress://u:pw@h/db" }),
      /DATABASE_URL must be/,
    );
  });

  it("stops the command instead of opening an empty database in a folder named after the URL", () => {
    const cwd = mkdtempSync(join(tmpdir(), "keyforge-dburl-"));
    const fromSetting = runCli(["migrate"], {
      cwd,
      env: { DATABASE_URL: "postgress://kf:hunter2@127.0.0.1/keyforge" },
    });
    assertCleanFailure(fromSetting, /DATABASE_URL must be a postgres:\/\/ .*postgress:\/\/\*\*\*@/);
    assert.doesNotMatch(fromSetting.stderr, /hunter2/);
    const fromFlag = runCli(["admin", "key", "list", "--database", "mysql://kf:hunter2@db/kf"], {
      cwd,
    });
    assertCleanFailure(fromFlag, /--database must be a postgres:\/\//);
    assert.doesNotMatch(fromFlag.stderr, /hunter2/);
  });
});
