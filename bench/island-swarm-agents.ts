import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent as HttpAgent } from "node:http";
import { SCORING_RULES } from "../src/core/scoring/model.ts";
import { signResult } from "../src/infra/node-signatures.ts";
import {
  type LeasedUnit,
  leaseReplySchema,
  nodeRegisteredSchema,
} from "../src/protocol/node-messages.ts";
import { postJson } from "./post-json.ts";

/**
 * The simulated agents of `npm run bench:swarm` (island-swarm.ts), one share of the fleet per
 * process, forked with an IPC channel. No agent searches: each walks down its own path of a
 * pool of real layouts of the job (sorted worst first, with the hive's scores), improving every
 * few heartbeats, adopting the migrants the hive answers, and handing in a signed result when
 * its unit's time is up before it leases the next. Messages: the bench sends `SwarmOrders`, the
 * process answers "ready" once its agents are registered, the bench sends "go" with the common
 * start time, and the process sends its `SwarmFigures` when the run is over.
 */
export interface SwarmOrders {
  readonly type: "orders";
  readonly base: string;
  readonly secret: string;
  /** Agents this process runs. */
  readonly agents: number;
  readonly seconds: number;
  readonly unitSeconds: number;
  readonly heartbeatSeconds: number;
  /** A JSON file of `PoolLayout[]`, worst score first. */
  readonly poolFile: string;
}

export interface PoolLayout {
  readonly layout: string;
  readonly score: number;
}

export type RequestKind = "register" | "lease" | "heartbeat" | "result";

export interface SwarmFigures {
  readonly type: "figures";
  /** Latencies in ms of every answered request, by kind. */
  readonly latencies: Record<RequestKind, number[]>;
  /** When each of them was answered (epoch ms), in the same order. */
  readonly answeredAt: Record<RequestKind, number[]>;
  /** Failed requests (not 2xx, or no answer), by kind, and the first few messages. */
  readonly failures: Record<RequestKind, number>;
  readonly failureSamples: string[];
  readonly beatsWithBest: number;
  readonly migrantsReceived: number;
  readonly finishCommands: number;
  readonly abortCommands: number;
  readonly emptyLeases: number;
  /** The best pool position any agent of this process reached (0 = the worst layout). */
  readonly bestIndex: number;
}

export type ToSwarmAgents = SwarmOrders | { readonly type: "go"; readonly at: number };
export type FromSwarmAgents = { readonly type: "ready" } | SwarmFigures;

/** How often a unit sends its best although it did not improve (as the agent does). */
const BEST_EVERY_BEATS = 12;
/** Heartbeats between an agent's improvements: 2 to 4. */
const IMPROVE_GAP = [2, 4] as const;
/** Most pool positions one improvement moves down. */
const IMPROVE_STEP = 20;

interface Unit {
  readonly leased: LeasedUnit;
  readonly endsAt: number;
  beats: number;
}

interface SimulatedAgent {
  readonly nodeId: string;
  readonly privateKey: KeyObject;
  readonly headers: Record<string, string>;
  unit: Unit | null;
  /** The unit's best: a position in the pool. */
  index: number;
  improvedSinceBeat: boolean;
  beatsToImprove: number;
  /** A result or lease in flight: the unit is changing hands. */
  busy: boolean;
}

function send(message: FromSwarmAgents): void {
  process.send?.(message);
}

const orders = await new Promise<SwarmOrders>((resolve) => {
  process.once("message", (message: ToSwarmAgents) => {
    if (message.type === "orders") resolve(message);
  });
});
const pool = JSON.parse(readFileSync(orders.poolFile, "utf8")) as PoolLayout[];
const poolIndex = new Map(pool.map((entry, i) => [entry.layout, i]));

