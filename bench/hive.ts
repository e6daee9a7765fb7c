import type { AddressInfo } from "node:net";
import autocannon from "autocannon";
import { AssetPublisher } from "../src/assetmgr/asset-publisher.ts";
import { buildHive } from "../src/hive/hive-app.ts";
import { ApiKeyRepository } from "../src/infra/db/api-key-repository.ts";
import { SYSTEM_DATA_DIR } from "../src/infra/system-data.ts";
import { leaseReplySchema } from "../src/protocol/node-messages.ts";
import { freshPostgres } from "../test/helpers/databases.ts";
import { HIVE_SECRET } from "../test/helpers/hive.ts";
import {
  layoutsOf,
  registerAgent,
  signedResult,
  type TestAgent,
} from "../test/helpers/hive-agent.ts";
import { IsolatedValkey } from "../test/helpers/valkey.ts";

/**
 * `npm run bench:hive`: one hive instance on the real PostgreSQL and Redis, loaded by simulated
 * agents on loopback: heartbeats/s (autocannon), then leases/s and results/s with full
 * verification (signature, nonce, re-scoring, exactly-once insert), with p50/p99 latencies.
 * BENCH_HIVE_AGENTS (default 32), BENCH_HIVE_SECONDS (default 10), BENCH_HIVE_UNITS (default 3000).
 */
const agents = Number(process.env.BENCH_HIVE_AGENTS ?? 32);
const seconds = Number(process.env.BENCH_HIVE_SECONDS ?? 10);
const unitCount = Number(process.env.BENCH_HIVE_UNITS ?? 3000);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function report(label: string, count: number, elapsedMs: number, latencies: number[]): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `hive ${label}: ${Math.round((count / elapsedMs) * 1000)} /s, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`,
  );
}

const { db, drop } = await freshPostgres({ maxConnections: 20 });
const valkey = new IsolatedValkey();
const coordinator = valkey.coordinator();
await new AssetPublisher({ coordinator, folders: [SYSTEM_DATA_DIR], log: () => {} }).reconcile();
const app = await buildHive({
  db,
  coordinator,
  secrets: [HIVE_SECRET],
  log: () => {},
  reaperPeriodMs: 0,
});
try {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const fleet: TestAgent[] = [];
  for (let i = 0; i < agents; i++) fleet.push(await registerAgent(app));
  console.log(`hive bench: ${agents} agents, node ${process.version}`);

  // Heartbeats: every agent beats as fast as the hive answers.
  const beats = await autocannon({
    url: base,
    connections: agents,
    duration: seconds,
    requests: fleet.map((agent) => ({
      method: "POST",
      path: `/nodes/${agent.nodeId}/heartbeat`,
      headers: { ...agent.headers, "content-type": "application/json" },
      body: JSON.stringify({ telemetry: { ips: 200_000, units: [] } }),
    })),
  });
  if (beats.non2xx > 0 || beats.errors > 0)
    throw new Error(`heartbeats: ${beats.non2xx} non-2xx, ${beats.errors} errors`);
  console.log(
    `hive heartbeats: ${Math.round(beats.requests.average)} /s, p50 ${beats.latency.p50} ms, p99 ${beats.latency.p99} ms`,
  );

  // Leases and results: the agents drain one job, a lease then a verified result per unit.
  const { token } = await new ApiKeyRepository(db).createKey("bench", "admin");
  const submitted = await fetch(`${base}/jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: "bench",
      board: "corne",
      corpora: [{ id: "en" }],
      search: { units: unitCount, stepsPerUnit: 10_000, seed: Date.now() % 1_000_000 },
    }),
  });
  const job = (await submitted.json()) as { content: Parameters<typeof layoutsOf>[0] };
  const { start } = await layoutsOf(job.content, coordinator);
  const leaseLatencies: number[] = [];
  const resultLatencies: number[] = [];
  let leases = 0;
  let results = 0;
  const began = performance.now();
  await Promise.all(
    fleet.map(async (agent) => {
      for (;;) {
        let at = performance.now();
        const reply = await fetch(`${base}/leases`, {
          method: "POST",
          headers: { ...agent.headers, "content-type": "application/json" },
          body: JSON.stringify({ nodeId: agent.nodeId, max: 1, waitSeconds: 0 }),
        });
        const [unit] = leaseReplySchema.parse(await reply.json()).units;
        leaseLatencies.push(performance.now() - at);
        if (!unit) return;
        leases++;
        at = performance.now();
        const answer = await fetch(`${base}/units/${unit.unitId}/result`, {
          method: "POST",
          headers: { ...agent.headers, "content-type": "application/json" },
          body: JSON.stringify(signedResult(agent, unit.unitId, start.text, start.score)),
        });
        if (answer.status !== 200)
          throw new Error(`result: ${answer.status} ${await answer.text()}`);
        resultLatencies.push(performance.now() - at);
        results++;
      }
    }),
  );
  const elapsed = performance.now() - began;
  report(`leases (1 unit each, ${agents} agents)`, leases, elapsed, leaseLatencies);
  report(`results (verified, ${agents} agents)`, results, elapsed, resultLatencies);
  console.log(
    `hive lease + result cycles: ${Math.round((results / elapsed) * 1000)} units/s end to end`,
  );
} finally {
  await app.close();
  await valkey.close();
  await drop();
}
