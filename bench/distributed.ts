import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type AgentProcess,
  completed,
  cores,
  DISTURBED_SHARE,
  machineTimes,
  median,
  processCpuMs,
  type Stack,
  submit,
  warmUp,
  withAgents,
} from "./distributed-stack.ts";

/**
 * `npm run bench:distributed`: does the distributed search beat one machine, and does cutting
 * its work into more units cost quality? Two parts (BENCH_DISTRIBUTED_PARTS, default
 * "equal,cuts"):
 *
 * - equal: a time-budgeted job of BENCH_DISTRIBUTED_SECONDS (default 60) on two agents of one
 *   thread each, against `keyforge optimize --threads 2 --time` of the same length on the same
 *   two cores, BENCH_DISTRIBUTED_SEEDS seeds each (default 5), on each of
 *   BENCH_DISTRIBUTED_BOARDS (default corne,ortho-3x10), alternating.
 * - cuts: BENCH_DISTRIBUTED_TOTAL_STEPS (default 16,000,000) cut into each of
 *   BENCH_DISTRIBUTED_CUTS units (default 2,8,32) on the two agents; the best score and the
 *   time each unit costs beyond its search (lease, problem load, delivery, waits).
 *
 * Every job runs on a fresh hive (distributed-stack.ts); the agents calibrate once.
 */
const PARTS = (process.env.BENCH_DISTRIBUTED_PARTS ?? "equal,cuts").split(",");
const SECONDS = Number(process.env.BENCH_DISTRIBUTED_SECONDS ?? 60);
const SEEDS = Number(process.env.BENCH_DISTRIBUTED_SEEDS ?? 5);
const BOARDS = (process.env.BENCH_DISTRIBUTED_BOARDS ?? "corne,ortho-3x10").split(",");
const TOTAL_STEPS = Number(process.env.BENCH_DISTRIBUTED_TOTAL_STEPS ?? 16_000_000);
const CUTS = (process.env.BENCH_DISTRIBUTED_CUTS ?? "2,8,32").split(",").map(Number);
const THREADS = 2;

const MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const TSX = import.meta.resolve("tsx");

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Starts measuring what the machine's other processes did: the function returned takes the CPU
 * time (ms) of the processes under test over the stretch and gives the share of the machine the
 * rest took besides this process (null off Linux).
 */
function disturbance(): (testedCpuMs: number | null) => number | null {
  const before = machineTimes();
  const began = performance.now();
  const ownBefore = process.cpuUsage();
  return (testedCpuMs) => {
    const after = machineTimes();
    if (!before || !after || testedCpuMs === null) return null;
    const own = process.cpuUsage(ownBefore);
    const others = after.busy - before.busy - (own.user + own.system) / 1000 - testedCpuMs;
    return Math.max(0, others) / ((performance.now() - began) * cores);
  };
}

/** `keyforge optimize --threads 2 --time`: its best score and wall time. */
async function optimizeOnce(
  board: string,
  seed: number,
): Promise<{ score: number; ms: number; cpuMs: number | null }> {
  const args = [
    ...["--import", TSX, MAIN, "optimize", "--board", board, "--corpus", "en"],
    ...["--threads", String(THREADS), "--time", `${SECONDS}s`, "--seed", String(seed), "--json"],
  ];
  const began = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  // Its CPU time, read until it exits (the last reading misses at most the final quarter second).
  let cpuMs: number | null = null;
  const sampler = setInterval(() => {
    cpuMs = processCpuMs(child.pid) ?? cpuMs;
  }, 250);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`keyforge optimize exited with ${code}:\n${stderr}`);
  return { score: JSON.parse(stdout).best.score as number, ms: performance.now() - began, cpuMs };
}

interface JobRun {
  readonly score: number;
  readonly wallMs: number;
  readonly endedBy: string | null;
  /** From the job's end of time (endsAt) to its completion. */
  readonly lateMs: number | null;
  readonly unitsPerAgent: string;
  /** Over all units: agent time beyond the units' searches, per unit. */
  readonly overheadPerUnitMs: number;
  /** Share of the machine that processes other than the bench and its agents took. */
  readonly others: number | null;
}

