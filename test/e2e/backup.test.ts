import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { backupsToRemove } from "../../src/infra/backup-retention.ts";
import { MIGRATIONS_DIR } from "../../src/infra/db/migration-runner.ts";
import { DEPLOY_DIR } from "../helpers/deploy.ts";
import { eventually } from "../helpers/eventually.ts";
import { PrivatePostgres } from "../helpers/private-postgres.ts";
import { runCli } from "../helpers/run-cli.ts";

const BACKUP_SCRIPTS = join(DEPLOY_DIR, "backup");

/** Runs deploy/backup/<script> with `sh` (POSIX only) and only `env` besides PATH. */
function script(
  name: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  input = "",
) {
  const result = spawnSync("sh", [join(BACKUP_SCRIPTS, name), ...args], {
    encoding: "utf8",
    input,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A backup's file name, as backup.sh writes it, for a UTC time. */
const dumpName = (time: Date) =>
  `keyforge-${time
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}.dump`;

describe("the backups' retention rule (deploy/backup/retention.sh)", () => {
  const kept = (names: string[], env: Record<string, string> = {}) => {
    const result = script("retention.sh", [], env, `${names.join("\n")}\n`);
    assert.equal(result.status, 0, result.stderr);
    const deleted = new Set(result.stdout.split("\n").filter(Boolean));
    for (const name of deleted) assert.ok(names.includes(name), `${name} was one of the input`);
    return names.filter((name) => !deleted.has(name)).sort();
  };

  it("keeps the newest backup of each of the 14 newest days and of the 8 newest weeks", () => {
    // 120 days of backups at 03:00 ending on Sunday 2026-12-06, and a second one on some days.
    const names: string[] = [];
    for (let day = 0; day < 120; day++) {
      const time = new Date(Date.UTC(2026, 11, 6 - day, 3));
      names.push(dumpName(time));
      if (day % 10 === 0) names.push(dumpName(new Date(time.getTime() - 3_600_000)));
    }
    const daily = Array.from({ length: 14 }, (_, day) =>
      dumpName(new Date(Date.UTC(2026, 11, 6 - day, 3))),
    );
    // Weeks run Monday to Sunday: the newest of the week is its Sunday's (this week: the 6th).
    const weekly = Array.from({ length: 8 }, (_, week) =>
      dumpName(new Date(Date.UTC(2026, 11, 6 - 7 * week, 3))),
    );
    assert.deepEqual(kept(names), [...new Set([...daily, ...weekly])].sort());
  });

  it("never deletes every backup when they stopped for a while, and ignores other files", () => {
    const old = [
      dumpName(new Date(Date.UTC(2025, 0, 1, 3))),
      dumpName(new Date(Date.UTC(2024, 5, 1, 3))),
    ];
    const others = ["last-success", ".keyforge-20261206T030000Z.dump.partial", "notes.txt"];
    assert.deepEqual(kept([...old, ...others]), [...old, ...others].sort());
    assert.deepEqual(
      kept(old, { BACKUP_KEEP_DAILY: "1", BACKUP_KEEP_WEEKLY: "0" }),
      [old[0] as string],
      "the newest always stays",
    );
  });

  it("is the rule the embedded backups keep (src/infra/backup-retention.ts), for any set of backups", () => {
    const second = 1000;
    const times = fc.uniqueArray(
      fc.integer({ min: Date.UTC(2025, 0, 1) / second, max: Date.UTC(2027, 0, 1) / second }),
      { maxLength: 150 },
    );
    fc.assert(
      fc.property(
        times,
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 10 }),
        (seconds, daily, weekly) => {
          const backups = seconds.map((s) => ({
            takenAt: new Date(s * second),
            name: dumpName(new Date(s * second)),
          }));
          const expected = backupsToRemove(backups, { daily, weekly }).map((b) => b.name);
          const env = { BACKUP_KEEP_DAILY: `${daily}`, BACKUP_KEEP_WEEKLY: `${weekly}` };
          const names = backups.map((b) => b.name);
          const result = script("retention.sh", [], env, `${names.join("\n")}\n`);
          assert.equal(result.status, 0, result.stderr);
          assert.deepEqual(result.stdout.split("\n").filter(Boolean).sort(), expected.sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it("refuses a retention that would keep no backup", () => {
    const result = script("retention.sh", [], { BACKUP_KEEP_DAILY: "0" });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /BACKUP_KEEP_DAILY must be a whole number of 1 or more/);
  });
});

describe("the database setting of the backup scripts (deploy/backup/connection.sh)", () => {
  /** libpq's variables as connection.sh sets them from `env`. */
  const parsed = (env: Record<string, string>) => {
    const line = `script_name=test; . ${join(BACKUP_SCRIPTS, "connection.sh")}; use_database_setting; env | grep '^PG' | sort`;
    const result = spawnSync("sh", ["-c", line], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    });
    return { status: result.status, stderr: result.stderr, vars: result.stdout.trim().split("\n") };
  };

  it("takes a URL apart into libpq's variables, decoding its escapes", () => {
    const { status, stderr, vars } = parsed({
      DATABASE_URL:
        "postgresql://key%40forge:p%2Fss%3Aw@db.example:6432/key%20forge?sslmode=verify-full&application_name=backup",
    });
    assert.equal(status, 0, stderr);
    assert.deepEqual(vars, [
      "PGAPPNAME=backup",
      "PGDATABASE=key forge",
      "PGHOST=db.example",
      "PGPASSWORD=p/ss:w",
      "PGPORT=6432",
      "PGSSLMODE=verify-full",
      "PGUSER=key@forge",
    ]);
    const v6 = parsed({ DATABASE_URL: "postgres://u@[::1]:5433/db" });
    assert.deepEqual(v6.vars, ["PGDATABASE=db", "PGHOST=::1", "PGPORT=5433", "PGUSER=u"]);
  });

  it("refuses what it cannot pass on, without showing the secret", () => {
    const scheme = parsed({ DATABASE_URL: "mysql://u:hunter2@h/db" });
    assert.equal(scheme.status, 1);
    assert.match(
      scheme.stderr,
      /DATABASE_URL must be a postgres:\/\/ URL \(it starts with mysql:\)/,
    );
    const parameter = parsed({
      DATABASE_URL: "postgres://u:hunter2@h/db?target_session_attrs=any",
    });
    assert.equal(parameter.status, 1);
    assert.match(
      parameter.stderr,
      /has the parameter target_session_attrs, which this script does not pass on/,
    );
    assert.doesNotMatch(scheme.stderr + parameter.stderr, /hunter2/);
  });
});

describe("the backup service's healthcheck (deploy/backup/healthcheck.sh)", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "keyforge-backup-health-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const record = (hoursAgo: number, hook = "ok") => {
    const name = dumpName(new Date(Date.now() - hoursAgo * 3_600_000));
    writeFileSync(join(dir, name), "x".repeat(5000));
    const epoch = Math.floor(Date.now() / 1000) - hoursAgo * 3600;
    writeFileSync(
      join(dir, "last-success"),
      `time=whenever\nepoch=${epoch}\nfile=${name}\nbytes=5000\nhook=${hook}\n`,
    );
    return name;
  };
  const check = () => script("healthcheck.sh", [], { BACKUP_DIR: dir });

  it("is unhealthy before the first backup", () => {
    const result = check();
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no backup has succeeded yet/);
  });

  it("is healthy for a day and two hours after a backup, then unhealthy", () => {
    const fresh = record(25);
    const healthy = check();
    assert.equal(healthy.status, 0, healthy.stderr);
    assert.match(healthy.stdout, new RegExp(`backup ok: ${fresh}, 5000 bytes`));
    record(27);
    const stale = check();
    assert.equal(stale.status, 1);
    assert.match(stale.stderr, /is 27 h old \(more than BACKUP_MAX_AGE_HOURS=26\)/);
  });

  it("is unhealthy when the last backup is gone or changed, or its off-host copy failed", () => {
    const name = record(1);
    writeFileSync(join(dir, name), "short");
    assert.match(check().stderr, /has 5 bytes, not the 5000 it was written with/);
    rmSync(join(dir, name));
    assert.match(check().stderr, /is gone from/);
    record(1, "failed");
    assert.match(check().stderr, /off-host copy \(BACKUP_AFTER_HOOK\) of .* failed/);
  });
});

describe("backup.sh --once and restore.sh on a PostgreSQL of the test's own", () => {
  let postgres: PrivatePostgres;
  let dir: string;
  let env: Record<string, string>;
  const urlOf = (database: string) => postgres.url(database);

  before(async () => {
    postgres = await PrivatePostgres.start();
    dir = mkdtempSync(join(tmpdir(), "keyforge-backups-"));
    await postgres.sql("CREATE DATABASE keyforge");
    const migrated = runCli(["migrate", "--database", urlOf("keyforge")]);
    assert.equal(migrated.status, 0, migrated.stderr);
    await postgres.sql(
      "INSERT INTO api_keys (id, name, role, key_hash) VALUES ('k1', 'alice', 'user', 'abc')",
      "keyforge",
    );
    env = { PATH: postgres.path, BACKUP_DIR: dir, DATABASE_URL: urlOf("keyforge") };
  });
  after(async () => {
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes a verified dump, records it for the healthcheck and runs the off-host hook", () => {
    const hookLog = join(dir, "..", `${dir.split("/").at(-1)}-hook.log`);
    const result = script("backup.sh", ["--once"], {
      ...env,
      BACKUP_AFTER_HOOK: `echo copied >>${hookLog}; echo`,
    });
    assert.equal(result.status, 0, result.stderr);
    const [dump, ...others] = readdirSync(dir).filter((name) => name.endsWith(".dump"));
    assert.deepEqual(others, [], "one backup, no temporary file left");
    assert.match(dump as string, /^keyforge-\d{8}T\d{6}Z\.dump$/);
    assert.match(result.stdout, /verified/);
    const lastSuccess = readFileSync(join(dir, "last-success"), "utf8");
    assert.match(lastSuccess, new RegExp(`^file=${dump}$`, "m"));
    assert.match(
      lastSuccess,
      new RegExp(`^bytes=${statSync(join(dir, dump as string)).size}$`, "m"),
    );
    assert.match(lastSuccess, /^hook=ok$/m);
    assert.equal(readFileSync(hookLog, "utf8"), "copied\n");
    rmSync(hookLog);
    assert.equal(statSync(join(dir, dump as string)).mode & 0o077, 0, "readable by its owner only");
    assert.equal(script("healthcheck.sh", [], env).status, 0);
  });

  it("--daily backs up at once when there is no recent backup, then sleeps until BACKUP_AT, and stops on SIGTERM", async (t) => {
    const dailyDir = mkdtempSync(join(tmpdir(), "keyforge-daily-"));
    // In a process group of its own, so its sleep can be stopped with it.
    const daily = spawn("sh", [join(BACKUP_SCRIPTS, "backup.sh"), "--daily"], {
      detached: true,
      env: { ...env, BACKUP_DIR: dailyDir, BACKUP_AT: "00:00" },
    });
    let output = "";
    daily.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    daily.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => daily.on("close", resolve));
    // Stopped whatever happens, with its sleep: they would keep this test waiting for hours.
    t.after(() => {
      if (daily.exitCode === null) process.kill(-(daily.pid as number), "SIGKILL");
      rmSync(dailyDir, { recursive: true, force: true });
    });
    await eventually("a backup, then a wait", () => /next backup in (\d+) s/.test(output), 60_000);
    assert.match(output, /daily backups at 00:00 UTC/);
    assert.match(output, /wrote .*keyforge-\d{8}T\d{6}Z\.dump \(\d+ bytes, verified\)/);
    const wait = Number(/next backup in (\d+) s/.exec(output)?.[1]);
    const now = new Date();
    const untilMidnight =
      86_400 - (now.getUTCHours() * 3600 + now.getUTCMinutes() * 60 + now.getUTCSeconds());
    assert.ok(
      Math.abs(wait - untilMidnight) <= 5,
      `${wait} s is the time to 00:00 UTC (${untilMidnight} s)`,
    );
    daily.kill("SIGTERM");
    const stopped = await Promise.race([exited, sleep(15_000, "still running after 15 s")]);
    assert.equal(stopped, 0, output);
    assert.match(output, /backup: stopped/);
  });

  it("takes the database from the secret file DATABASE_URL_FILE names, and says so when it cannot", () => {
    const secret = join(dir, "..", `${dir.split("/").at(-1)}-database-url`);
    writeFileSync(secret, `${urlOf("keyforge")}\n`);
    const fromFile = script("backup.sh", ["--once"], {
      ...env,
      DATABASE_URL: "",
      DATABASE_URL_FILE: secret,
    });
    rmSync(secret);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    const missing = script("backup.sh", ["--once"], {
      ...env,
      DATABASE_URL: "",
      DATABASE_URL_FILE: secret,
    });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /DATABASE_URL_FILE points at .*, which cannot be read/);
  });

  it("writes nothing when the database is not a KeyForge one, or cannot be reached", async () => {
    await postgres.sql("CREATE DATABASE other");
    const before = readdirSync(dir).sort();
    const notKeyforge = script("backup.sh", ["--once"], { ...env, DATABASE_URL: urlOf("other") });
    assert.equal(notKeyforge.status, 1);
    assert.match(notKeyforge.stderr, /not a KeyForge database/);
    const down = script("backup.sh", ["--once"], {
      ...env,
      DATABASE_URL: "postgres://keyforge:s3cret-pw@127.0.0.1:1/keyforge",
    });
    assert.equal(down.status, 1);
    assert.match(down.stderr, /pg_dump of database keyforge on 127\.0\.0\.1:1 as keyforge failed/);
    assert.doesNotMatch(down.stdout + down.stderr, /s3cret-pw/, "no password in the output");
    assert.deepEqual(readdirSync(dir).sort(), before);
  });

  it("refuses to restore over a non-empty database without --force, and restores into an empty one", async () => {
    const refused = script("restore.sh", ["latest"], env);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /database keyforge .* is not empty \(\d+ tables: public\.api_keys/,
    );
    assert.match(refused.stderr, /pass --force/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /);

    await postgres.sql("CREATE DATABASE restored");
    const restored = script("restore.sh", ["latest"], { ...env, DATABASE_URL: urlOf("restored") });
    assert.equal(restored.status, 0, restored.stderr);
    const { rows } = await postgres.sql("SELECT name, role FROM api_keys", "restored");
    assert.deepEqual(rows, [{ name: "alice", role: "user" }]);

    await postgres.sql("DELETE FROM api_keys", "restored");
    await postgres.sql("CREATE TABLE extra (x int)", "restored");
    const forced = script("restore.sh", ["latest", "--force"], {
      ...env,
      DATABASE_URL: urlOf("restored"),
    });
    assert.equal(forced.status, 0, forced.stderr);
    const again = await postgres.sql("SELECT name FROM api_keys", "restored");
    assert.deepEqual(again.rows, [{ name: "alice" }]);
    const extra = await postgres.sql("SELECT to_regclass('public.extra') AS t", "restored");
    assert.equal(extra.rows[0]?.t, null, "--force dropped the schema with what was in it");
  });

  it("refuses a dump of a newer release's schema, and restores an older one, which migrates forward", async () => {
    // This release as an older one: the same migrations but the last two.
    const older = mkdtempSync(join(tmpdir(), "keyforge-older-migrations-"));
    const shipped = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith(".sql"))
      .sort();
    for (const file of shipped.slice(0, -2))
      copyFileSync(join(MIGRATIONS_DIR, file), join(older, file));
    try {
      const newer = script("restore.sh", ["latest", "--migrations", older], {
        ...env,
        DATABASE_URL: urlOf("nowhere"),
      });
      assert.equal(newer.status, 1);
      assert.match(newer.stderr, /comes from a newer release: its schema has migration\(s\) /);
      assert.ok(newer.stderr.includes(shipped.at(-1)?.replace(/\.sql$/, "") as string));

      // A backup of a database the older release made ...
      await postgres.sql("CREATE DATABASE old_release");
      const migrated = runCli(["migrate", "--database", urlOf("old_release"), "--dir", older]);
      assert.equal(migrated.status, 0, migrated.stderr);
      const oldDir = join(dir, "old");
      mkdirSync(oldDir);
      const oldEnv = { ...env, BACKUP_DIR: oldDir, DATABASE_URL: urlOf("old_release") };
      assert.equal(script("backup.sh", ["--once"], oldEnv).status, 0);
      // ... restored under this release, then migrated forward as the hive does at start.
      await postgres.sql("CREATE DATABASE forward");
      const restored = script("restore.sh", ["latest"], {
        ...oldEnv,
        DATABASE_URL: urlOf("forward"),
      });
      assert.equal(restored.status, 0, restored.stderr);
      assert.match(restored.stdout, /the hive migrates it forward/);
      const forward = runCli(["migrate", "--database", urlOf("forward")]);
      assert.equal(forward.status, 0, forward.stderr);
      assert.match(forward.stdout, /applied 2 migration\(s\)/);
    } finally {
      rmSync(older, { recursive: true, force: true });
    }
  });

  it("refuses a dump whose migrations no release made: one unknown before the last, or one skipped", () => {
    const release = mkdtempSync(join(tmpdir(), "keyforge-other-migrations-"));
    const shipped = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith(".sql"))
      .sort();
    try {
      // The dump's second migration is one this "release" does not ship.
      for (const file of shipped.filter((_, i) => i !== 1)) {
        copyFileSync(join(MIGRATIONS_DIR, file), join(release, file));
      }
      const unknown = script("restore.sh", ["latest", "--migrations", release], env);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /records migration\(s\) .* that no release ships/);
      // This "release" has one more migration, before the dump's last one.
      copyFileSync(join(MIGRATIONS_DIR, shipped[1] as string), join(release, shipped[1] as string));
      writeFileSync(join(release, `${shipped[1]?.slice(0, 4)}a_between.sql`), "SELECT 1;\n");
      const skipped = script("restore.sh", ["latest", "--migrations", release], env);
      assert.equal(skipped.status, 1);
      assert.match(
        skipped.stderr,
        /skips migration\(s\) \d{4}a_between that come before its last one/,
      );
    } finally {
      rmSync(release, { recursive: true, force: true });
    }
  });

  it("refuses what is not a backup, naming the problem", () => {
    const notDump = join(dir, "..", `${dir.split("/").at(-1)}-not-a-dump`);
    writeFileSync(notDump, "hello");
    const result = script("restore.sh", [notDump], env);
    rmSync(notDump);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /is not a pg_dump custom-format file/);
    assert.match(script("restore.sh", [], env).stderr, /usage: restore\.sh/);
  });
});
