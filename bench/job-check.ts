import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { JobCompiler } from "../src/infra/job-compiler.ts";
import { SYSTEM_DATA_DIR } from "../src/infra/system-data.ts";
import { jobContentSchema } from "../src/protocol/job-messages.ts";
import { jobModel } from "../src/protocol/job-problem.ts";
import { largeBoardData } from "../test/helpers/large-board.ts";

const assets = new Map<string, Uint8Array>();
function shipped(path: string) {
  const bytes = readFileSync(join(SYSTEM_DATA_DIR, path));
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  assets.set(sha256, bytes);
  return { path, sha256 };
}
const read = async (sha256: string) => assets.get(sha256) as Uint8Array;

/** A job searching every key of an inline board of `keys` keys, on the shipped assets. */
function jobOf(keys: number) {
  return jobContentSchema.parse({
    format: "keyforge-job/1",
    board: { inline: largeBoardData(keys) },
    start: shipped("layouts/qwerty.json"),
    corpora: [{ ...shipped("corpora/en.json"), weight: 1 }],
    weights: shipped("weights/balanced.json"),
    weightOverrides: {},
    search: { units: 1, stepsPerUnit: 10_000, allKeys: true },
  });
}

async function medianMs(runs: number, run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

/**
 * What checking a job costs the hive (POST /jobs builds its problem and model): boards of 110
 * keys (the largest real ones) and 256 (the boardKeys limit), every key searched, the English
 * corpus; in place, and through the compile pool (its worker thread started, then warm).
 */
export async function benchJobCheck(runs: number): Promise<void> {
  for (const keys of [110, 256]) {
    const job = jobOf(keys);
    const label = `job check (${keys} keys, all searched)`;
    console.log(
      `${label}: in place ${(await medianMs(runs, () => jobModel(job, read))).toFixed(0)} ms`,
    );
    const compiler = new JobCompiler();
    try {
      const first = await medianMs(1, () => compiler.compile(job, read));
      console.log(`${label}: compile pool, thread starting ${first.toFixed(0)} ms`);
      const warm = await medianMs(runs, () => compiler.compile(job, read));
      console.log(`${label}: compile pool, warm thread ${warm.toFixed(0)} ms`);
    } finally {
      await compiler.close();
    }
  }
}
