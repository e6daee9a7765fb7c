import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { AssetPublisher } from "../src/assetmgr/asset-publisher.ts";
import { buildAssetsGateway } from "../src/assets/assets-gateway.ts";
import { buildHive } from "../src/hive/hive-app.ts";
import { MemoryCoordinator } from "../src/infra/coord/memory-coordinator.ts";
import { ApiKeyRepository } from "../src/infra/db/api-key-repository.ts";
import { migrate } from "../src/infra/db/migration-runner.ts";
import { PgliteDatabase } from "../src/infra/db/pglite-database.ts";
import { createLogger } from "../src/infra/logging/logger.ts";
import { SYSTEM_DATA_DIR } from "../src/infra/system-data.ts";
import type { JobView } from "../src/protocol/job-messages.ts";

/**
 * `npm run bench:distributed`: the wall time of one job on one agent and on two agents (one
 * thread each). The hive (PGlite in a fresh folder, in-memory coordinator, built-in assets
 * published) and the assets gateway run in this process; every agent is a `keyforge agent`
 * child process with a data dir of its own, kept across runs so it calibrates only once.
 * Each run gets a fresh hive, so the same job (same id) is submitted every time; it is timed
 * from submission to `completed`. BENCH_DISTRIBUTED_UNITS (default 8),
 * BENCH_DISTRIBUTED_STEPS (steps per unit, default 800,000), BENCH_DISTRIBUTED_REPEATS
 * (runs per configuration, default 3).
 */
const UNITS = Number(process.env.BENCH_DISTRIBUTED_UNITS ?? 8);
const STEPS_PER_UNIT = Number(process.env.BENCH_DISTRIBUTED_STEPS ?? 800_000);
const REPEATS = Number(process.env.BENCH_DISTRIBUTED_REPEATS ?? 3);
const SEED = 1;
const SECRET = "bench-distributed-secret-0123456789";
const AGENT_NAMES = ["a", "b"] as const;
/** Longest wait for an agent to start (tsx compiles the CLI; the first start calibrates). */
const AGENT_START_MS = 60_000;
/** Longest wait for an agent to exit after SIGTERM before it is killed. */
const AGENT_STOP_MS = 60_000;
/** Longest wait for one job to complete. */
const JOB_MS = 10 * 60_000;
const POLL_MS = 100;
/** Polls timed after each run to tell the polling's share of the hive process's CPU. */
const POLL_SAMPLES = 50;
/**
 * A run during which other processes took more than this share of the machine is reported
 * (the idle machine's own background is about 4 %).
 */
const DISTURBED_SHARE = 0.1;
const cores = availableParallelism();

const MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Resolved here, so the agents load the same tsx as this process. */
const TSX = import.meta.resolve("tsx");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The machine's CPU time by kind, in ms (Linux /proc/stat), or null elsewhere. */
function machineTimes(): { busy: number; steal: number; total: number } | null {
  if (!existsSync("/proc/stat")) return null;
  const [, ...fields] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").split(/\s+/);
  const t = fields.filter((f) => f !== "").map((f) => Number(f) * 10); // USER_HZ is 100
  const at = (i: number) => t[i] ?? 0;
  const busy = at(0) + at(1) + at(2) + at(5) + at(6);
  return { busy, steal: at(7), total: busy + at(3) + at(4) + at(7) };
}

/** CPU time (user + system, every thread) of a process, in ms (Linux /proc), or null. */
function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return null;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** One `keyforge agent` child process. */
class AgentProcess {
  readonly name: string;
  private readonly child: ChildProcess;
  private stderr = "";
  private readonly exited: Promise<number | null>;