const latencies: Record<RequestKind, number[]> = {
  register: [],
  lease: [],
  heartbeat: [],
  result: [],
};
const answeredAt: Record<RequestKind, number[]> = {
  register: [],
  lease: [],
  heartbeat: [],
  result: [],
};
const failures: Record<RequestKind, number> = { register: 0, lease: 0, heartbeat: 0, result: 0 };
const failureSamples: string[] = [];
let beatsWithBest = 0;
let migrantsReceived = 0;
let finishCommands = 0;
let abortCommands = 0;
let emptyLeases = 0;
let bestIndex = 0;

const connections = new HttpAgent({ keepAlive: true, maxSockets: orders.agents });
/** Requests not answered yet, and the timers of units still running: both end the run. */
const inFlight = new Set<Promise<unknown>>();
const unitTimers = new Set<NodeJS.Timeout>();

/** POSTs JSON, timing the answer under `kind`; rejects on anything but 200/201. */
function post(
  kind: RequestKind,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<unknown> {
  const began = performance.now();
  const answer = postJson(connections, `${orders.base}${path}`, headers, body)
    .then((parsed) => {
      latencies[kind].push(performance.now() - began);
      answeredAt[kind].push(Date.now());
      return parsed;
    })
    .catch((error: unknown) => {
      failures[kind]++;
      if (failureSamples.length < 10) failureSamples.push(String(error));
      throw error;
    });
  inFlight.add(answer);
  const settled = () => {
    inFlight.delete(answer);
  };
  answer.then(settled, settled);
  return answer;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const randomInt = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));

async function register(): Promise<SimulatedAgent> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const reply = nodeRegisteredSchema.parse(
    await post(
      "register",
      "/nodes/register",
      { authorization: `Bearer ${orders.secret}` },
      {
        publicKey: publicKey.export({ format: "jwk" }).x,
        hardware: { cpuModel: "Bench agent CPU", cores: 1, arch: "x64" },
        calibratedIps: 200_000,
        threads: 1,
      },
    ),
  );
  return {
    nodeId: reply.nodeId,
    privateKey,
    headers: { authorization: `Bearer ${reply.token}` },
    unit: null,
    index: randomInt(0, 2 * IMPROVE_STEP),
    improvedSinceBeat: false,
    beatsToImprove: randomInt(...IMPROVE_GAP),
    busy: false,
  };
}

const fleet: SimulatedAgent[] = [];
for (let i = 0; i < orders.agents; i++) fleet.push(await register());
send({ type: "ready" });
const goAt = await new Promise<number>((resolve) => {
  process.once("message", (message: ToSwarmAgents) => {
    if (message.type === "go") resolve(message.at);
  });
});
const stopAt = goAt + orders.seconds * 1000;

/** The best pool position reachable now: the pool is spent evenly over the run. */
function frontier(): number {
  const share = Math.min(1, (Date.now() - goAt) / (orders.seconds * 1000));
  return Math.floor((pool.length - 1) * share);
}

/** Leases the agent's next unit, which starts from a layout behind the job's best. */
async function lease(agent: SimulatedAgent): Promise<void> {
  const { units } = leaseReplySchema.parse(
    await post("lease", "/leases", agent.headers, {
      nodeId: agent.nodeId,
      max: 1,
      waitSeconds: 0,
      islands: true,
      scoring: SCORING_RULES,
    }),
  );
  const leased = units[0];
  if (!leased) {
    emptyLeases++;
    return;
  }
  const unit = { leased, endsAt: Date.now() + orders.unitSeconds * 1000, beats: 0 };
  agent.unit = unit;
  // The unit's time is up: its result goes then (unless the hive told it to finish first).
  const timer = setTimeout(() => {
    unitTimers.delete(timer);
    if (agent.unit === unit && Date.now() < stopAt) void finishUnit(agent);
  }, orders.unitSeconds * 1000);
  unitTimers.add(timer);
  // A unit starts from the job's best layouts (as far as the agent knows them) and its first
  // epochs leave it a little behind them.
  agent.index = randomInt(Math.max(0, agent.index - 2 * IMPROVE_STEP), agent.index);
  agent.improvedSinceBeat = true;
}

