import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { Agent as HttpAgent } from "node:http";
import autocannon from "autocannon";
import { SCORING_RULES } from "../src/core/scoring/model.ts";
import { signResult } from "../src/infra/node-signatures.ts";
import {
  type LeasedUnit,
  leaseReplySchema,
  nodeRegisteredSchema,
} from "../src/protocol/node-messages.ts";
import { percentile, postJson } from "./post-json.ts";

/**
 * The simulated agents of `npm run bench:hive`, in their own process so that the hive under
 * test has a core to itself. Reads its orders from BENCH_HIVE_LOAD (JSON, see `LoadOrders`),
 * drives the hive over HTTP (keep-alive connections, as agents hold them) and prints a JSON
 * line when each phase begins and one with its figures when it ends.
 */
export interface LoadOrders {
  readonly base: string;
  readonly secret: string;
  readonly agents: number;
  readonly seconds: number;
  /** A layout every unit may return, and its score as the hive computes it. */
  readonly layout: string;
  readonly score: number;
}

export type Phase = "leases" | "heartbeats" | "results";

/** What the load process prints, one JSON object per line. */
export type LoadReport = { readonly begins: Phase } | PhaseFigures;

export interface PhaseFigures {
  readonly phase: Phase;
  readonly count: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

interface Agent {
  readonly nodeId: string;
  readonly privateKey: KeyObject;
  readonly headers: Record<string, string>;
  readonly units: LeasedUnit[];
}

const orders = JSON.parse(process.env.BENCH_HIVE_LOAD ?? "") as LoadOrders;

function figures(
  phase: PhaseFigures["phase"],
  latencies: number[],
  elapsedMs: number,
): PhaseFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    phase,
    count: sorted.length,
    perSecond: Math.round((sorted.length / elapsedMs) * 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

const connections = new HttpAgent({ keepAlive: true, maxSockets: orders.agents });

function post(path: string, headers: Record<string, string>, body: unknown): Promise<unknown> {
  return postJson(connections, `${orders.base}${path}`, headers, body);
}

async function register(): Promise<Agent> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const reply = nodeRegisteredSchema.parse(
    await post(
      "/nodes/register",
      { authorization: `Bearer ${orders.secret}` },
      {
        publicKey: publicKey.export({ format: "jwk" }).x,
        hardware: { cpuModel: "Bench agent CPU", cores: 2, arch: "x64" },
        calibratedIps: 200_000,
        // The most a node may hold: the fleet takes the whole queue between them.
        threads: 256,
      },
    ),
  );
  return {
    nodeId: reply.nodeId,
    privateKey,
    headers: { authorization: `Bearer ${reply.token}` },
    units: [],
  };
}

/** Every agent leases one unit per call until the queue is empty. */
async function leaseAll(fleet: readonly Agent[]): Promise<PhaseFigures> {
  const latencies: number[] = [];
  const began = performance.now();
  await Promise.all(
    fleet.map(async (agent) => {
      for (;;) {
        const at = performance.now();
        const { units } = leaseReplySchema.parse(
          await post("/leases", agent.headers, {
            nodeId: agent.nodeId,
            max: 1,
            waitSeconds: 0,
            scoring: SCORING_RULES,
          }),
        );
        if (units.length === 0) return;
        latencies.push(performance.now() - at);
        agent.units.push(...units);
      }
    }),
  );
  return figures("leases", latencies, performance.now() - began);
}

/** Every agent beats as fast as the hive answers, reporting the units it holds. */
async function heartbeats(fleet: readonly Agent[]): Promise<PhaseFigures> {
  const result = await autocannon({
    url: orders.base,
    connections: fleet.length,
    duration: orders.seconds,
    requests: fleet.map((agent) => ({
      method: "POST",
      path: `/nodes/${agent.nodeId}/heartbeat`,
      headers: { ...agent.headers, "content-type": "application/json" },
      body: JSON.stringify({
        telemetry: {
          ips: 200_000,
          units: agent.units.slice(0, 2).map((unit) => ({ unitId: unit.unitId, bestScore: 1 })),
        },
      }),
    })),
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`heartbeats: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return {
    phase: "heartbeats",
    count: result.requests.total,
    perSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/**
 * The agents submit a signed result for every unit they hold, over one connection each; a
 * connection whose agent is done takes another agent's next result (with that agent's token).
 */
async function submitAll(fleet: readonly Agent[]): Promise<PhaseFigures> {
  // Agents sign as they finish units, not in the hive's time: sign every body up front.
  const submissions = fleet.flatMap((agent) =>
    agent.units.map((unit) => {
      const submission = signResult(agent.privateKey, unit.unitId, {
        layout: orders.layout,
        score: orders.score,
        steps: unit.steps,
        durationMs: 1000,
      });
      return {
        method: "POST" as const,
        path: `/units/${unit.unitId}/result`,
        headers: { ...agent.headers, "content-type": "application/json" },
        body: JSON.stringify(submission),
      };
    }),
  );
  report({ begins: "results" });
  let next = 0;
  const began = performance.now();
  // Timed to the last answer: autocannon notices that it is done only on its next tick.
  let lastAnswerAt = began;
  const result = await autocannon({
    url: orders.base,
    connections: fleet.length,
    amount: submissions.length,
    requests: [
      {
        setupRequest: (request) => ({ ...request, ...submissions[next++] }),
        onResponse: () => {
          lastAnswerAt = performance.now();
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`results: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return {
    phase: "results",
    count: result.requests.total,
    perSecond: Math.round((result.requests.total / (lastAnswerAt - began)) * 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

function report(line: LoadReport): void {
  console.log(JSON.stringify(line));
}

const fleet: Agent[] = [];
for (let i = 0; i < orders.agents; i++) fleet.push(await register());
report({ begins: "leases" });
report(await leaseAll(fleet));
report({ begins: "heartbeats" });
report(await heartbeats(fleet));
report(await submitAll(fleet));