  constructor(name: string, dataDir: string, hiveUrl: string, assetsUrl: string) {
    this.name = name;
    const args = [
      ...["--import", TSX, MAIN, "agent", "--threads", "1", "--priority", "normal"],
      ...["--hive", hiveUrl, "--assets", assetsUrl, "--data-dir", dataDir, "--name", name],
    ];
    this.child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1", HIVE_SECRET: SECRET },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.on("error", () => resolve(null));
      this.child.on("close", (code) => resolve(code));
    });
  }

  get log(): string {
    return this.stderr;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  cpuMs(): number | null {
    return processCpuMs(this.child.pid);
  }

  /** Resolves with the node id once the agent says it registered. */
  async registered(): Promise<string> {
    const began = Date.now();
    for (;;) {
      const match = /node (\S+) registered/.exec(this.stderr);
      if (match) return match[1] as string;
      if (!this.running) throw new Error(`agent ${this.name} exited early:\n${this.stderr}`);
      if (Date.now() - began > AGENT_START_MS) {
        throw new Error(`agent ${this.name} did not register:\n${this.stderr}`);
      }
      await sleep(50);
    }
  }

  /** SIGTERM, then the exit (SIGKILL if it takes too long): exit code and ms it took. */
  async stop(): Promise<{ code: number | null; ms: number }> {
    const began = performance.now();
    if (this.running) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), AGENT_STOP_MS);
    const code = await this.exited;
    clearTimeout(timer);
    return { code, ms: performance.now() - began };
  }

  async kill(): Promise<void> {
    if (this.running) this.child.kill("SIGKILL");
    await this.exited;
  }
}

/** A fresh hive and assets gateway in this process, on 127.0.0.1. */
interface Stack {
  readonly hive: FastifyInstance;
  /** The Authorization header jobs are submitted with: an API key. */
  readonly submitter: { readonly authorization: string };
  readonly db: PgliteDatabase;
  readonly hiveUrl: string;
  readonly assetsUrl: string;
  close(): Promise<void>;
}

