import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { formatLayout, layoutFromText } from "../../src/core/layout.ts";
import { analyzeLayout } from "../../src/core/scoring/analysis.ts";
import { itemsOfLayout, LayoutScorer } from "../../src/core/scoring/layout-scorer.ts";
import { SCORING_RULES } from "../../src/core/scoring/model.ts";
import { rescoreLayout } from "../../src/core/search/result-check.ts";
import { compileSearchModel } from "../../src/core/search/search-problem.ts";
import { AssetCatalog } from "../../src/hive/asset-catalog.ts";
import type { Coordinator } from "../../src/infra/coord/coordinator.ts";
import { signResult, type UnsignedResult } from "../../src/infra/node-signatures.ts";
import type { JobContent, JobView } from "../../src/protocol/job-messages.ts";
import { jobProblem } from "../../src/protocol/job-problem.ts";
import {
  type LeasedUnit,
  leaseReplySchema,
  nodeRegisteredSchema,
} from "../../src/protocol/node-messages.ts";
import { HIVE_SECRET } from "./hive.ts";

/** An agent as the hive sees it: registered, with its key and token. */
export interface TestAgent {
  readonly nodeId: string;
  readonly privateKey: KeyObject;
  readonly headers: Record<string, string>;
}

/**
 * Registers an agent with the test secret: 100,000 steps/s over 64 threads unless told, so
 * that one agent may hold every unit a test leases to it.
 */
export async function registerAgent(
  app: FastifyInstance,
  options: { name?: string; threads?: number; calibratedIps?: number } = {},
): Promise<TestAgent> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const response = await app.inject({
    method: "POST",
    url: "/nodes/register",
    headers: { authorization: `Bearer ${HIVE_SECRET}` },
    payload: {
      threads: 64,
      calibratedIps: 100_000,
      ...options,
      publicKey: publicKey.export({ format: "jwk" }).x,
      hardware: { cpuModel: "Test agent CPU", cores: 2, arch: "x64" },
    },
  });
  const body = nodeRegisteredSchema.parse(response.json());
  return { nodeId: body.nodeId, privateKey, headers: { authorization: `Bearer ${body.token}` } };
}

/**
 * Submits a job of `units` units on corne and leases them all to `agent`; `search` adds to the
 * job's search settings (pins, place, exclude, stayClose).
 */
export async function leasedJob(
  app: FastifyInstance,
  submitter: Record<string, string>,
  agent: TestAgent,
  units: number,
  seed: number,
  search: Record<string, unknown> = {},
): Promise<{ job: JobView; units: LeasedUnit[] }> {
  const submitted = await app.inject({
    method: "POST",
    url: "/jobs",
    headers: submitter,
    payload: {
      name: `job ${seed}`,
      board: "corne",
      corpora: [{ id: "en" }],
      search: { units, stepsPerUnit: 50_000, seed, ...search },
    },
  });
  assert.ok(submitted.statusCode < 300, submitted.body);
  const job = submitted.json() as JobView;
  const leased: LeasedUnit[] = [];
  while (leased.filter((u) => u.jobId === job.id).length < units) {
    const reply = await app.inject({
      method: "POST",
      url: "/leases",
      headers: agent.headers,
      payload: { nodeId: agent.nodeId, max: 64, waitSeconds: 0, scoring: SCORING_RULES },
    });
    const got = leaseReplySchema.parse(reply.json()).units;
    assert.ok(got.length > 0, "units to lease");
    leased.push(...got);
  }
  return { job, units: leased.filter((u) => u.jobId === job.id) };
}

/**
 * Layouts a search of the job could return, with the hive's scores: the start layout, one with
 * two letters swapped, and one (invalid) that moves a key the search must leave alone; and the
 * metrics of any layout text under the job's model.
 */
export async function layoutsOf(content: JobContent, coordinator: Coordinator) {
  const catalog = new AssetCatalog(coordinator);
  const problem = await jobProblem(content, (sha) => catalog.read(sha));
  const model = compileSearchModel(problem);
  const [a, b] = [model.movableKeys[0] as number, model.movableKeys[1] as number];
  const chars = [...problem.start.chars];
  [chars[a], chars[b]] = [chars[b] ?? null, chars[a] ?? null];
  const swapped = { ...problem.start, chars };
  const fixedKey = problem.board.keys.findIndex(
    (_, k) => !model.movableKeys.includes(k) && problem.start.chars[k] !== null,
  );
  const moved = [...problem.start.chars];
  [moved[a], moved[fixedKey]] = [moved[fixedKey] ?? null, moved[a] ?? null];
  return {
    start: {
      text: formatLayout(problem.start, problem.board),
      score: rescoreLayout(model, problem, problem.start),
    },
    swapped: {
      text: formatLayout(swapped, problem.board),
      score: rescoreLayout(model, problem, swapped),
    },
    movingFixedKey: formatLayout({ ...problem.start, chars: moved }, problem.board),
    metricsOf: (text: string) =>
      analyzeLayout(
        new LayoutScorer(model, itemsOfLayout(model, layoutFromText(text, problem.board, "test"))),
      ).metrics,
  };
}

/** A result body signed by the agent, with a fresh nonce. */
export function signedResult(
  agent: TestAgent,
  unitId: string,
  layout: string,
  score: number,
  overrides: Record<string, unknown> = {},
) {
  return signResult(agent.privateKey, unitId, {
    layout,
    score,
    steps: 50_000,
    durationMs: 1234,
    ...(overrides as Partial<UnsignedResult>),
  });
}

export function submitResult(app: FastifyInstance, agent: TestAgent, unitId: string, body: object) {
  return app.inject({
    method: "POST",
    url: `/units/${encodeURIComponent(unitId)}/result`,
    headers: agent.headers,
    payload: body,
  });
}
