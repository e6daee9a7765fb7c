import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Valkey } from "iovalkey";
import { type JobView, jobViewSchema } from "../../src/protocol/job-messages.ts";
import { eventually } from "../helpers/eventually.ts";
import { freePort } from "../helpers/free-port.ts";
import { PrivatePostgres } from "../helpers/private-postgres.ts";
import { REPO_ROOT, type RunningCli, runCli, startCli } from "../helpers/run-cli.ts";
import { PrivateRedis } from "../helpers/valkey.ts";

const RUNBOOK = join(REPO_ROOT, "docs", "operations", "disaster-recovery.md");

/** The commands of the runbook's block marked `<!-- drill: restore -->`, as one shell script. */
function runbookRestoreCommands(): string {
  const text = readFileSync(RUNBOOK, "utf8");
  const block = /<!-- drill: restore -->\n```sh\n([\s\S]*?)```/.exec(text)?.[1];
  assert.ok(block, `a block marked <!-- drill: restore --> in ${RUNBOOK}`);
  return block;
}

/** A job's rows, as they are stored: the job, its units and its results, in a stable order. */
async function rowsOfJob(postgres: PrivatePostgres, jobId: string) {
  const quoted = `'${jobId.replace(/[^0-9a-f]/g, "")}'`;
  const select = (sql: string) => postgres.sql(sql, "keyforge").then((result) => result.rows);
  return {
    job: await select(`SELECT * FROM jobs WHERE id = ${quoted}`),
    units: await select(`SELECT * FROM units WHERE job_id = ${quoted} ORDER BY id`),
    results: await select(
      `SELECT results.* FROM results JOIN units ON units.id = results.unit_id WHERE units.job_id = ${quoted} ORDER BY results.unit_id`,
    ),
  };
}

/**
 * The disaster-recovery drill of docs/operations/disaster-recovery.md: a stack on a PostgreSQL
 * cluster and a Redis server of its own, backed up with the backup service's script, destroyed,
 * and recovered by the runbook's commands; the recovery time is measured and printed.
 */