async function startStack(folder: string): Promise<Stack> {
  // Bugs and degraded operations only: a line per request would drown the figures.
  const logger = createLogger("hive", { format: "json", level: "warn", colour: false });
  const db = new PgliteDatabase(join(folder, "db"));
  const coordinator = new MemoryCoordinator();
  let hive: FastifyInstance | null = null;
  let gateway: FastifyInstance | null = null;
  const close = async () => {
    await gateway?.close();
    await hive?.close();
    await coordinator.close();
    await db.close();
  };
  try {
    await migrate(db);
    const { token } = await new ApiKeyRepository(db).createKey("bench", "user");
    await new AssetPublisher({
      coordinator,
      folders: [SYSTEM_DATA_DIR],
      log: () => {},
    }).reconcile();
    hive = await buildHive({
      db,
      coordinator,
      secrets: [SECRET],
      logger,
      // Every request is counted, as in production; the limits are out of reach.
      rateLimits: {
        perClient: Number.MAX_SAFE_INTEGER,
        perKey: Number.MAX_SAFE_INTEGER,
        windowMs: 60_000,
      },
    });
    const hiveUrl = await hive.listen({ host: "127.0.0.1", port: 0 });
    gateway = buildAssetsGateway(coordinator, { logger });
    const assetsUrl = await gateway.listen({ host: "127.0.0.1", port: 0 });
    const submitter = { authorization: `Bearer ${token}` };
    return { hive, submitter, db, hiveUrl, assetsUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function submit(stack: Stack, units: number, stepsPerUnit: number, seed: number) {
  const response = await stack.hive.inject({
    method: "POST",
    url: "/jobs",
    headers: stack.submitter,
    payload: {
      name: "bench-distributed",
      board: "corne",
      corpora: [{ id: "en" }],
      search: { units, stepsPerUnit, seed },
    },
  });
  if (response.statusCode !== 201) {
    throw new Error(`POST /jobs: ${response.statusCode} ${response.body}`);
  }
  return response.json() as JobView;
}

/**
 * Polls the job every POLL_MS until it completes; throws if it fails, is cancelled or hangs.
 * Returns the last view and the number of polls.
 */
async function completed(stack: Stack, jobId: string): Promise<{ view: JobView; polls: number }> {
  const began = Date.now();
  for (let polls = 1; ; polls++) {
    const view = (await stack.hive.inject({ url: `/jobs/${jobId}` })).json() as JobView;
    if (view.status === "completed") return { view, polls };
    if (view.status === "failed" || view.status === "cancelled") {
      throw new Error(`job ${jobId} ended ${view.status}: ${JSON.stringify(view.units)}`);
    }
    if (Date.now() - began > JOB_MS) {
      throw new Error(`job ${jobId} not completed after ${JOB_MS} ms: ${JSON.stringify(view)}`);
    }
    await sleep(POLL_MS);
  }
}

/** One unit as the hive recorded it: who ran it, when (ms after submission), what it found. */
interface UnitLine {
  readonly position: number;
  readonly agent: string;
  readonly leasedMs: number;
  readonly acceptedMs: number;
  /** How long the agent says the unit's search took (worker start included). */
  readonly searchMs: number;
  readonly score: number;
}

async function unitLines(
  stack: Stack,
  jobId: string,
  agentOf: ReadonlyMap<string, string>,
): Promise<UnitLine[]> {
  const { rows } = await stack.db.query<{
    position: number;
    node_id: string;
    leased_ms: number;
    accepted_ms: number;
    duration_ms: number;
    score: number;
  }>(
    `SELECT u.position, r.node_id, r.score, r.duration_ms,
       extract(epoch FROM u.leased_at - j.created_at) * 1000 AS leased_ms,
       extract(epoch FROM r.accepted_at - j.created_at) * 1000 AS accepted_ms
     FROM units u JOIN results r ON r.unit_id = u.id JOIN jobs j ON j.id = u.job_id
     WHERE u.job_id = $1 ORDER BY r.accepted_at, u.position`,
    [jobId],
  );
  return rows.map((row) => ({
    position: row.position,
    agent: agentOf.get(row.node_id) ?? row.node_id.slice(0, 8),
    leasedMs: Number(row.leased_ms),
    acceptedMs: Number(row.accepted_ms),
    searchMs: Number(row.duration_ms),
    score: row.score,
  }));
}

interface RunFigures {
  readonly run: number;
  readonly agents: number;
  readonly wallMs: number;
  readonly score: number;
  readonly unitsPerAgent: string;
  /** CPU time of this process (hive, gateway, polling) over the run, in ms. */
  readonly hiveCpuMs: number;
  /** The part of it that the bench's polls of GET /jobs/:id cost, estimated. */
  readonly pollingCpuMs: number;
  /** CPU time of the agent processes over the run, in ms (null off Linux). */
  readonly agentsCpuMs: number | null;
  /** CPU time of everything else on the machine over the run, in ms (null off Linux). */
  readonly othersCpuMs: number | null;
  /** Share of the machine's CPU time stolen by the host over the run. */
  readonly steal: number | null;
  readonly units: readonly UnitLine[];
  readonly stopMs: readonly number[];
}

/** Starts agent `name` on its data dir under `root`, against `stack`; `live` tracks it for cleanup. */
function startAgent(
  stack: Stack,
  root: string,
  name: string,
  live: Set<AgentProcess>,
): AgentProcess {
  const agent = new AgentProcess(name, join(root, `agent-${name}`), stack.hiveUrl, stack.assetsUrl);
  live.add(agent);
  return agent;
}

/** Stops every agent (SIGTERM) and checks that each exited cleanly and said nothing amiss. */
async function stopAgents(agents: readonly AgentProcess[]): Promise<number[]> {
  const stops = await Promise.all(agents.map((agent) => agent.stop()));
  agents.forEach((agent, i) => {
    const { code } = stops[i] as { code: number | null };
    if (code !== 0) throw new Error(`agent ${agent.name} exited with ${code}:\n${agent.log}`);
    const amiss = agent.log
      .split("\n")
      .filter((line) => /failed|refused|kept for later|retrying|aborting|outbox/.test(line));
    if (amiss.length > 0) console.log(`  agent ${agent.name} said:\n    ${amiss.join("\n    ")}`);
  });
  return stops.map((stop) => stop.ms);
}

async function runOnce(
  root: string,
  run: number,
  agentCount: number,
  live: Set<AgentProcess>,
): Promise<RunFigures> {
  const folder = await mkdtemp(join(root, `run-${run}-`));
  const stack = await startStack(folder);
  const agents: AgentProcess[] = [];
  try {
    for (const name of AGENT_NAMES.slice(0, agentCount)) {
      agents.push(startAgent(stack, root, name, live));
    }
    const nodeIds = await Promise.all(agents.map((agent) => agent.registered()));
    const agentOf = new Map(nodeIds.map((id, i) => [id, agents[i]?.name as string]));
    // Registered agents go on to a lease request that waits for work.
    await sleep(1000);

    const machineBefore = machineTimes();
    const agentsBefore = agents.map((agent) => agent.cpuMs());
    const cpuBefore = process.cpuUsage();
    const began = performance.now();
    const job = await submit(stack, UNITS, STEPS_PER_UNIT, SEED);
    const { view, polls } = await completed(stack, job.id);
    const wallMs = performance.now() - began;
    const cpu = process.cpuUsage(cpuBefore);
    const agentsAfter = agents.map((agent) => agent.cpuMs());
    const machineAfter = machineTimes();
    // What the bench's own polling cost the hive: the same request again, timed alone.
    const pollCpuBefore = process.cpuUsage();
    for (let i = 0; i < POLL_SAMPLES; i++) await stack.hive.inject({ url: `/jobs/${job.id}` });
    const pollCpu = process.cpuUsage(pollCpuBefore);
    const pollingCpuMs = ((pollCpu.user + pollCpu.system) / 1000 / POLL_SAMPLES) * polls;

    const hiveCpuMs = (cpu.user + cpu.system) / 1000;
    const agentsCpuMs = agentsAfter.every((ms, i) => ms !== null && agentsBefore[i] !== null)
      ? agentsAfter.reduce<number>((sum, ms, i) => sum + (ms ?? 0) - (agentsBefore[i] ?? 0), 0)
      : null;
    const machine =
      machineBefore && machineAfter
        ? {
            busy: machineAfter.busy - machineBefore.busy,
            steal: machineAfter.steal - machineBefore.steal,
            total: machineAfter.total - machineBefore.total,
          }
        : null;
    const units = await unitLines(stack, job.id, agentOf);
    const perAgent = agents.map(
      (agent) => `${agent.name} ${units.filter((unit) => unit.agent === agent.name).length}`,
    );
    if (view.bestScore === null) throw new Error(`job ${job.id} completed without a best score`);
    const stopMs = await stopAgents(agents);
    return {
      run,
      agents: agentCount,
      wallMs,
      score: view.bestScore,
      unitsPerAgent: perAgent.join(", "),
      hiveCpuMs,
      pollingCpuMs,
      agentsCpuMs,
      othersCpuMs: machine && agentsCpuMs !== null ? machine.busy - hiveCpuMs - agentsCpuMs : null,
      steal: machine && machine.total > 0 ? machine.steal / machine.total : null,
      units,
      stopMs,
    };
  } finally {
    await Promise.all(agents.map((agent) => agent.kill()));
    for (const agent of agents) live.delete(agent);
    await stack.close();
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Starts each agent once on a throw-away hive, one after the other so that each calibrates
 * alone, and runs a small job so both have the job's assets in their caches.
 */
async function warmUp(root: string, live: Set<AgentProcess>): Promise<string[]> {
  const folder = await mkdtemp(join(root, "warm-up-"));
  const stack = await startStack(folder);
  const agents: AgentProcess[] = [];
  try {
    for (const name of AGENT_NAMES) {
      await mkdir(join(root, `agent-${name}`));
      const agent = startAgent(stack, root, name, live);
      agents.push(agent);
      await agent.registered();
    }
    await sleep(1000);
    const job = await submit(stack, 4, 20_000, SEED + 1);
    await completed(stack, job.id);
    await stopAgents(agents);
    return Promise.all(
      AGENT_NAMES.map(async (name) => {
        const file = join(root, `agent-${name}`, "calibration.json");
        const { stepsPerThread } = JSON.parse(await readFile(file, "utf8"));
        return `${name} ${Math.round(stepsPerThread).toLocaleString("en-US")} steps/s`;
      }),
    );
  } finally {
    await Promise.all(agents.map((agent) => agent.kill()));
    for (const agent of agents) live.delete(agent);
    await stack.close();
    await rm(folder, { recursive: true, force: true });
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const percent = (share: number | null) => (share === null ? "?" : `${(share * 100).toFixed(1)} %`);
const cpuSeconds = (ms: number | null) => (ms === null ? "?" : `${(ms / 1000).toFixed(1)} s`);

function printRun(figures: RunFigures): void {
  console.log(
    `run ${figures.run}: ${figures.agents} agent(s): ${seconds(figures.wallMs)}, best ${figures.score.toFixed(4)}, units ${figures.unitsPerAgent}; CPU: hive process ${cpuSeconds(figures.hiveCpuMs)} (polling ${cpuSeconds(figures.pollingCpuMs)}), agents ${cpuSeconds(figures.agentsCpuMs)}, others ${cpuSeconds(figures.othersCpuMs)}; steal ${percent(figures.steal)}; agents stopped in ${figures.stopMs.map((ms) => seconds(ms)).join(", ")}`,
  );
  for (const unit of figures.units) {
    console.log(
      `  unit ${unit.position}: agent ${unit.agent}, leased at ${(unit.leasedMs / 1000).toFixed(2)} s, accepted at ${(unit.acceptedMs / 1000).toFixed(2)} s, searched ${(unit.searchMs / 1000).toFixed(2)} s, score ${unit.score.toFixed(4)}`,
    );
  }
}

function printTable(runs: readonly RunFigures[]): void {
  const rows = [
    "| run | agents | wall time | final best score | units per agent | hive process CPU (polling) | agents CPU | others CPU | steal |",
    "| --- | ------ | --------- | ---------------- | --------------- | -------------------------- | ---------- | ---------- | ----- |",
    ...runs.map(
      (r) =>
        `| ${r.run} | ${r.agents} | ${seconds(r.wallMs)} | ${r.score.toFixed(4)} | ${r.unitsPerAgent} | ${cpuSeconds(r.hiveCpuMs)}, ${percent(r.hiveCpuMs / r.wallMs)} of a core (${cpuSeconds(r.pollingCpuMs)}) | ${cpuSeconds(r.agentsCpuMs)} | ${cpuSeconds(r.othersCpuMs)} | ${percent(r.steal)} |`,
    ),
  ];
  console.log(`\n${rows.join("\n")}\n`);
  const one = runs.filter((r) => r.agents === 1);
  const two = runs.filter((r) => r.agents === 2);
  const oneMs = median(one.map((r) => r.wallMs));
  const twoMs = median(two.map((r) => r.wallMs));
  console.log(
    `medians: 1 agent ${seconds(oneMs)}, 2 agents ${seconds(twoMs)}; speed-up ${(oneMs / twoMs).toFixed(2)}×`,
  );
  const scores = (set: readonly RunFigures[]) => set.map((r) => r.score.toFixed(4)).join(", ");
  console.log(`final best scores: 1 agent ${scores(one)}; 2 agents ${scores(two)}`);
  const disturbed = runs.filter(
    (r) => r.othersCpuMs !== null && r.othersCpuMs > DISTURBED_SHARE * r.wallMs * cores,
  );
  if (disturbed.length > 0) {
    console.log(
      `disturbed: other processes took more than ${percent(DISTURBED_SHARE)} of the machine during run(s) ${disturbed.map((r) => r.run).join(", ")}`,
    );
  }
}

const root = await mkdtemp(join(tmpdir(), "keyforge-bench-distributed-"));
const live = new Set<AgentProcess>();
const interrupted = () => {
  for (const agent of live) void agent.kill();
  void rm(root, { recursive: true, force: true }).finally(() => process.exit(130));
};
process.once("SIGINT", interrupted);
process.once("SIGTERM", interrupted);
try {
  console.log(
    `distributed bench: ${UNITS} units × ${STEPS_PER_UNIT.toLocaleString("en-US")} steps (corne, en, seed ${SEED}), ${REPEATS} runs each with 1 and 2 agents (1 thread each), ${cores} cores, node ${process.version}`,
  );
  console.log(`calibrated: ${(await warmUp(root, live)).join(", ")}`);
  const runs: RunFigures[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const agentCount of [1, 2]) {
      const figures = await runOnce(root, runs.length + 1, agentCount, live);
      printRun(figures);
      runs.push(figures);
    }
  }
  printTable(runs);
} finally {
  await Promise.all([...live].map((agent) => agent.kill()));
  await rm(root, { recursive: true, force: true });
}
