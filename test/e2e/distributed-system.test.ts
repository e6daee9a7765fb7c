import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AssetCache } from "../../src/agent/asset-cache.ts";
import { ResultOutbox } from "../../src/agent/result-outbox.ts";
import { layoutFromText } from "../../src/core/layout.ts";
import { rescoreLayout } from "../../src/core/search/result-check.ts";
import { compileSearchModel } from "../../src/core/search/search-problem.ts";
import { HEARTBEAT_INTERVAL_SECONDS } from "../../src/hive/node-service.ts";
import type { Database } from "../../src/infra/db/database.ts";
import { type JobView, jobViewSchema } from "../../src/protocol/job-messages.ts";
import { jobProblem } from "../../src/protocol/job-problem.ts";
import { clusterSchema } from "../../src/protocol/node-messages.ts";
import { freshPostgres, TEST_DATABASE_URL } from "../helpers/databases.ts";
import { eventually } from "../helpers/eventually.ts";
import { type RunningCli, runCli, startCli, stopAll } from "../helpers/run-cli.ts";
import { IsolatedValkey, TEST_VALKEY_URL } from "../helpers/valkey.ts";

/**
 * The distributed system as it is deployed: two hives, one assets gateway and one assetmgr on
 * the machine's PostgreSQL and Redis, two agents, each a `keyforge` process of its own, and
 * the user's commands (`submit`, `watch`, `cancel`) run as a user would run them.
 */
