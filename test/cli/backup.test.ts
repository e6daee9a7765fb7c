import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  decodeEmbeddedBackup,
  encodeEmbeddedBackup,
} from "../../src/infra/db/embedded-backup-file.ts";
import { appliedMigrations } from "../../src/infra/db/embedded-snapshot.ts";
import { MIGRATIONS_DIR, migrate } from "../../src/infra/db/migration-runner.ts";
import { PgliteDatabase } from "../../src/infra/db/pglite-database.ts";
import { expectedSchema } from "../../src/infra/db/schema-check.ts";
import { eventually } from "../helpers/eventually.ts";
import { assertCleanFailure, runCli, startCli } from "../helpers/run-cli.ts";

/** A fresh data dir, and the settings that make every command use it and nothing else. */
function embeddedSettings() {
  const dir = mkdtempSync(join(tmpdir(), "keyforge-backup-"));
  return {
    dir,
    env: {
      KEYFORGE_DATA_DIR: dir,
      DATABASE_URL: "",
      KEYFORGE_VALKEY_URL: "",
      HIVE_SECRET: "",
      KEYFORGE_API_KEY: "",
    },
  };
}

async function migrationsIn(database: string): Promise<string[]> {
  const db = new PgliteDatabase(database);
  try {
    return await appliedMigrations(db);
  } finally {
    await db.close();
  }
}

/** `keyforge up` on the data dir of `env`, without a local agent, once it is ready. */
async function startUp(env: Record<string, string>) {
  const up = startCli(["up", "--port", "0", "--assets-port", "0", "--threads", "0"], { env });
  const [, hiveUrl] = await up.waitFor(/hive\s+(http:\/\/127\.0\.0\.1:\d+)/, 90_000);
  return { up, user: { ...env, KEYFORGE_HIVE_URL: hiveUrl as string } };
}

describe("keyforge backup and restore", () => {
  it("back up a stopped data dir; restore refuses a database already there without --force, and a newer schema", async () => {
    const { dir, env } = embeddedSettings();
    const nothing = runCli(["backup", "--out", join(dir, "none.keyforge-backup")], { env });
    assertCleanFailure(nothing, /there is no embedded database in \S+: nothing to back up/);

    const migrated = runCli(["migrate", "--database", join(dir, "db")], { env });
    assert.equal(migrated.status, 0, migrated.stderr);
    const file = join(dir, "stopped.keyforge-backup");
    const backedUp = runCli(["backup", "--out", file], { env });
    assert.equal(backedUp.status, 0, backedUp.stderr);
    assert.match(backedUp.stdout, /keyforge up is not running/);
    const shipped = (await expectedSchema()).migrations;
    const backup = decodeEmbeddedBackup(readFileSync(file), file);
    assert.deepEqual(backup.header.migrations, shipped, "the backup records its schema version");

    const overwrite = runCli(["restore", file], { env });
    assertCleanFailure(overwrite, /already holds a database: add --force/);
    const forced = runCli(["restore", file, "--force"], { env });
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(await migrationsIn(join(dir, "db")), shipped);

    const elsewhere = embeddedSettings();
    const restored = runCli(["restore", file, "--data-dir", elsewhere.dir], { env });
    assert.equal(restored.status, 0, restored.stderr);
    assert.deepEqual(await migrationsIn(join(elsewhere.dir, "db")), shipped);

    const future = join(dir, "future.keyforge-backup");
    const migrations = [...shipped, "9999_from_a_later_release"];
    writeFileSync(
      future,
      encodeEmbeddedBackup({ ...backup, header: { ...backup.header, migrations } }),
    );
    const fresh = embeddedSettings();
    const newer = runCli(["restore", future], { env: fresh.env });
    assertCleanFailure(
      newer,
      /newer than this KeyForge's: it has migration\(s\) 9999_from_a_later_release/,
    );
    assert.equal(existsSync(join(fresh.dir, "db")), false, "nothing written");

    writeFileSync(join(dir, "not-a-backup"), "hello\n");
    const invalid = runCli(["restore", join(dir, "not-a-backup")], { env: fresh.env });
    assertCleanFailure(invalid, /is not a KeyForge embedded backup/);
  });

  it("restores a backup of an older schema as it is; the migrations it lacks apply at the next start", async () => {
    const shipped = (await expectedSchema()).migrations;
    const older = mkdtempSync(join(tmpdir(), "keyforge-migrations-"));
    for (const name of shipped.slice(0, 2)) {
      copyFileSync(join(MIGRATIONS_DIR, `${name}.sql`), join(older, `${name}.sql`));
    }
    const { dir, env } = embeddedSettings();
    const db = new PgliteDatabase(join(dir, "db"));
    try {
      await migrate(db, { dir: older });
    } finally {
      await db.close();
    }
    const file = join(dir, "older.keyforge-backup");
    assert.equal(runCli(["backup", "--out", file], { env }).status, 0);

    const elsewhere = embeddedSettings();
    const restored = runCli(["restore", file], { env: elsewhere.env });
    assert.equal(restored.status, 0, restored.stderr);
    assert.match(restored.stdout, new RegExp(`schema ${shipped[1]}\\b`));
    const migrated = runCli(["migrate"], { env: elsewhere.env });
    assert.equal(migrated.status, 0, migrated.stderr);
    assert.match(migrated.stdout, new RegExp(`applied ${shipped.length - 2} migration`));
    assert.deepEqual(await migrationsIn(join(elsewhere.dir, "db")), shipped);
  });

  it("backs up while keyforge up runs; the job submitted before is there after a restore into a new data dir", async () => {
    const { dir, env } = embeddedSettings();
    const file = join(dir, "live.keyforge-backup");
    let { up, user } = await startUp(env);
    let id: string;
    try {
      const submitted = runCli(
        ["submit", "--board", "corne", "--corpus", "en", "--units", "2", "--steps", "40000"],
        { env: user },
      );
      assert.equal(submitted.status, 0, submitted.stderr);
      id = submitted.stdout.trim();

      const backedUp = runCli(["backup", "--out", file], { env });
      assert.equal(backedUp.status, 0, backedUp.stderr);
      assert.match(backedUp.stdout, /taken by the running keyforge up/);

      const whileUp = runCli(["restore", file, "--force"], { env });
      assertCleanFailure(whileUp, /is in use by process \d+ .*: stop keyforge up, then restore/);

      const today = new Date().toISOString().slice(0, 10);
      const daily = join(dir, "backups", `${today}.keyforge-backup`);
      await eventually("up's daily backup", () => existsSync(daily), 60_000);
      assert.deepEqual(
        decodeEmbeddedBackup(readFileSync(daily), daily).header.migrations,
        (await expectedSchema()).migrations,
      );
    } finally {
      assert.equal((await up.stop("SIGINT")).status, 0);
    }

    const elsewhere = embeddedSettings();
    const restored = runCli(["restore", file], { env: elsewhere.env });
    assert.equal(restored.status, 0, restored.stderr);
    ({ up, user } = await startUp(elsewhere.env));
    try {
      const shown = runCli(["job", id], { env: user });
      assert.equal(shown.status, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(id.slice(0, 12)));
    } finally {
      assert.equal((await up.stop("SIGINT")).status, 0);
    }
  });
});
