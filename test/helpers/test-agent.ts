import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "../../src/agent/agent.ts";
import { HIVE_SECRET } from "./hive.ts";

export interface RunningTestAgent {
  readonly agent: Agent;
  /** Every line the agent logged so far. */
  readonly lines: string[];
  readonly dataDir: string;
  /** Settles when the agent has finished: stopped, or refused by the hive for good. */
  readonly finished: Promise<void>;
  /** Stops the agent and resolves once it has finished. */
  stop(): Promise<void>;
}

/**
 * Runs a real agent in this process: one thread, a fixed calibration (no measuring), quick
 * retries and a short grace, on `dataDir` (default a fresh one), until `stop`. It registers
 * with the test hive's secret, or with `options.joinToken`.
 */
export function startTestAgent(
  urls: { hiveUrl: string; assetsUrl: string },
  dataDir = mkdtempSync(join(tmpdir(), "keyforge-agent-")),
  options: { joinToken?: string; name?: string; missingAssetPatienceMs?: number } = {},
): RunningTestAgent {
  const lines: string[] = [];
  const agent = new Agent({
    ...urls,
    ...options,
    dataDir,
    secret: () => HIVE_SECRET,
    threads: 1,
    engine: "test",
    log: (line) => lines.push(line),
    measure: async () => 200_000,
    retryBaseMs: 50,
    graceMs: 1000,
  });
  const stopping = new AbortController();
  const running = agent.run(stopping.signal);
  return {
    agent,
    lines,
    dataDir,
    finished: running,
    stop() {
      stopping.abort();
      return running;
    },
  };
}
