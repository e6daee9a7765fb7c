import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { startHive } from "../test/helpers/hive.ts";
import { registerAgent } from "../test/helpers/hive-agent.ts";
import {
  HIVE_ROUTES,
  hostileBody,
  pathSegment,
  requestBody,
  requestHeaders,
  requestQuery,
} from "../test/helpers/hive-requests.ts";

/**
 * `npm run fuzz`: generated requests against a hive on the real PostgreSQL and Redis, over
 * loopback HTTP, from several connections at once. Most are small random or malformed
 * requests with and without valid credentials; one in HOSTILE_EVERY carries a hostile body
 * (megabytes, deep nesting, thousands of keys, extreme numbers). It prints the requests sent,
 * the 5xx answers (there must be none: the run fails otherwise), the slowest answer and the
 * process's peak memory. FUZZ_REQUESTS (default 100,000), FUZZ_CONNECTIONS (default 16),
 * FUZZ_SEED (default: random, printed).
 */
const total = Number(process.env.FUZZ_REQUESTS ?? 100_000);
const connections = Number(process.env.FUZZ_CONNECTIONS ?? 16);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const HOSTILE_EVERY = 50;
/** A request that has not been answered in this long counts as a failure (a stalled hive). */
const ANSWER_WITHIN_MS = 60_000;

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

interface Outcome {
  readonly status: number;
  readonly ms: number;
  readonly request: FuzzRequest;
  readonly answer: string;
}

async function main(): Promise<void> {
  const hive = await startHive("server");
  await hive.app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(hive.app.server.address() as AddressInfo).port}`;
  const agent = await registerAgent(hive.app);
  const credentials = [hive.auth.alice, hive.auth.admin, hive.auth.secret, agent.headers, {}];
  const idFor = fc.oneof(fc.constantFrom(agent.nodeId, "a".repeat(64)), pathSegment);

  const request: fc.Arbitrary<FuzzRequest> = fc
    .tuple(
      fc.constantFrom(...HIVE_ROUTES),
      idFor,
      requestQuery,
      fc.oneof(
        { weight: HOSTILE_EVERY - 1, arbitrary: requestBody },
        { weight: 1, arbitrary: hostileBody },
      ),
      fc.oneof(
        fc.constantFrom(...credentials).map((auth) => ({
          ...auth,
          "content-type": "application/json",
        })),
        requestHeaders,
      ),
    )
    .map(([[method, template], id, query, body, headers]) => ({
      method,
      path: template.replace(":id", id) + query,
      headers: headers as Record<string, string>,
      body: method === "GET" ? undefined : body,
    }));
  // Drawn a batch at a time, each batch from its own seed: the whole run held at once would
  // be gigabytes of hostile bodies, and would hide the hive's memory behind the fuzzer's.
  const BATCH = 500;
  let batch: FuzzRequest[] = [];
  const requestAt = (index: number): FuzzRequest => {
    if (index % BATCH === 0) {
      batch = fc.sample(request, { numRuns: BATCH, seed: seed + index / BATCH });
    }
    return batch[index % BATCH] as FuzzRequest;
  };

  let peakRss = process.memoryUsage().rss;
  const memory = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const failures: Outcome[] = [];
  let slowest: Outcome | undefined;
  let sent = 0;
  const started = performance.now();

  async function send(item: FuzzRequest): Promise<Outcome> {
    const begun = performance.now();
    try {
      const response = await fetch(`${base}${item.path}`, {
        method: item.method,
        headers: item.headers,
        body: item.body,
        signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
      });
      const answer = (await response.text()).slice(0, 300);
      return { status: response.status, ms: performance.now() - begun, request: item, answer };
    } catch (error) {
      // An unanswered request counts as a failure: status 0.
      const answer = String((error as Error).message);
      return { status: 0, ms: performance.now() - begun, request: item, answer };
    }
  }

  async function connection(): Promise<void> {
    for (let next = sent++; next < total; next = sent++) {
      const outcome = await send(requestAt(next));
      if (outcome.status >= 500 || outcome.status === 0) failures.push(outcome);
      if (!slowest || outcome.ms > slowest.ms) slowest = outcome;
      if (next > 0 && next % 10_000 === 0) console.error(`fuzz: ${next} requests sent`);
    }
  }
  await Promise.all(Array.from({ length: connections }, connection));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(memory);
  await hive.close();

  const describe = (o: Outcome) =>
    `${o.request.method} ${o.request.path.slice(0, 80)} (${o.request.body?.length ?? 0} bytes) → ${o.status}`;
  console.log(`fuzz seed: ${seed}`);
  console.log(
    `fuzz requests: ${total} in ${seconds.toFixed(1)} s (${Math.round(total / seconds)} requests/s)`,
  );
  console.log(`fuzz 5xx or unanswered: ${failures.length}`);
  if (slowest)
    console.log(`fuzz slowest answer: ${slowest.ms.toFixed(0)} ms, ${describe(slowest)}`);
  console.log(
    `fuzz peak memory (hive and fuzzer, one process): ${Math.round(peakRss / 2 ** 20)} MB`,
  );
  for (const failure of failures.slice(0, 10)) {
    console.error(`  ${describe(failure)}: ${failure.answer}`);
  }
  if (failures.length > 0) process.exitCode = 1;
}

await main();