describe("disaster recovery: back up, lose the database and Valkey, restore by the runbook", () => {
  const secret = `drill-secret-${randomBytes(8).toString("hex")}`;
  const running = new Set<RunningCli>();
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let backupDir: string;
  let agentDir: string;
  let env: Record<string, string>;
  let hiveUrl: string;
  let assetsUrl: string;
  let hive: RunningCli;
  let agent: RunningCli;

  function start(args: string[]): RunningCli {
    const cli = startCli(args, { env });
    running.add(cli);
    return cli;
  }

  async function stop(cli: RunningCli): Promise<void> {
    const stopped = await Promise.race([cli.stop("SIGTERM"), sleep(20_000, null)]);
    if (stopped === null) await cli.stop("SIGKILL");
    running.delete(cli);
  }

  /** Starts the stack's processes (on fixed ports, as the stack has them); resolves once each is up. */
  async function startStack(): Promise<void> {
    const assetmgr = start(["assetmgr", "--verify-interval", "60"]);
    const assets = start(["assets", "--port", new URL(assetsUrl).port]);
    hive = start(["hive", "--port", new URL(hiveUrl).port]);
    await Promise.all([
      hive.waitFor(/hive: listening on/, 120_000),
      assets.waitFor(/assets: listening on/, 60_000),
      assetmgr.waitFor(/assetmgr: watching/, 120_000),
    ]);
  }

  function startAgent(): RunningCli {
    agent = start([
      "agent",
      ...["--hive", hiveUrl, "--assets", assetsUrl, "--data-dir", agentDir],
      ...["--threads", "1", "--priority", "normal", "--grace", "2", "--name", "drill"],
    ]);
    return agent;
  }

  function submit(units: number, steps: number): string {
    const result = runCli(
      [
        "submit",
        ...["--board", "corne", "--corpus", "en", "--hive", hiveUrl],
        ...["--units", `${units}`, "--steps", `${steps}`, "--seed", `${randomInt(2 ** 31)}`],
      ],
      { env },
    );
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
  }

  const jobView = async (id: string): Promise<JobView> =>
    jobViewSchema.parse(await (await fetch(`${hiveUrl}/jobs/${id}`)).json());

  /** The manifest's paths and hashes (not the upload times, which a new upload changes). */
  async function manifest(): Promise<{ path: string; sha256: string }[] | undefined> {
    const response = await fetch(`${assetsUrl}/manifest`).catch(() => undefined);
    if (!response?.ok) return undefined;
    const entries = (await response.json()) as { path: string; sha256: string }[];
    return entries.map(({ path, sha256 }) => ({ path, sha256 }));
  }

  const unitsDone = async (jobId: string) =>
    Number(
      (
        await postgres.sql(
          `SELECT count(*) AS n FROM units WHERE job_id = '${jobId}' AND status = 'done'`,
          "keyforge",
        )
      ).rows[0]?.n,
    );

  before(async () => {
    [postgres, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
    await postgres.sql("CREATE DATABASE keyforge");
    backupDir = mkdtempSync(join(tmpdir(), "keyforge-drill-backups-"));
    agentDir = mkdtempSync(join(tmpdir(), "keyforge-drill-agent-"));
    hiveUrl = `http://127.0.0.1:${await freePort()}`;
    assetsUrl = `http://127.0.0.1:${await freePort()}`;
    env = {
      HIVE_SECRET: secret,
      DATABASE_URL: postgres.url("keyforge"),
      KEYFORGE_VALKEY_URL: redis.url,
      KEYFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), "keyforge-drill-user-")),
      KEYFORGE_HIVE_URL: hiveUrl,
      KEYFORGE_ASSETS_URL: assetsUrl,
    };
  });

  after(async () => {
    await Promise.all([...running].map(stop));
    await Promise.all([postgres?.stop(), redis?.stop()]);
    for (const dir of [backupDir, agentDir, env?.KEYFORGE_DATA_DIR]) {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it("recovers every accepted result, resumes the half-done job and serves the assets again", async () => {
    // 1. A stack at work: one job completed, a second one half done.
    await startStack();
    const key = runCli(["admin", "key", "create", "--name", "drill user"], { env });
    assert.equal(key.status, 0, key.stderr);
    env.KEYFORGE_API_KEY = key.stdout.trim();
    await startAgent().waitFor(/agent: node \w+ registered/, 120_000);
    const completed = submit(2, 100_000);
    await eventually(
      "the first job completes",
      async () => (await jobView(completed)).status === "completed",
      180_000,
    );
    const halfDone = submit(6, 200_000);
    await eventually(
      "a unit of the second job is done",
      async () => (await unitsDone(halfDone)) >= 1,
      180_000,
    );
    // The agent stops (its running unit finishes or goes back): the rest wait in the queue.
    await stop(agent);
    const doneAtBackup = await unitsDone(halfDone);
    assert.ok(doneAtBackup >= 1 && doneAtBackup < 6, `half done (${doneAtBackup} of 6 units)`);
    const assetsBefore = await manifest();
    assert.ok(assetsBefore && assetsBefore.length > 0, "assets served");

    // 2. The backup, by the backup service's own script.
    const backup = spawnSync("sh", [join(REPO_ROOT, "deploy", "backup", "backup.sh"), "--once"], {
      encoding: "utf8",
      env: { PATH: postgres.path, BACKUP_DIR: backupDir, DATABASE_URL: env.DATABASE_URL as string },
    });
    assert.equal(backup.status, 0, backup.stderr);
    const completedRows = await rowsOfJob(postgres, completed);
    const halfDoneRows = await rowsOfJob(postgres, halfDone);
    assert.equal(completedRows.results.length, 2);
    assert.equal(halfDoneRows.results.length, doneAtBackup);

    // 3. Disaster: every process gone, the database dropped, Valkey emptied.
    await Promise.all([...running].map(stop));
    await postgres.sql("DROP DATABASE keyforge WITH (FORCE)");
    const valkey = new Valkey(redis.url);
    await valkey.flushall();
    valkey.disconnect();

    // 4. Recovery by the runbook: create, restore, start the stack.
    const started = performance.now();
    const restore = spawnSync("sh", ["-eu", "-c", runbookRestoreCommands()], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: {
        PATH: postgres.path,
        PGHOST: "127.0.0.1",
        PGPORT: String(postgres.port),
        PGUSER: "postgres",
        BACKUP_DIR: backupDir,
      },
    });
    assert.equal(restore.status, 0, `${restore.stdout}${restore.stderr}`);
    const restored = performance.now();
    await startStack();
    startAgent();
    const healthy = eventually(
      "the hive's /health says ok",
      async () => {
        const response = await fetch(`${hiveUrl}/health`).catch(() => undefined);
        const health = response?.ok ? ((await response.json()) as { status: string }) : undefined;
        return health?.status === "ok" ? performance.now() : undefined;
      },
      120_000,
    );
    const firstLease = agent
      .waitFor(/agent: unit \S+ started/, 180_000)
      .then(() => performance.now());
    const [healthyAt, leasedAt] = await Promise.all([healthy, firstLease]);
    const seconds = (at: number) => ((at - started) / 1000).toFixed(1);
    console.log(
      `disaster recovery: restore ${seconds(restored)} s, /health ok ${seconds(healthyAt)} s, first lease ${seconds(leasedAt)} s (from the start of the recovery)`,
    );

    // 5. Nothing lost, nothing twice, work goes on.
    assert.deepEqual(await rowsOfJob(postgres, completed), completedRows, "the completed job");
    await eventually(
      "the half-done job completes",
      async () => (await jobView(halfDone)).status === "completed",
      300_000,
    );
    const after = await rowsOfJob(postgres, halfDone);
    assert.deepEqual(
      after.units.map((unit) => unit.status),
      Array(6).fill("done"),
    );
    assert.deepEqual(
      after.results.map((result) => result.unit_id),
      after.units.map((unit) => unit.id),
      "exactly one result per unit",
    );
    for (const result of halfDoneRows.results) {
      assert.deepEqual(
        after.results.find((row) => row.unit_id === result.unit_id),
        result,
        "a result accepted before the backup is unchanged",
      );
    }
    assert.deepEqual(await rowsOfJob(postgres, completed), completedRows, "still the same");
    assert.deepEqual(
      await eventually("the assets are served again", manifest, 60_000),
      assetsBefore,
      "the same assets, the same contents",
    );
  });
});
