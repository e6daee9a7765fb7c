import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { AssetPublisher } from "../src/assetmgr/asset-publisher.ts";
import { buildHive } from "../src/hive/hive-app.ts";
import { ApiKeyRepository } from "../src/infra/db/api-key-repository.ts";
import { SYSTEM_DATA_DIR } from "../src/infra/system-data.ts";
import { freshPostgres } from "../test/helpers/databases.ts";
import { HIVE_SECRET } from "../test/helpers/hive.ts";
import { layoutsOf } from "../test/helpers/hive-agent.ts";
import { IsolatedValkey } from "../test/helpers/valkey.ts";
import type { LoadOrders, LoadReport, PhaseFigures } from "./hive-load.ts";

/**
 * `npm run bench:hive`: one hive instance on the real PostgreSQL and Redis, loaded over
 * loopback by simulated agents in a separate process (hive-load.ts): leases/s, heartbeats/s
 * (each reporting the agent's units) and results/s with full verification (signature, nonce,
 * re-scoring, exactly-once insert), with p50/p99 latencies and the hive's CPU time per request.
 * BENCH_HIVE_AGENTS (default 32), BENCH_HIVE_SECONDS (heartbeat phase, default 10),
 * BENCH_HIVE_UNITS (default 5000).
 */
const LOAD = fileURLToPath(new URL("./hive-load.ts", import.meta.url));
const agents = Number(process.env.BENCH_HIVE_AGENTS ?? 32);
const seconds = Number(process.env.BENCH_HIVE_SECONDS ?? 10);
const unitCount = Number(process.env.BENCH_HIVE_UNITS ?? 5000);

/** Runs the load process to its end, handing each line it reports to `onReport`. */
function runLoad(orders: LoadOrders, onReport: (line: LoadReport) => void): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", LOAD], {
    env: { ...process.env, BENCH_HIVE_LOAD: JSON.stringify(orders) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let pending = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk;
    for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
      onReport(JSON.parse(pending.slice(0, end)) as LoadReport);
      pending = pending.slice(end + 1);
    }
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`the load process exited with ${code}`)),
    );
  });
}

/** CPU time the whole machine has been busy, in ms (Linux /proc/stat), or null elsewhere. */
function machineBusyMs(): number | null {
  if (!existsSync("/proc/stat")) return null;
  const [, ...fields] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").split(/\s+/);
  const ticks = fields.filter((f) => f !== "").map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const busy = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0) - idle;
  return busy * 10; // USER_HZ is 100 on Linux
}

interface CpuMark {
  readonly hive: NodeJS.CpuUsage;
  readonly machineMs: number | null;
}

const cpuMark = (): CpuMark => ({ hive: process.cpuUsage(), machineMs: machineBusyMs() });

function printPhase({ phase, count, perSecond, p50, p99 }: PhaseFigures, since: CpuMark): void {
  const { user, system } = process.cpuUsage(since.hive);
  const hiveMs = (user + system) / 1000;
  const machineMs = machineBusyMs();
  const others =
    machineMs === null || since.machineMs === null
      ? ""
      : `, other processes ${((machineMs - since.machineMs - hiveMs) / count).toFixed(3)} ms`;
  const what =
    phase === "results"
      ? "results (verified)"
      : phase === "leases"
        ? "leases (1 unit each)"
        : phase;
  console.log(
    `hive ${what}: ${perSecond} /s over ${count}, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; CPU each: hive ${(hiveMs / count).toFixed(3)} ms${others}`,
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
  // Every request is counted, as in production; the limits are out of reach.
  rateLimits: {
    perClient: Number.MAX_SAFE_INTEGER,
    perKey: Number.MAX_SAFE_INTEGER,
    windowMs: 60_000,
  },
});
try {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const { token: adminKey } = await new ApiKeyRepository(db).createKey("bench", "admin");
  const submitted = await app.inject({
    method: "POST",
    url: "/jobs",
    headers: { authorization: `Bearer ${adminKey}` },
    payload: {
      name: "bench",
      board: "corne",
      corpora: [{ id: "en" }],
      search: { units: unitCount, stepsPerUnit: 10_000, seed: Date.now() % 1_000_000 },
    },
  });
  const { start } = await layoutsOf(submitted.json().content, coordinator);
  console.log(`hive bench: ${agents} agents, ${unitCount} units, node ${process.version}`);
  let phaseBegan = cpuMark();
  await runLoad(
    { base, secret: HIVE_SECRET, agents, seconds, layout: start.text, score: start.score },
    (line) => {
      if ("begins" in line) {
        phaseBegan = cpuMark();
        return;
      }
      printPhase(line, phaseBegan);
    },
  );
} finally {
  await app.close();
  await valkey.close();
  await drop();
}
