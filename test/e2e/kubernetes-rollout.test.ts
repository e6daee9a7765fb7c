import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ResultOutbox } from "../../src/agent/result-outbox.ts";
import type { Database } from "../../src/infra/db/database.ts";
import { MIGRATIONS_TABLE, migrate } from "../../src/infra/db/migration-runner.ts";
import { freshPostgres, TEST_DATABASE_URL } from "../helpers/databases.ts";
import { eventually } from "../helpers/eventually.ts";
import { freePort } from "../helpers/free-port.ts";
import {
  assertCleanFailure,
  type CliResult,
  REPO_ROOT,
  type RunningCli,
  runCli,
  startCli,
  stopAll,
} from "../helpers/run-cli.ts";
import { ProbedService } from "../helpers/service-endpoints.ts";
import { IsolatedValkey, TEST_VALKEY_URL } from "../helpers/valkey.ts";

/** hive.yaml's readinessProbe, its period scaled down from 5 s. */
const READINESS_PROBE = { path: "/health", periodMs: 500, timeoutMs: 4000, failureThreshold: 2 };
/** hive.yaml's minReadySeconds (10) and preStop sleep (5 s), scaled down. */
const MIN_READY_MS = 1000;
const PRE_STOP_MS = 1000;
/** hive.yaml's terminationGracePeriodSeconds, as it is. */
const TERMINATION_GRACE_MS = 40_000;
/** The kubelet's wait before restarting a crashed container (10 s at first), scaled down. */
const CRASH_BACKOFF_MS = 1000;
/** Runs of the crash-looping container the drill watches. */
const CRASH_RUNS = 2;

/**
 * The drill's job: each unit takes an agent thread seconds, and there are units enough to keep
 * the agents busy from before the rollout until well after it (the phases are checked, not timed).
 */
const UNITS = 30;
const STEPS_PER_UNIT = 150_000;
/** Jobs of this name: two of them are what the failing migration trips on. */
const JOB_NAME = "kubernetes rollout drill";

/** The release's migration that fails on the drill's data (two jobs of one name). */
const FAILING_MIGRATION = "0009_jobs_unique_names";

/** `running`'s outcome, or undefined once `ms` have passed (a wait that keeps nothing alive). */
const within = <T>(running: Promise<T>, ms: number) =>
  Promise.race([running, sleep(ms, undefined, { ref: false })]);

/** A figure the drill measured. */
const report = (line: string) => console.log(`drill: ${line}`);

/**
 * deploy/kubernetes/base/hive.yaml and agent.yaml on loopback, without a cluster: the same
 * `keyforge` processes driven as the Deployment controller, the kubelet's probes and the
 * Service would drive them. Two hive pods behind a Service whose endpoints are the pods its
 * readiness prober sees Ready, agents reaching the hive only through it, one PostgreSQL schema
 * and one Redis. The hives are replaced by a RollingUpdate (maxSurge 1, maxUnavailable 0) while
 * the agents work through a job, a third agent is added meanwhile (`kubectl scale`), and then
 * a release whose new migration fails on the data crash-loops without ever becoming Ready
 * while the pods of the current release serve on.
 */
