import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type SearchProgress, searchLayouts } from "../core/search/layout-search.ts";
import { writeDurably } from "../infra/durable-file.ts";
import { letterBlockProblem } from "../infra/letter-block-problem.ts";
import { threadRunner } from "../infra/search/thread-runner.ts";
import type { Hardware } from "./hardware.ts";

export const CALIBRATION_FILE = "calibration.json";
/** How long the standard problem is searched to measure a thread's speed. */
const MEASURE_MS = 1500;

/** A measured speed, and what it was measured on. */
interface StoredCalibration {
  readonly stepsPerThread: number;
  readonly hardware: Hardware;
  readonly engine: string;
  readonly measuredAt: string;
}

/**
 * Annealing steps per second of one search thread on the standard problem: qwerty's letters on
 * corne's letter block, the built-in English corpus and default weights, searched for 1.5 s
 * after the first epoch. Starting the thread and compiling the problem are left out: they take
 * a second or more, which a unit pays once and a 1.5 s measure would count as slowness.
 */
export async function measureStepsPerThread(): Promise<number> {
  const problem = await letterBlockProblem("corne");
  const stop = new AbortController();
  let first: SearchProgress | null = null;
  let last: SearchProgress | null = null;
  let timer: NodeJS.Timeout | undefined;
  try {
    await searchLayouts(
      problem,
      {
        seed: 1,
        threads: 1,
        // The measure ends by the signal; the time limit only bounds a machine that never ends an epoch.
        budget: { timeMs: 60_000 },
        randomStart: true,
        signal: stop.signal,
        onProgress: (progress) => {
          if (first === null) timer = setTimeout(() => stop.abort(), MEASURE_MS);
          first ??= progress;
          last = progress;
        },
      },
      () => threadRunner(problem, 1),
    );
  } finally {
    clearTimeout(timer);
  }
  const [from, to] = [first as SearchProgress | null, last as SearchProgress | null];
  if (!from || !to || to.elapsedMs <= from.elapsedMs) {
    throw new Error("calibration: the search ended before it could be timed");
  }
  return (1000 * (to.steps - from.steps)) / (to.elapsedMs - from.elapsedMs);
}

/**
 * The agent's speed for the hive: steps per second of one thread on the standard problem,
 * times its threads. Measured once and kept in the data dir; measured again when the
 * hardware or the engine (KeyForge's version) changes, or the kept file cannot be read.
 */
export async function calibratedIps(
  dataDir: string,
  hardware: Hardware,
  threads: number,
  options: { engine: string; measure?: () => Promise<number> },
): Promise<{ ips: number; measured: boolean }> {
  const file = join(dataDir, CALIBRATION_FILE);
  const stored = await readFile(file, "utf8")
    .then((text) => JSON.parse(text) as StoredCalibration)
    .catch(() => null);
  const same =
    stored !== null &&
    stored.engine === options.engine &&
    JSON.stringify(stored.hardware) === JSON.stringify(hardware) &&
    Number.isFinite(stored.stepsPerThread) &&
    stored.stepsPerThread > 0;
  if (same) return { ips: stored.stepsPerThread * threads, measured: false };
  const stepsPerThread = await (options.measure ?? measureStepsPerThread)();
  const calibration: StoredCalibration = {
    stepsPerThread,
    hardware,
    engine: options.engine,
    measuredAt: new Date().toISOString(),
  };
  await writeDurably(file, `${JSON.stringify(calibration, null, 2)}\n`);
  return { ips: stepsPerThread * threads, measured: true };
}
