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
  /** Stops the agent and resolves once it has finished. */
  stop(): Promise<void>;
}

/**
 * Runs a real agent in this process: one thread, a fixed calibration (no measuring), quick
 * retries and a short grace, on `dataDir` (default a fresh one), until `stop`.
 */
export function startTestAgent(
  urls: { hiveUrl: string; assetsUrl: string },
  dataDir = mkdtempSync(join(tmpdir(), "keyforge-agent-")),
): RunningTestAgent {
  const lines: string[] = [];
  const agent = new Agent({
    ...urls,
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
    stop() {
      stopping.abort();
      return running;
    },
  };
}
