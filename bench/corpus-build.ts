import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeGeneratedText } from "./generated-text.ts";

const CHILD = fileURLToPath(new URL("./corpus-build-child.ts", import.meta.url));

interface ChildReport {
  seconds: number;
  bytes: number;
  peakRssBytes: number;
  distinctTrigrams: number;
}

/**
 * Corpus build throughput and peak memory, each size counted in a fresh process so peak memory
 * belongs to that size alone. Peak memory that stays flat as the input grows shows the
 * streaming bound.
 */
export async function benchCorpusBuild(sizesMb: readonly number[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "keyforge-bench-"));
  try {
    for (const mb of sizesMb) {
      const file = join(dir, `text-${mb}.txt`);
      await writeGeneratedText(file, mb);
      const out = execFileSync(process.execPath, ["--import", "tsx", CHILD, file], {
        encoding: "utf8",
      });
      const report = JSON.parse(out) as ChildReport;
      rmSync(file);
      const label = `corpus build (${mb} MB generated text)`;
      console.log(`${label}: throughput ${(report.bytes / 1e6 / report.seconds).toFixed(1)} MB/s`);
      console.log(`${label}: peak memory ${(report.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
      console.log(`${label}: distinct trigrams ${report.distinctTrigrams}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
