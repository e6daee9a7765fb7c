import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
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
 * What `npm run bench:distributed` runs on: a hive (PGlite in a fresh folder, in-memory
 * coordinator, built-in assets published) and an assets gateway in the bench's process, and
 * agents as `keyforge agent` child processes with data dirs of their own, kept across runs so
 * that each calibrates once.
 */
const SECRET = "bench-distributed-secret-0123456789";
export const AGENT_NAMES = ["a", "b"] as const;
/** Longest wait for an agent to start (tsx compiles the CLI; the first start calibrates). */
const AGENT_START_MS = 60_000;
/** Longest wait for an agent to exit after SIGTERM before it is killed. */
const AGENT_STOP_MS = 60_000;
/** Longest wait for one job to complete. */
const JOB_MS = 10 * 60_000;
const POLL_MS = 100;
/**
 * A run during which other processes took more than this share of the machine is reported
 * (the idle machine's own background is about 4 %).
 */
export const DISTURBED_SHARE = 0.1;
export const cores = availableParallelism();

const MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Resolved here, so the agents load the same tsx as this process. */
const TSX = import.meta.resolve("tsx");

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The machine's CPU time by kind, in ms (Linux /proc/stat), or null elsewhere. */
export function machineTimes(): { busy: number; steal: number; total: number } | null {
  if (!existsSync("/proc/stat")) return null;
  const [, ...fields] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").split(/\s+/);
  const t = fields.filter((f) => f !== "").map((f) => Number(f) * 10); // USER_HZ is 100
  const at = (i: number) => t[i] ?? 0;
  const busy = at(0) + at(1) + at(2) + at(5) + at(6);
  return { busy, steal: at(7), total: busy + at(3) + at(4) + at(7) };
}

/** CPU time (user + system, every thread) of a process, in ms (Linux /proc), or null. */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return null;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** One `keyforge agent` child process. */
export class AgentProcess {
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

  cpuMs(): number | null {
    return processCpuMs(this.child.pid);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
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
export interface Stack {
  readonly hive: FastifyInstance;
  /** The Authorization header jobs are submitted with: an API key. */
  readonly submitter: { readonly authorization: string };
  readonly db: PgliteDatabase;
  readonly hiveUrl: string;
  readonly assetsUrl: string;
  close(): Promise<void>;
}

export async function startStack(folder: string): Promise<Stack> {
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

/** Submits a job on `board` with the `en` corpus and the default weights. */
export async function submit(
  stack: Stack,
  board: string,
  search: Record<string, unknown>,
): Promise<JobView> {
  const response = await stack.hive.inject({
    method: "POST",
    url: "/jobs",
    headers: stack.submitter,
    payload: { name: "bench-distributed", board, corpora: [{ id: "en" }], search },
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
export async function completed(
  stack: Stack,
  jobId: string,
): Promise<{ view: JobView; polls: number }> {
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

/** Starts agent `name` on its data dir under `root`, against `stack`; `live` tracks it for cleanup. */
export function startAgent(
  stack: Stack,
  root: string,
  name: string,
  live: Set<AgentProcess>,
): AgentProcess {
  const agent = new AgentProcess(name, join(root, `agent-${name}`), stack.hiveUrl, stack.assetsUrl);
  live.add(agent);
  return agent;
}

/** Stops every agent (SIGTERM) and checks that each exited cleanly; prints what went amiss. */
export async function stopAgents(agents: readonly AgentProcess[]): Promise<void> {
  const stops = await Promise.all(agents.map((agent) => agent.stop()));
  agents.forEach((agent, i) => {
    const { code } = stops[i] as { code: number | null };
    if (code !== 0) throw new Error(`agent ${agent.name} exited with ${code}:\n${agent.log}`);
    const amiss = agent.log
      .split("\n")
      .filter((line) => /failed|refused|kept for later|retrying|aborting|outbox/.test(line));
    if (amiss.length > 0) console.log(`  agent ${agent.name} said:\n    ${amiss.join("\n    ")}`);
  });
}

/**
 * Runs `work` on a fresh stack with every agent started and registered; stops the agents and
 * the stack afterwards, however it ends. `agentOf` names the agents by node id.
 */
export async function withAgents<T>(
  root: string,
  live: Set<AgentProcess>,
  work: (stack: Stack, agents: readonly AgentProcess[], agentOf: Map<string, string>) => Promise<T>,
): Promise<T> {
  const folder = await mkdtemp(join(root, "run-"));
  const stack = await startStack(folder);
  const agents: AgentProcess[] = [];
  try {
    for (const name of AGENT_NAMES) agents.push(startAgent(stack, root, name, live));
    const nodeIds = await Promise.all(agents.map((agent) => agent.registered()));
    // Registered agents go on to a lease request that waits for work.
    await sleep(1000);
    const result = await work(
      stack,
      agents,
      new Map(nodeIds.map((id, i) => [id, agents[i]?.name as string])),
    );
    await stopAgents(agents);
    return result;
  } finally {
    await Promise.all(agents.map((agent) => agent.kill()));
    for (const agent of agents) live.delete(agent);
    await stack.close();
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Starts each agent once on a throw-away hive, one after the other so that each calibrates
 * alone, and runs a small job on each board so both have the jobs' assets in their caches.
 * The calibrations, as text.
 */
export async function warmUp(
  root: string,
  live: Set<AgentProcess>,
  boards: readonly string[],
): Promise<string[]> {
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
    for (const board of boards) {
      const job = await submit(stack, board, { units: 4, stepsPerUnit: 20_000, seed: 1 });
      await completed(stack, job.id);
    }
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
