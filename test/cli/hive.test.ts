import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PgliteDatabase } from "../../src/infra/db/pglite-database.ts";
import { assertCleanFailure, runCli, startCli } from "../helpers/run-cli.ts";
import { TEST_VALKEY_URL } from "../helpers/valkey.ts";

const folder = () => join(mkdtempSync(join(tmpdir(), "keyforge-hive-")), "db");

describe("keyforge admin key and keyforge hive", () => {
  it("creates a key the hive accepts, lists it, and stops on SIGTERM", async () => {
    const database = folder();
    const created = runCli(["admin", "key", "create", "--name", "alice", "--database", database]);
    assert.equal(created.status, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^kf_/);
    assert.match(created.stderr, /created user key key_\w+ for alice/);
    assert.doesNotMatch(runCli(["admin", "key", "list", "--database", database]).stdout, /kf_/);

    const hive = startCli(
      ["hive", "--database", database, "--port", "0", "--valkey", TEST_VALKEY_URL],
      { env: { HIVE_SECRET: "cli-test-secret" } },
    );
    const [, url] = await hive.waitFor(/hive: listening on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    assertCleanFailure(
      runCli(["admin", "key", "list", "--database", database]),
      /the embedded database in \S+ is in use by process \d+/,
    );
    const mine = await fetch(`${url}/jobs?mine=true`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(mine.status, 200, await mine.clone().text());
    const wrong = await fetch(`${url}/jobs?mine=true`, {
      headers: { authorization: "Bearer kf_nope" },
    });
    assert.equal(wrong.status, 401);
    const result = await hive.stop("SIGTERM");
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /cli-test-secret/, "the secret is never printed");
  });

  it("exits non-zero naming the migration that failed, and does not serve", async () => {
    const database = folder();
    const db = new PgliteDatabase(database);
    await db.query("CREATE TABLE jobs (id integer)");
    await db.close();
    const result = await startCli(["hive", "--database", database, "--port", "0"]).exited();
    assertCleanFailure(result, /migration 0001_stores failed: relation "jobs" already exists/);
    assert.doesNotMatch(result.stderr, /listening/);
  });

  it("refuses to start an agent that has no hive secret to register with", () => {
    assertCleanFailure(
      runCli(["agent", "--hive", "http://127.0.0.1:9"], {
        env: { HIVE_SECRET: "", HIVE_SECRET_FILE: "" },
      }),
      /HIVE_SECRET is not set: set it, or HIVE_SECRET_FILE/,
    );
  });

  it("refuses an unknown role", () => {
    assertCleanFailure(
      runCli(["admin", "key", "create", "--name", "x", "--role", "root", "--database", folder()]),
      /--role must be user or admin/,
    );
  });
});
