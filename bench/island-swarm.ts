import { type ChildProcess, fork, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Valkey } from "iovalkey";
import pg from "pg";
import { AssetPublisher } from "../src/assetmgr/asset-publisher.ts";
import { formatLayout, type Layout } from "../src/core/layout.ts";
import { rescoreLayout } from "../src/core/search/result-check.ts";
import { compileSearchModel } from "../src/core/search/search-problem.ts";
import { AssetCatalog } from "../src/hive/asset-catalog.ts";
import { ApiKeyRepository } from "../src/infra/db/api-key-repository.ts";
import { PostgresDatabase } from "../src/infra/db/postgres-database.ts";
import { SYSTEM_DATA_DIR } from "../src/infra/system-data.ts";
import type { JobView } from "../src/protocol/job-messages.ts";
import { jobProblem } from "../src/protocol/job-problem.ts";
import { TEST_DATABASE_URL } from "../test/helpers/databases.ts";
import { HIVE_SECRET } from "../test/helpers/hive.ts";
import { IsolatedValkey, TEST_VALKEY_URL } from "../test/helpers/valkey.ts";
import type {
  FromSwarmAgents,
  PoolLayout,
  RequestKind,
  SwarmFigures,
  ToSwarmAgents,
} from "./island-swarm-agents.ts";
import { percentile } from "./post-json.ts";

/**
 * `npm run bench:swarm`: one hive instance (`keyforge hive`, a child process, so that its CPU
 * is its own) on a fresh PostgreSQL database and the machine's Redis (keys under a prefix of
 * its own), one time-budgeted job on corne, and BENCH_SWARM_AGENTS (default 200) simulated
 * agents in BENCH_SWARM_PROCESSES (default 2) load processes (island-swarm-agents.ts). Every
 * agent leases one unit as an island, heartbeats every 5 s with its unit's best (the layout
 * when it improved), adopts the migrants the hive answers, and after BENCH_SWARM_UNIT_SECONDS
 * (default 60) hands in a signed result and leases its next unit, for BENCH_SWARM_SECONDS
 * (default 120). Prints each request kind's rate and latency, and the hive's CPU and memory,
 * PostgreSQL's writes, Redis's commands and the other processes' CPU over the steady part.
 */
const AGENTS = fileURLToPath(new URL("./island-swarm-agents.ts", import.meta.url));
const MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const agentCount = Number(process.env.BENCH_SWARM_AGENTS ?? 200);
const seconds = Number(process.env.BENCH_SWARM_SECONDS ?? 120);
const unitSeconds = Number(process.env.BENCH_SWARM_UNIT_SECONDS ?? 60);
const processCount = Number(process.env.BENCH_SWARM_PROCESSES ?? 2);
const HEARTBEAT_SECONDS = 5;
/** The first seconds (registration done, agents starting one by one) are left out of the rates. */
const WARMUP_SECONDS = Math.min(10, seconds / 4);
/** Seconds the hive is watched idle, agents registered, before the run. */
const IDLE_SECONDS = 10;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PAGE_BYTES = 4096;

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => process.exit(130));
}

// --- /proc readings ---------------------------------------------------------------------

/** CPU ticks (user + system) and resident bytes of a process, or null once it is gone. */
function processStat(pid: number): { ticks: number; rss: number; comm: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const fields = text.slice(close + 2).split(" ");
    return {
      comm: text.slice(text.indexOf("(") + 1, close),
      ticks: Number(fields[11]) + Number(fields[12]),
      rss: Number(fields[21]) * PAGE_BYTES,
    };
  } catch {
    return null;
  }
}

interface ProcessTicks {
  readonly comm: string;
  readonly ticks: number;
}

/** CPU ticks of every process on the machine, by pid. */
function everyProcess(): Map<number, ProcessTicks> {
  const found = new Map<number, ProcessTicks>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = processStat(Number(entry));
    if (stat) found.set(Number(entry), { comm: stat.comm, ticks: stat.ticks });
  }
  return found;
}