describe("the Kubernetes manifests' rollout on loopback: hive pods behind a probed Service", () => {
  const valkey = new IsolatedValkey();
  const processes: RunningCli[] = [];
  /** Temporary folders, removed at the end. */
  const folders: string[] = [];
  /** The hive pods running, by name. */
  const pods = new Map<string, RunningCli>();
  const agents = new Map<string, { nodeId: string; dataDir: string }>();
  let service: ProbedService;
  let db: Database;
  let dropSchema: () => Promise<void>;
  /** The hive pods' environment (hive.yaml's secrets and settings, as files where it has files). */
  let hiveEnv: Record<string, string>;
  let apiKey: string;
  let joinTokenFile: string;
  let assetsUrl: string;
  let jobId: string;

  function folder(prefix: string): string {
    const made = mkdtempSync(join(tmpdir(), `keyforge-k8s-${prefix}-`));
    folders.push(made);
    return made;
  }

  /** Starts `keyforge <args>` (stopped by `after` whatever happens). */
  function start(
    args: string[],
    env: Record<string, string>,
    options: { main?: string } = {},
  ): RunningCli {
    const cli = startCli(args, { env, ...options });
    processes.push(cli);
    return cli;
  }

  /** `keyforge <args>` run by the operator (`kubectl exec deploy/hive -- ...`). */
  function operator(args: string[]): string {
    const result = runCli(args, { env: hiveEnv });
    assert.equal(result.status, 0, `keyforge ${args.join(" ")}: ${result.stderr}`);
    return result.stdout.trim();
  }

  /** A new pod of the hive Deployment: selected by the Service, listening on $PORT once migrated. */
  async function startHivePod(name: string): Promise<void> {
    const port = await freePort();
    const cli = start(["hive"], { ...hiveEnv, PORT: String(port) });
    pods.set(name, cli);
    service.add(name, port);
    await cli.waitFor(/hive: listening on/, 60_000);
  }

  /** Ready, and Ready without a break for minReadySeconds: the pod counts as available. */
  async function waitAvailable(name: string): Promise<void> {
    await eventually(
      `pod ${name} to be available`,
      () => (service.readyForMs(name) ?? 0) >= MIN_READY_MS,
      60_000,
    );
  }

  /**
   * Terminates a pod as the kubelet does: out of the endpoints, preStop, SIGTERM; the seconds
   * from SIGTERM to its exit.
   */
  async function terminateHivePod(name: string): Promise<number> {
    const pod = pods.get(name);
    assert.ok(pod, `pod ${name} runs`);
    service.remove(name);
    await sleep(PRE_STOP_MS);
    const signalled = Date.now();
    const stopped = await within(pod.stop("SIGTERM"), TERMINATION_GRACE_MS);
    assert.ok(stopped, `pod ${name} exited within terminationGracePeriodSeconds`);
    assert.equal(stopped.status, 0, `pod ${name} exited 0 on SIGTERM:\n${stopped.stderr}`);
    pods.delete(name);
    return (Date.now() - signalled) / 1000;
  }

  /** A pod of the agent Deployment: one thread, the join token of its Secret, the Service's URL. */
  async function startAgentPod(name: string): Promise<void> {
    const dataDir = join(folder(name), "agent");
    const cli = start(
      [
        "agent",
        ...["--hive", service.url, "--assets", assetsUrl, "--data-dir", dataDir],
        ...["--threads", "1", "--priority", "normal", "--grace", "2", "--name", name],
      ],
      { KEYFORGE_JOIN_TOKEN_FILE: joinTokenFile },
    );
    const [, nodeId] = await cli.waitFor(/agent: node (\w+) registered/, 90_000);
    agents.set(name, { nodeId: nodeId as string, dataDir });
  }

  /** `keyforge submit` through the Service, as a user would; the job's id. */
  async function submit(units: number): Promise<string> {
    const submitted = await start(
      [
        "submit",
        ...["--hive", service.url, "--board", "corne", "--corpus", "en", "--name", JOB_NAME],
        ...["--units", String(units), "--steps", String(STEPS_PER_UNIT)],
        ...["--seed", String(randomInt(2 ** 31))],
      ],
      { KEYFORGE_API_KEY: apiKey },
    ).exited();
    assert.equal(submitted.status, 0, submitted.stderr);
    return submitted.stdout.trim();
  }

  async function doneUnits(): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM units WHERE job_id = $1 AND status = 'done'",
      [jobId],
    );
    return rows[0]?.n ?? 0;
  }

  async function completed(id: string): Promise<boolean> {
    const { rows } = await db.query<{ status: string }>("SELECT status FROM jobs WHERE id = $1", [
      id,
    ]);
    assert.notEqual(rows[0]?.status, "failed", `job ${id} failed`);
    return rows[0]?.status === "completed";
  }

  /** The schema as the current release sees it: applied migrations, columns, indexes, constraints. */
  async function schemaNow(): Promise<unknown[]> {
    const queries = [
      `SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`,
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = $1 ORDER BY table_name, column_name`,
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname",
      `SELECT conname, pg_get_constraintdef(c.oid) AS definition FROM pg_constraint AS c
         JOIN pg_namespace AS n ON n.oid = c.connamespace WHERE n.nspname = $1 ORDER BY conname`,
    ];
    const snapshots = [];
    for (const [k, text] of queries.entries()) {
      snapshots.push((await db.query(text, k === 0 ? [] : [db.schema])).rows);
    }
    return snapshots;
  }

  /**
   * The next release as its image would hold it: this release's sources and migrations, plus
   * `migration`, run from source with this checkout's dependencies and data.
   */
  function nextRelease(migration: string, sql: string): string {
    const release = folder("next-release");
    for (const part of ["src", "migrations", "package.json"]) {
      cpSync(join(REPO_ROOT, part), join(release, part), { recursive: true });
    }
    for (const part of ["node_modules", "data"]) {
      symlinkSync(join(REPO_ROOT, part), join(release, part), "dir");
    }
    writeFileSync(join(release, "migrations", `${migration}.sql`), sql);
    return release;
  }

  before(
    async () => {
      const store = await freshPostgres({ migrated: false });
      db = store.db;
      dropSchema = store.drop;
      const secrets = folder("secrets");
      writeFileSync(join(secrets, "hive-secret"), `${randomBytes(32).toString("hex")}\n`, {
        mode: 0o600,
      });
      hiveEnv = {
        DATABASE_URL: TEST_DATABASE_URL,
        KEYFORGE_DATABASE_SCHEMA: store.db.schema,
        KEYFORGE_VALKEY_URL: TEST_VALKEY_URL,
        KEYFORGE_VALKEY_PREFIX: valkey.prefix,
        HIVE_SECRET_FILE: join(secrets, "hive-secret"),
        KEYFORGE_DATA_DIR: folder("hive-data"),
      };
      service = await ProbedService.start(READINESS_PROBE);
      const assetmgr = start(["assetmgr", "--verify-interval", "60"], hiveEnv);
      const gateway = start(["assets", "--port", "0"], hiveEnv);
      await Promise.all([startHivePod("hive-r1-a"), startHivePod("hive-r1-b")]);
      await assetmgr.waitFor(/assetmgr: watching/, 60_000);
      const [, url] = await gateway.waitFor(/assets: listening on (http:\/\/127\.0\.0\.1:\d+)/);
      assetsUrl = url as string;
      // The README's steps after `kubectl apply`: a join token for the agents' Secret, a key.
      joinTokenFile = join(secrets, "join-token");
      writeFileSync(
        joinTokenFile,
        `${operator(["admin", "join-token", "create", "--name", "kubernetes-agents", "--uses", "10"])}\n`,
        { mode: 0o600 },
      );
      apiKey = operator(["admin", "key", "create", "--name", "drill user"]);
      await Promise.all([waitAvailable("hive-r1-a"), waitAvailable("hive-r1-b")]);
      await Promise.all([startAgentPod("agent-a"), startAgentPod("agent-b")]);
    },
    { timeout: 180_000 },
  );

  after(async () => {
    await stopAll(processes);
    await service?.close();
    await valkey.close();
    await dropSchema?.();
    for (const made of folders) rmSync(made, { recursive: true, force: true });
  });

  it("replaces every hive pod under load, scaled out meanwhile, with no failed unit and no lost result", {
    timeout: 240_000,
  }, async () => {
    jobId = await submit(UNITS);
    const doneAt = [
      await eventually("a unit is done", async () => (await doneUnits()) || undefined, 60_000),
    ];

    // `kubectl rollout restart deployment/hive`, and `kubectl scale deployment/agent
    // --replicas=3` while it runs.
    const rolloutStarted = Date.now();
    const scaledOut = startAgentPod("agent-c");
    // Awaited once the rollout is over: a failure meanwhile is not unhandled.
    scaledOut.catch(() => {});
    const stopSeconds: number[] = [];
    for (const [old, next] of [
      ["hive-r1-a", "hive-r2-a"],
      ["hive-r1-b", "hive-r2-b"],
    ] as const) {
      // maxSurge 1: one new pod first; maxUnavailable 0: an old one goes once it is available.
      await startHivePod(next);
      await waitAvailable(next);
      stopSeconds.push(await terminateHivePod(old));
    }
    const rolloutSeconds = (Date.now() - rolloutStarted) / 1000;
    const fewestReady = service.fewestReadySince(rolloutStarted);
    doneAt.push(await doneUnits());
    await scaledOut;

    await eventually("the job completes", () => completed(jobId), 180_000);
    doneAt.push(await doneUnits());
    for (let phase = 1; phase < doneAt.length; phase++) {
      assert.ok(
        (doneAt[phase] as number) > (doneAt[phase - 1] as number),
        `units were done ${["during", "after"][phase - 1]} the rollout: ${doneAt.join(" < ")}`,
      );
    }
    assert.ok(fewestReady >= 1, "the Service had a Ready endpoint at every moment of the rollout");
    assert.deepEqual(service.readyPods().sort(), ["hive-r2-a", "hive-r2-b"]);

    const { rows: units } = await db.query<{ status: string; results: number; attempts: number }>(
      `SELECT u.status, count(r.id)::int AS results, u.attempts
         FROM units AS u LEFT JOIN results AS r ON r.unit_id = u.id
        WHERE u.job_id = $1 GROUP BY u.id ORDER BY u.position`,
      [jobId],
    );
    assert.equal(units.length, UNITS);
    assert.deepEqual(
      units.filter((unit) => unit.status !== "done" || unit.results !== 1),
      [],
      "every unit done (none failed), each with exactly one accepted result",
    );
    const leasedAgain = units.filter((unit) => unit.attempts > 1).length;

    const scaled = agents.get("agent-c");
    assert.ok(scaled, "the agent added by scaling out registered");
    const { rows: byScaled } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM results WHERE job_id = $1 AND node_id = $2",
      [jobId, scaled.nodeId],
    );
    assert.ok((byScaled[0]?.n ?? 0) > 0, "the agent added by scaling out did units of the job");

    for (const [name, agent] of agents) {
      const outbox = new ResultOutbox(agent.dataDir);
      // The hive accepted every result; the agent forgets each once it has the answer.
      await eventually(`agent ${name}'s outbox to be empty`, async () => {
        return (await outbox.pending()).length === 0;
      });
      const deadLetters = existsSync(outbox.deadLetterFolder)
        ? readdirSync(outbox.deadLetterFolder)
        : [];
      assert.deepEqual(deadLetters, [], `agent ${name} dead-lettered nothing`);
    }
    const connections = ["hive-r1-a", "hive-r1-b", "hive-r2-a", "hive-r2-b"]
      .map((pod) => `${pod} ${service.probesOf(pod).connections}`)
      .join(", ");
    report(
      `hive RollingUpdate (maxSurge 1, maxUnavailable 0, minReadySeconds ${MIN_READY_MS / 1000}, preStop ${PRE_STOP_MS / 1000} s) of 2 pods under load: ${rolloutSeconds.toFixed(1)} s; old pods exited 0 ${stopSeconds.map((s) => s.toFixed(1)).join(" s and ")} s after SIGTERM; fewest Ready endpoints ${fewestReady}, ${service.refused} connections refused; connections per pod: ${connections}`,
    );
    report(
      `units of the ${UNITS}-unit job done: ${doneAt[0]} before the rollout, ${(doneAt[1] as number) - (doneAt[0] as number)} during it, ${(doneAt[2] as number) - (doneAt[1] as number)} after it; ${leasedAgain} leased again, 0 failed, 0 dead letters; the agent added by scaling out did ${byScaled[0]?.n}`,
    );
  });

  it("crash-loops a new release whose migration fails on the data, while the current pods serve", {
    timeout: 120_000,
  }, async () => {
    // A second job of the first one's name: data the next release's migration trips on.
    const sameName = await submit(2);
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    const release = nextRelease(
      FAILING_MIGRATION,
      [
        `-- keyforge:release ${version}`,
        "-- A job's name names one job.",
        "CREATE UNIQUE INDEX jobs_by_name ON jobs (name);",
        "",
      ].join("\n"),
    );
    // On an empty database (a developer's, CI's) the new release migrates.
    const empty = await freshPostgres({ migrated: false });
    try {
      const applied = await migrate(empty.db, { dir: join(release, "migrations") });
      assert.equal(applied.at(-1), FAILING_MIGRATION);
    } finally {
      await empty.drop();
    }

    // `kubectl set image deployment/hive ...`: one new pod (maxSurge 1), its container
    // restarted by the kubelet each time it exits.
    const schemaBefore = await schemaNow();
    const crashStarted = Date.now();
    const pod = "hive-r3-a";
    const port = await freePort();
    service.add(pod, port);
    let served: Promise<string> | undefined;
    const runs: CliResult[] = [];
    for (let restart = 0; restart < CRASH_RUNS; restart++) {
      const container = start(
        ["hive"],
        { ...hiveEnv, PORT: String(port) },
        { main: join(release, "src", "cli", "main.ts") },
      );
      // Users go on submitting through the Service meanwhile.
      if (served === undefined) {
        served = submit(3);
        served.catch(() => {});
      }
      const exited = await within(container.exited(), 60_000);
      assert.ok(exited, "the new release's hive stopped by itself");
      runs.push(exited);
      await sleep(CRASH_BACKOFF_MS);
    }
    const probes = service.probesOf(pod);
    // `kubectl rollout undo`: the pod goes, the rollout ends where it stalled.
    service.remove(pod);
    const servedJob = await (served as Promise<string>);
    await eventually(
      "the job submitted during the crash loop completes",
      () => completed(servedJob),
      60_000,
    );
    await eventually(
      "the second job of the same name completes",
      () => completed(sameName),
      60_000,
    );

    for (const run of runs) {
      assertCleanFailure(run, new RegExp(`migration ${FAILING_MIGRATION} failed: .*unique`));
      assert.match(run.stderr, /no migration of this run was applied/);
      assert.doesNotMatch(run.stderr, /listening/, "the new release never listened");
    }
    assert.ok(probes.sent >= CRASH_RUNS, `the prober probed the new pod (${probes.sent} probes)`);
    assert.equal(probes.answered, 0, "the new pod's port never answered the prober");
    assert.equal(probes.everReady, false, "the new pod never became Ready");
    assert.equal(probes.connections, 0, "the Service never sent it a connection");
    const fewestReady = service.fewestReadySince(crashStarted);
    assert.ok(fewestReady >= 1, "the current pods stayed Ready all along");
    assert.deepEqual(service.readyPods().sort(), ["hive-r2-a", "hive-r2-b"]);
    const schemaAfter = await schemaNow();
    assert.ok(
      !(schemaAfter[0] as { name: string }[]).some(({ name }) => name === FAILING_MIGRATION),
      `${MIGRATIONS_TABLE} has no ${FAILING_MIGRATION}`,
    );
    assert.deepEqual(schemaAfter, schemaBefore, "the schema is as it was");
    report(
      `a release whose migration fails: ${CRASH_RUNS} runs, each exited 1 naming ${FAILING_MIGRATION}, ${probes.sent} readiness probes unanswered, never Ready; fewest Ready endpoints meanwhile ${fewestReady}, a job submitted through the Service completed`,
    );
  });
});