/** Hands in the unit's best, signed, and leases the next unit. */
async function finishUnit(agent: SimulatedAgent): Promise<void> {
  const unit = agent.unit;
  if (!unit || agent.busy) return;
  agent.busy = true;
  agent.unit = null;
  try {
    const best = pool[agent.index] as PoolLayout;
    const durationMs = Math.round(Date.now() - (unit.endsAt - orders.unitSeconds * 1000));
    const submission = signResult(agent.privateKey, unit.leased.unitId, {
      layout: best.layout,
      score: best.score,
      steps: Math.min(unit.leased.steps, Math.round(durationMs * 200)),
      durationMs,
    });
    await post(
      "result",
      `/units/${encodeURIComponent(unit.leased.unitId)}/result`,
      agent.headers,
      submission,
    ).catch(() => {});
    if (Date.now() < stopAt) await lease(agent).catch(() => {});
  } finally {
    agent.busy = false;
  }
}

interface BeatReply {
  readonly commands: { type: string; unitId: string }[];
  readonly migrants?: { unitId: string; layout: string; score: number }[];
}

async function heartbeat(agent: SimulatedAgent): Promise<void> {
  const unit = agent.unit;
  if (unit && --agent.beatsToImprove <= 0) {
    agent.beatsToImprove = randomInt(...IMPROVE_GAP);
    const reachable = frontier();
    if (agent.index < reachable) {
      agent.index = Math.min(reachable, agent.index + randomInt(1, IMPROVE_STEP));
      agent.improvedSinceBeat = true;
    }
  }
  const units = [];
  if (unit) {
    unit.beats++;
    const best = pool[agent.index] as PoolLayout;
    const withBest = agent.improvedSinceBeat || unit.beats % BEST_EVERY_BEATS === 0;
    agent.improvedSinceBeat = false;
    if (withBest) beatsWithBest++;
    units.push({
      unitId: unit.leased.unitId,
      bestScore: best.score,
      ...(withBest ? { best: { layout: best.layout, score: best.score } } : {}),
    });
  }
  bestIndex = Math.max(bestIndex, agent.index);
  const reply = (await post("heartbeat", `/nodes/${agent.nodeId}/heartbeat`, agent.headers, {
    telemetry: { ips: unit ? 200_000 : 0, units, islands: true },
  })) as BeatReply;
  for (const migrant of reply.migrants ?? []) {
    migrantsReceived++;
    const at = poolIndex.get(migrant.layout);
    if (agent.unit?.leased.unitId === migrant.unitId && at !== undefined && at > agent.index) {
      agent.index = at;
    }
  }
  for (const command of reply.commands) {
    if (command.unitId !== agent.unit?.leased.unitId) continue;
    if (command.type === "finish") {
      finishCommands++;
      void finishUnit(agent);
    } else if (command.type === "abort") {
      abortCommands++;
      agent.unit = null;
    }
  }
}

/** One agent: starts within the first heartbeat interval, beats on its own clock until the stop. */
async function run(agent: SimulatedAgent): Promise<void> {
  const interval = orders.heartbeatSeconds * 1000;
  let nextBeat = goAt + Math.random() * interval;
  await sleep(nextBeat - Date.now());
  await lease(agent).catch(() => {});
  while (Date.now() < stopAt) {
    if (!agent.unit && !agent.busy) await lease(agent).catch(() => {});
    await heartbeat(agent).catch(() => {});
    nextBeat += interval;
    await sleep(nextBeat - Date.now());
  }
}

await Promise.all(fleet.map(run));
for (const timer of unitTimers) clearTimeout(timer);
while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
send({
  type: "figures",
  latencies,
  answeredAt,
  failures,
  failureSamples,
  beatsWithBest,
  migrantsReceived,
  finishCommands,
  abortCommands,
  emptyLeases,
  bestIndex,
});
connections.destroy();
process.disconnect();