/** A process's command line, shortened, or its name once it is gone. */
function commandOf(pid: number, comm: string): string {
  try {
    const line = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    return (line || comm).replace(/\/work\/main\//g, "").slice(0, 90);
  } catch {
    return comm;
  }
}

/** The machine's busy and steal ticks over all cores (/proc/stat). */
function machineTicks(): { busy: number; steal: number } {
  const [, ...fields] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").split(/\s+/);
  const t = fields.filter((f) => f !== "").map(Number);
  const idle = (t[3] ?? 0) + (t[4] ?? 0);
  return { busy: t.slice(0, 8).reduce((sum, x) => sum + x, 0) - idle, steal: t[7] ?? 0 };
}

// --- the stores ---------------------------------------------------------------------------

const adminUrl = TEST_DATABASE_URL;
const databaseName = `keyforge_swarm_${randomBytes(4).toString("hex")}`;
const databaseUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${databaseName}`;
  return url.href;
})();

async function adminQuery<Row extends pg.QueryResultRow>(
  text: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query<Row>(text, params)).rows;
  } finally {
    await client.end();
  }
}

interface StoreMark {
  readonly xacts: number;
  readonly tuples: number;
  readonly walBytes: number;
  readonly redisCommands: number;
}

async function storeMark(redis: Valkey): Promise<StoreMark> {
  const [row] = await adminQuery<{ xacts: string; tuples: string; wal: string }>(
    `SELECT xact_commit AS xacts, tup_inserted + tup_updated + tup_deleted AS tuples,
       pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS wal
     FROM pg_stat_database WHERE datname = $1`,
    [databaseName],
  );
  const stats = await redis.info("stats");
  const commands = /total_commands_processed:(\d+)/.exec(stats)?.[1];
  return {
    xacts: Number(row?.xacts ?? 0),
    tuples: Number(row?.tuples ?? 0),
    walBytes: Number(row?.wal ?? 0),
    redisCommands: Number(commands ?? 0),
  };
}

// --- the hive -----------------------------------------------------------------------------

interface HiveLog {
  lines: number;
  warnings: string[];
}

/** Starts `keyforge hive` and resolves with its URL once it listens. */
function startHive(prefix: string, log: HiveLog): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      MAIN,
      "hive",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--database",
      databaseUrl,
      "--valkey",
      TEST_VALKEY_URL,
      "--log-format",
      "json",
      // The agents all come from 127.0.0.1; each node token's own limit stays counted.
      "--rate-limit-client",
      "0",
    ],
    {
      env: { ...process.env, HIVE_SECRET, KEYFORGE_VALKEY_PREFIX: prefix },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.add(child);
  return new Promise((resolve, reject) => {
    const onLine = (line: string) => {
      if (line === "") return;
      log.lines++;
      const listening = /listening on (http:\/\/\S+)/.exec(line);
      if (listening?.[1]) resolve({ child, base: listening[1].replace(/\/$/, "") });
      let level = 50;
      try {
        level = (JSON.parse(line) as { level?: number }).level ?? 50;
      } catch {
        // Not a log line: kept unless it is the listening line.
        if (listening) level = 0;
      }
      if (level >= 40) log.warnings.push(line);
    };
    for (const stream of [child.stdout, child.stderr]) {
      let pending = "";
      stream?.setEncoding("utf8").on("data", (chunk: string) => {
        pending += chunk;
        for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
          onLine(pending.slice(0, end));
          pending = pending.slice(end + 1);
        }
      });
    }
    child.on("error", reject);
    child.on("exit", (code) => {
      children.delete(child);
      reject(new Error(`the hive exited with ${code}: ${log.warnings.slice(-5).join("\n")}`));
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

// --- the layouts the agents report ---------------------------------------------------------

/**
 * Real layouts of the job's problem with the hive's scores, worst first: hill climbs (random
 * swaps of movable keys, each improvement kept) from random arrangements, until `size`
 * layouts of distinct scores are found.
 */
async function layoutPool(view: JobView, valkey: IsolatedValkey, size: number) {
  const catalog = new AssetCatalog(valkey.coordinator());
  const problem = await jobProblem(view.content, (sha) => catalog.read(sha));
  const model = compileSearchModel(problem);
  const keys = model.movableKeys;
  const scoreOf = (chars: (string | null)[]) =>
    rescoreLayout(model, problem, { ...problem.start, chars } as Layout);
  const found = new Map<number, string>();
  const keep = (chars: (string | null)[], score: number) => {
    found.set(score, formatLayout({ ...problem.start, chars }, problem.board));
  };
  const pick = () => keys[Math.floor(Math.random() * keys.length)] as number;
  while (found.size < size) {
    const chars = [...problem.start.chars];
    for (let i = 0; i < keys.length * 2; i++) {
      const [a, b] = [pick(), pick()];
      [chars[a], chars[b]] = [chars[b] ?? null, chars[a] ?? null];
    }
    let score = scoreOf(chars);
    keep(chars, score);
    for (let tries = 0; tries < 4000 && found.size < size; tries++) {
      const [a, b] = [pick(), pick()];
      if (a === b || chars[a] === chars[b]) continue;
      [chars[a], chars[b]] = [chars[b] ?? null, chars[a] ?? null];
      const next = scoreOf(chars);
      if (next < score) {
        score = next;
        keep(chars, score);
      } else [chars[a], chars[b]] = [chars[b] ?? null, chars[a] ?? null];
    }
  }
  return [...found]
    .sort(([a], [b]) => b - a)
    .map(([score, layout]): PoolLayout => ({ layout, score }));
}

// --- the load processes ----------------------------------------------------------------------

interface LoadProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly figures: Promise<SwarmFigures>;
}

function startLoad(base: string, agents: number, poolFile: string): LoadProcess {
  const child = fork(AGENTS, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  const orders: ToSwarmAgents = {
    type: "orders",
    base,
    secret: HIVE_SECRET,
    agents,
    seconds,
    unitSeconds,
    heartbeatSeconds: HEARTBEAT_SECONDS,
    poolFile,
  };
  child.send(orders);
  const exited = new Promise<never>((_, reject) =>
    child.on("exit", (code) => {
      children.delete(child);
      reject(new Error(`a load process exited with ${code}`));
    }),
  );
  const message = (type: FromSwarmAgents["type"]) =>
    Promise.race([
      new Promise<FromSwarmAgents>((resolve) =>
        child.on("message", (m: FromSwarmAgents) => {
          if (m.type === type) resolve(m);
        }),
      ),
      exited,
    ]);
  const figures = message("figures") as Promise<SwarmFigures>;
  figures.catch(() => {});
  return { child, ready: message("ready").then(() => {}), figures };
}

// --- figures --------------------------------------------------------------------------------

const ms = (value: number) => `${value.toFixed(1)} ms`;
const perSecond = (count: number, over: number) => `${(count / over).toFixed(1)} /s`;

interface Mark {
  readonly at: number;
  readonly wall: number;
  readonly processes: Map<number, ProcessTicks>;
  readonly machine: { busy: number; steal: number };
  readonly stores: StoreMark;
}

async function mark(redis: Valkey): Promise<Mark> {
  return {
    at: performance.now(),
    wall: Date.now(),
    processes: everyProcess(),
    machine: machineTicks(),
    stores: await storeMark(redis),
  };
}

/**
 * Ticks each process spent between the marks (one that started in between counted from zero;
 * one that ended in between is missed).
 */
function ticksBetween(first: Mark, last: Mark): Map<number, ProcessTicks> {
  const spent = new Map<number, ProcessTicks>();
  for (const [pid, { comm, ticks }] of last.processes) {
    spent.set(pid, { comm, ticks: ticks - (first.processes.get(pid)?.ticks ?? 0) });
  }
  return spent;
}

// --- the run --------------------------------------------------------------------------------

const valkey = new IsolatedValkey();
const redis = new Valkey(TEST_VALKEY_URL);
const scratch = mkdtempSync(join(tmpdir(), "keyforge-swarm-"));
const hiveLog: HiveLog = { lines: 0, warnings: [] };
let hive: ChildProcess | undefined;
const loads: LoadProcess[] = [];
await adminQuery(`CREATE DATABASE ${databaseName}`);
try {
  await new AssetPublisher({
    coordinator: valkey.coordinator(),
    folders: [SYSTEM_DATA_DIR],
    log: () => {},
  }).reconcile();
  const started = await startHive(valkey.prefix, hiveLog);
  hive = started.child;
  const { base } = started;
  const db = new PostgresDatabase(databaseUrl, { maxConnections: 1 });
  const { token: adminKey } = await new ApiKeyRepository(db).createKey("bench", "admin");
  await db.close();
  const submitted = await fetch(`${base}/jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: "island swarm",
      board: "corne",
      corpora: [{ id: "en" }],
      search: { timeSeconds: Math.max(600, seconds + 300), seed: Date.now() % 1_000_000 },
    }),
  });
  if (!submitted.ok) throw new Error(`POST /jobs: ${submitted.status} ${await submitted.text()}`);
  const job = (await submitted.json()) as JobView;
  const poolBegan = performance.now();
  const pool = await layoutPool(job, valkey, Math.max(1000, seconds * 15));
  const poolFile = join(scratch, "pool.json");
  writeFileSync(poolFile, JSON.stringify(pool));
  console.log(
    `swarm bench: ${agentCount} agents in ${processCount} processes, ${seconds} s, units of ${unitSeconds} s, heartbeats every ${HEARTBEAT_SECONDS} s; ` +
      `${pool.length} layouts from ${pool[0]?.score.toFixed(4)} to ${pool.at(-1)?.score.toFixed(4)} (${((performance.now() - poolBegan) / 1000).toFixed(1)} s); ` +
      `node ${process.version}, ${cpus().length} cores`,
  );

  for (let i = 0; i < processCount; i++) {
    const share = Math.floor(agentCount / processCount) + (i < agentCount % processCount ? 1 : 0);
    loads.push(startLoad(base, share, poolFile));
  }
  await Promise.all(loads.map((load) => load.ready));
  // The hive with its agents registered and silent: what it costs when nothing happens.
  const idleBegan = await mark(redis);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const idleEnded = await mark(redis);
  const goAt = Date.now() + 500;
  for (const load of loads) load.child.send({ type: "go", at: goAt } satisfies ToSwarmAgents);
  console.log(`swarm bench: ${agentCount} agents registered; running`);

  let maxRss = 0;
  const rssTimer = setInterval(() => {
    maxRss = Math.max(maxRss, processStat(hive?.pid as number)?.rss ?? 0);
  }, 1000);
  const until = (at: number) => new Promise((resolve) => setTimeout(resolve, at - Date.now()));
  await until(goAt + WARMUP_SECONDS * 1000);
  const first = await mark(redis);
  await until(goAt + seconds * 1000);
  const last = await mark(redis);
  clearInterval(rssTimer);
  const endRss = processStat(hive.pid as number)?.rss ?? 0;
  maxRss = Math.max(maxRss, endRss);
  const all = await Promise.all(loads.map((load) => load.figures));
  const bests = await valkey.coordinator().jobBests([job.id]);

  // --- the report ---
  const steady = (last.at - first.at) / 1000;
  const kinds: RequestKind[] = ["heartbeat", "lease", "result"];
  const requestRows = kinds.map((kind) => {
    const sorted = all.flatMap((f) => f.latencies[kind]).sort((a, b) => a - b);
    const failed = all.reduce((sum, f) => sum + f.failures[kind], 0);
    return `| ${kind} | ${sorted.length} | ${perSecond(sorted.length, seconds)} | ${ms(percentile(sorted, 50))} | ${ms(percentile(sorted, 99))} | ${ms(sorted.at(-1) ?? 0)} | ${failed} |`;
  });
  const sum = (pick: (f: SwarmFigures) => number) => all.reduce((s, f) => s + pick(f), 0);
  const share = (ticks: number) =>
    `${((ticks / TICKS_PER_SECOND / steady) * 100).toFixed(0)} % of a core`;
  const spent = ticksBetween(first, last);
  const hivePid = hive.pid as number;
  const loadPids = new Set(loads.map((load) => load.child.pid as number));
  const ticksOf = (which: (pid: number, comm: string) => boolean) =>
    [...spent].reduce((sum, [pid, { comm, ticks }]) => sum + (which(pid, comm) ? ticks : 0), 0);
  const hiveTicks = ticksOf((pid) => pid === hivePid);
  const loadTicks = ticksOf((pid) => loadPids.has(pid));
  const pgTicks = ticksOf((_, comm) => comm === "postgres");
  const redisTicks = ticksOf((_, comm) => comm === "redis-server");
  const machineBusy = last.machine.busy - first.machine.busy;
  const rest = machineBusy - hiveTicks - loadTicks - pgTicks - redisTicks;
  const busiestOthers = [...spent]
    .filter(
      ([pid, { comm }]) =>
        pid !== hivePid &&
        !loadPids.has(pid) &&
        comm !== "postgres" &&
        comm !== "redis-server" &&
        pid !== process.pid,
    )
    .sort(([, a], [, b]) => b.ticks - a.ticks)
    .slice(0, 4)
    .filter(([, { ticks }]) => ticks >= TICKS_PER_SECOND)
    .map(([pid, { comm, ticks }]) => `${commandOf(pid, comm)} (${ticks / TICKS_PER_SECOND} s)`);
  const answeredInWindow = all.reduce(
    (sum, f) =>
      sum +
      kinds.reduce(
        (s, kind) => s + f.answeredAt[kind].filter((t) => t >= first.wall && t <= last.wall).length,
        0,
      ),
    0,
  );
  const idleSeconds = (idleEnded.at - idleBegan.at) / 1000;
  const idleHive =
    (idleEnded.processes.get(hivePid)?.ticks ?? 0) - (idleBegan.processes.get(hivePid)?.ticks ?? 0);
  const idleShare = `${((idleHive / TICKS_PER_SECOND / idleSeconds) * 100).toFixed(1)} % of a core`;
  const bestScore = bests.get(job.id)?.score;
  const bestAt = pool.findIndex((entry) => entry.score === bestScore);
  const heartbeats = sum((f) => f.latencies.heartbeat.length);
  const resourceRows = [
    `| heartbeats carrying a best | ${sum((f) => f.beatsWithBest)} (${((sum((f) => f.beatsWithBest) / Math.max(1, heartbeats)) * 100).toFixed(0)} %) |`,
    `| migrants sent | ${sum((f) => f.migrantsReceived)} (${perSecond(
      sum((f) => f.migrantsReceived),
      seconds,
    )}) |`,
    `| finish / abort commands, empty leases | ${sum((f) => f.finishCommands)} / ${sum((f) => f.abortCommands)}, ${sum((f) => f.emptyLeases)} |`,
    `| job's best at the end | pool layout ${bestAt + 1} of ${pool.length} (agents reached ${Math.max(...all.map((f) => f.bestIndex)) + 1}) |`,
    `| hive CPU | ${share(hiveTicks)}: ${((hiveTicks * 1000) / TICKS_PER_SECOND / Math.max(1, answeredInWindow)).toFixed(2)} ms per request (${answeredInWindow} answered); idle before the run ${idleShare} |`,
    `| hive RSS | ${(endRss / 2 ** 20).toFixed(0)} MiB at the end, ${(maxRss / 2 ** 20).toFixed(0)} MiB at most |`,
    `| PostgreSQL transactions, read-only ones included (bench database) | ${perSecond(last.stores.xacts - first.stores.xacts, steady)} |`,
    `| PostgreSQL rows written (bench database) | ${perSecond(last.stores.tuples - first.stores.tuples, steady)} |`,
    `| PostgreSQL WAL (whole server) | ${((last.stores.walBytes - first.stores.walBytes) / 1024 / steady).toFixed(1)} KiB/s |`,
    `| Redis commands (whole server) | ${perSecond(last.stores.redisCommands - first.stores.redisCommands, steady)} (idle before the run ${perSecond(idleEnded.stores.redisCommands - idleBegan.stores.redisCommands, idleSeconds)}) |`,
    `| CPU of the load processes | ${share(loadTicks)} |`,
    `| CPU of PostgreSQL | ${share(pgTicks)} |`,
    `| CPU of Redis | ${share(redisTicks)} |`,
    `| CPU of everything else | ${share(rest)} |`,
    `| machine busy / steal | ${share(machineBusy)} of ${cpus().length} / ${share(last.machine.steal - first.machine.steal)} |`,
  ];
  const failures = all.flatMap((f) => f.failureSamples);
  console.log(
    `\nRequests over the ${seconds} s run (rates over the whole run; latency as the agents saw it, loopback):\n`,
  );
  console.log("| request | count | rate | p50 | p99 | max | failed |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const row of requestRows) console.log(row);
  console.log(
    `\nThe steady part (${steady.toFixed(0)} s, from ${WARMUP_SECONDS} s after the start):\n`,
  );
  console.log("| figure | value |");
  console.log("| --- | --- |");
  for (const row of resourceRows) console.log(row);
  console.log(
    `\nRegistrations: ${sum((f) => f.latencies.register.length)}. Hive log: ${hiveLog.lines} lines, ${hiveLog.warnings.length} warnings or errors.`,
  );
  for (const line of hiveLog.warnings.slice(0, 10)) console.log(`  hive: ${line.slice(0, 400)}`);
  for (const line of failures.slice(0, 10)) console.log(`  failed: ${line}`);
  if (busiestOthers.length > 0) {
    console.log(`Busiest other processes in the steady part: ${busiestOthers.join("; ")}`);
  }
} finally {
  for (const load of loads) await stopProcess(load.child);
  if (hive) await stopProcess(hive);
  redis.disconnect();
  await valkey.close();
  await adminQuery(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  rmSync(scratch, { recursive: true, force: true });
}