/** Submits `search` on `board` to a fresh stack with both agents and waits for the job's end. */
async function jobOnce(
  root: string,
  live: Set<AgentProcess>,
  board: string,
  search: Record<string, unknown>,
): Promise<JobRun> {
  return withAgents(root, live, async (stack, agents, agentOf) => {
    const measure = disturbance();
    const agentsBefore = agents.map((agent) => agent.cpuMs() ?? Number.NaN);
    const began = performance.now();
    const job = await submit(stack, board, search);
    const { view } = await completed(stack, job.id);
    const wallMs = performance.now() - began;
    const agentsCpu = agents.reduce(
      (sum, agent, i) => sum + (agent.cpuMs() ?? Number.NaN) - (agentsBefore[i] as number),
      0,
    );
    const others = measure(Number.isNaN(agentsCpu) ? null : agentsCpu);
    if (view.bestScore === null) throw new Error(`job ${job.id} completed without a best score`);
    const units = await unitsOf(stack, job.id);
    const searchMs = units.reduce((sum, unit) => sum + unit.searchMs, 0);
    return {
      score: view.bestScore,
      wallMs,
      endedBy: view.endedBy,
      lateMs:
        view.endsAt && view.finishedAt
          ? Date.parse(view.finishedAt) - Date.parse(view.endsAt)
          : null,
      unitsPerAgent: agents
        .map(
          (agent) =>
            `${agent.name} ${units.filter((unit) => agentOf.get(unit.nodeId) === agent.name).length}`,
        )
        .join(", "),
      overheadPerUnitMs: (agents.length * wallMs - searchMs) / Math.max(1, units.length),
      others,
    };
  });
}

/** The job's delivered units: who ran each, and how long its search took by its agent's clock. */
async function unitsOf(stack: Stack, jobId: string) {
  const { rows } = await stack.db.query<{ node_id: string; duration_ms: number }>(
    "SELECT node_id, duration_ms FROM results WHERE job_id = $1",
    [jobId],
  );
  return rows.map((row) => ({ nodeId: row.node_id, searchMs: Number(row.duration_ms) }));
}

const flag = (share: number | null) =>
  share !== null && share > DISTURBED_SHARE ? ` ⚠ others ${(share * 100).toFixed(0)} %` : "";

async function equalWallTime(root: string, live: Set<AgentProcess>): Promise<void> {
  console.log(
    `\n## equal wall time: a ${SECONDS} s job on 2 agents (1 thread each) vs keyforge optimize --threads ${THREADS} --time ${SECONDS}s\n`,
  );
  console.log(
    "| board | seed | job best | job ended by | late | units per agent | optimize best |",
  );
  console.log(
    "| ----- | ---- | -------- | ------------ | ---- | --------------- | ------------- |",
  );
  for (const board of BOARDS) {
    const jobs: number[] = [];
    const locals: number[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const job = await jobOnce(root, live, board, { timeSeconds: SECONDS, seed });
      const localMeasure = disturbance();
      const local = await optimizeOnce(board, seed);
      const localOthers = localMeasure(local.cpuMs);
      jobs.push(job.score);
      locals.push(local.score);
      console.log(
        `| ${board} | ${seed} | ${job.score.toFixed(4)}${flag(job.others)} | ${job.endedBy} | ${job.lateMs === null ? "?" : seconds(job.lateMs)} | ${job.unitsPerAgent} | ${local.score.toFixed(4)}${flag(localOthers)} |`,
      );
    }
    const [jobMedian, localMedian] = [median(jobs), median(locals)];
    console.log(
      `| ${board} | median | ${jobMedian.toFixed(4)} | | | | ${localMedian.toFixed(4)} (job ${jobMedian <= localMedian ? "at least as good" : `worse by ${((100 * (jobMedian - localMedian)) / localMedian).toFixed(2)} %`}) |`,
    );
  }
}

async function cuts(root: string, live: Set<AgentProcess>): Promise<void> {
  const board = BOARDS[0] as string;
  console.log(
    `\n## more units, same work: ${TOTAL_STEPS.toLocaleString("en-US")} steps on ${board} cut into ${CUTS.join(", ")} units, 2 agents\n`,
  );
  console.log(
    "| units | steps per unit | best score | wall time | units per agent | overhead per unit |",
  );
  console.log(
    "| ----- | -------------- | ---------- | --------- | --------------- | ----------------- |",
  );
  const scores: number[] = [];
  for (const units of CUTS) {
    const stepsPerUnit = Math.round(TOTAL_STEPS / units);
    const job = await jobOnce(root, live, board, { units, stepsPerUnit, seed: 1 });
    scores.push(job.score);
    console.log(
      `| ${units} | ${stepsPerUnit.toLocaleString("en-US")} | ${job.score.toFixed(4)}${flag(job.others)} | ${seconds(job.wallMs)} | ${job.unitsPerAgent} | ${job.overheadPerUnitMs.toFixed(0)} ms |`,
    );
  }
  const spread = (100 * (Math.max(...scores) - Math.min(...scores))) / Math.min(...scores);
  console.log(`\nspread of the best scores: ${spread.toFixed(3)} %`);
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
  console.log(`distributed bench: ${cores} cores, node ${process.version}`);
  console.log(`calibrated: ${(await warmUp(root, live, BOARDS)).join(", ")}`);
  if (PARTS.includes("equal")) await equalWallTime(root, live);
  if (PARTS.includes("cuts")) await cuts(root, live);
} finally {
  await Promise.all([...live].map((agent) => agent.kill()));
  await rm(root, { recursive: true, force: true });
}
