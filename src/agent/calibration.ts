import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { searchLayouts } from "../core/search/search-coordinator.ts";
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
 * corne's letter block, the built-in English corpus and default weights, searched for 1.5 s.
 */
export async function measureStepsPerThread(): Promise<number> {
  const problem = await letterBlockProblem("corne");
  const result = await searchLayouts(
    problem,
    { seed: 1, threads: 1, budget: { timeMs: MEASURE_MS }, randomStart: true },
    () => threadRunner(problem, 1),
  );
  return result.stepsPerSecond;
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