describe("the distributed system end to end, every role a process of its own", () => {
  const valkey = new IsolatedValkey();
  const secret = `e2e-secret-${randomBytes(8).toString("hex")}`;
  const processes: RunningCli[] = [];
  let db: Database;
  let dropSchema: () => Promise<void>;
  let env: Record<string, string>;
  let hiveA: { cli: RunningCli; url: string };
  let hiveB: { cli: RunningCli; url: string };
  let assetsUrl: string;
  const agents: Record<"one" | "two", { cli: RunningCli; nodeId: string; dataDir: string }> =
    {} as never;

  /** Starts `keyforge <args>` (stopped by `after` whatever happens). */
  function start(args: string[], extraEnv: Record<string, string> = {}): RunningCli {
    const cli = startCli(args, { env: { ...env, ...extraEnv } });
    processes.push(cli);
    return cli;
  }

  async function startHive(): Promise<{ cli: RunningCli; url: string }> {
    const cli = start(["hive", "--port", "0", "--valkey", TEST_VALKEY_URL]);
    const [, url] = await cli.waitFor(/hive: listening on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
    return { cli, url: url as string };
  }

  /** An agent with one search thread, talking to `hiveUrl` only. */
  async function startAgent(name: "one" | "two", hiveUrl: string, dataDir: string) {
    const cli = start([
      "agent",
      ...["--hive", hiveUrl, "--assets", assetsUrl, "--data-dir", dataDir],
      ...["--threads", "1", "--priority", "normal", "--grace", "2", "--name", name],
    ]);
    const [, nodeId] = await cli.waitFor(/agent: node (\w+) registered/, 60_000);
    agents[name] = { cli, nodeId: nodeId as string, dataDir };
  }

  /** `keyforge <args>` run to its end as the user, against `hiveUrl`. */
  function client(args: string[], hiveUrl: string) {
    const result = runCli([...args, "--hive", hiveUrl], { env });
    assert.equal(result.status, 0, `keyforge ${args.join(" ")}: ${result.stderr}`);
    return result.stdout.trim();
  }

  async function submit(units: number, stepsPerUnit: number): Promise<string> {
    const id = client(
      [
        "submit",
        ...["--board", "corne", "--corpus", "en"],
        ...["--units", `${units}`, "--steps", `${stepsPerUnit}`, "--seed", `${randomInt(2 ** 31)}`],
      ],
      hiveA.url,
    );
    assert.match(id, /^[0-9a-f]{64}$/);
    return id;
  }

  const jobView = async (url: string, id: string): Promise<JobView> =>
    jobViewSchema.parse(await (await fetch(`${url}/jobs/${id}`)).json());

  /** Which node holds each leased unit of the job. */
  async function holders(jobId: string): Promise<Map<string, string>> {
    const { rows } = await db.query<{ id: string; node_id: string }>(
      "SELECT id, node_id FROM units WHERE job_id = $1 AND status = 'leased'",
      [jobId],
    );
    return new Map(rows.map((row) => [row.id, row.node_id]));
  }

  before(async () => {
    const store = await freshPostgres({ migrated: false });
    db = store.db;
    dropSchema = store.drop;
    env = {
      HIVE_SECRET: secret,
      DATABASE_URL: TEST_DATABASE_URL,
      KEYFORGE_DATABASE_SCHEMA: store.db.schema,
      KEYFORGE_VALKEY_URL: TEST_VALKEY_URL,
      KEYFORGE_VALKEY_PREFIX: valkey.prefix,
      KEYFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), "keyforge-e2e-user-")),
    };
    const assetmgr = start(["assetmgr", "--verify-interval", "60"]);
    const gateway = start(["assets", "--port", "0"]);
    [hiveA, hiveB] = await Promise.all([startHive(), startHive()]);
    await assetmgr.waitFor(/assetmgr: watching/, 60_000);
    const [, url] = await gateway.waitFor(/assets: listening on (http:\/\/127\.0\.0\.1:\d+)/);
    assetsUrl = url as string;
    // The user's key, made as an operator would; the hives have migrated the schema by now.
    const key = runCli(["admin", "key", "create", "--name", "e2e user"], { env });
    assert.equal(key.status, 0, key.stderr);
    env.KEYFORGE_API_KEY = key.stdout.trim();
    const dataDir = (name: string) => mkdtempSync(join(tmpdir(), `keyforge-e2e-agent-${name}-`));
    await Promise.all([
      startAgent("one", hiveA.url, dataDir("one")),
      startAgent("two", hiveB.url, dataDir("two")),
    ]);
  });

  after(async () => {
    await stopAll(processes);
    await valkey.close();
    await dropSchema();
  });

  it("completes a job submitted through one hive and watched through the other", async () => {
    const id = await submit(4, 150_000);
    const watched = runCli(["watch", id, "--hive", hiveB.url], { env });
    assert.equal(watched.status, 0, watched.stderr);
    const view = await jobView(hiveB.url, id);
    assert.equal(view.status, "completed");
    assert.equal(view.units.done, 4);
    assert.ok(view.best, "a best layout");
    assert.ok(watched.stdout.includes(view.best.layout.trimEnd()), "watch ends with the best");

    // The best layout, scored here from the assets the agents fetched, scores what the hive says.
    const cache = new AssetCache(assetsUrl, mkdtempSync(join(tmpdir(), "keyforge-e2e-assets-")));
    const problem = await jobProblem(view.content, (sha) => cache.read(sha));
    const layout = layoutFromText(view.best.layout, problem.board, "the job's best");
    assert.equal(rescoreLayout(compileSearchModel(problem), problem, layout), view.best.score);

    const { rows } = await db.query<{ node_id: string }>(
      "SELECT DISTINCT results.node_id FROM results JOIN units ON units.id = results.unit_id WHERE units.job_id = $1",
      [id],
    );
    assert.deepEqual(
      rows.map((row) => row.node_id).sort(),
      [agents.one.nodeId, agents.two.nodeId].sort(),
      "both agents worked on it",
    );
    const cluster = clusterSchema.parse(await (await fetch(`${hiveA.url}/cluster`)).json());
    assert.equal(cluster.liveNodes, 2);
  });

  it("gives the unit of an agent killed mid-unit to another, and the job completes", async () => {
    const id = await submit(2, 600_000);
    const held = await eventually(
      "both agents run a unit",
      async () => {
        const now = await holders(id);
        return now.size === 2 ? now : undefined;
      },
      30_000,
    );
    const victim = [...held].find(([, node]) => node === agents.one.nodeId)?.[0];
    assert.ok(victim, "agent one holds a unit");
    const killed = await agents.one.cli.stop("SIGKILL");
    assert.equal(killed.status, null, "killed, not exited");

    await eventually(
      "the job completes without agent one",
      async () => (await jobView(hiveB.url, id)).status === "completed",
      150_000,
    );
    const { rows } = await db.query<{ attempts: number; node_id: string; status: string }>(
      "SELECT attempts, node_id, status FROM units WHERE id = $1",
      [victim],
    );
    assert.deepEqual(rows[0], { attempts: 2, node_id: agents.two.nodeId, status: "done" });
    await startAgent("one", hiveA.url, agents.one.dataDir);
  });

  it("delivers, exactly once, the result a killed agent left in its outbox", async () => {
    // Agent two rests, so agent one takes the unit; then agent one's hive goes away, so the
    // result it computes waits in its outbox.
    assert.equal((await agents.two.cli.stop("SIGTERM")).status, 0);
    const id = await submit(1, 100_000);
    await eventually("agent one runs the unit", async () => (await holders(id)).size === 1, 30_000);
    assert.equal((await hiveA.cli.stop("SIGTERM")).status, 0);
    const outbox = new ResultOutbox(agents.one.dataDir);
    await eventually(
      "the result waits in the outbox",
      async () => (await outbox.pending()).length === 1,
      30_000,
    );
    await agents.one.cli.stop("SIGKILL");

    hiveA = await startHive();
    await startAgent("one", hiveA.url, agents.one.dataDir);
    await eventually(
      "the outbox is delivered",
      async () => (await outbox.pending()).length === 0,
      30_000,
    );
    const view = await jobView(hiveA.url, id);
    assert.equal(view.status, "completed");
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM results JOIN units ON units.id = results.unit_id WHERE units.job_id = $1",
      [id],
    );
    assert.equal(rows[0]?.n, 1, "one result stored");
    const deadLetters = existsSync(outbox.deadLetterFolder)
      ? readdirSync(outbox.deadLetterFolder)
      : [];
    assert.deepEqual(deadLetters, [], "nothing refused");
    await startAgent("two", hiveB.url, agents.two.dataDir);
  });

  it("stops a cancelled job's units on the agents within one heartbeat interval", async () => {
    const id = await submit(2, 50_000_000_000);
    await eventually("both agents run a unit", async () => (await holders(id)).size === 2, 30_000);
    client(["cancel", id], hiveB.url);
    // The next heartbeat's answer carries the abort: one interval, and a little for the call.
    const withinAHeartbeat = (HEARTBEAT_INTERVAL_SECONDS + 3) * 1000;
    const aborted = new RegExp(`agent: aborting unit ${id}`);
    await Promise.all([
      agents.one.cli.waitFor(aborted, withinAHeartbeat),
      agents.two.cli.waitFor(aborted, withinAHeartbeat),
    ]);
    assert.equal((await jobView(hiveA.url, id)).status, "cancelled");
  });
});
