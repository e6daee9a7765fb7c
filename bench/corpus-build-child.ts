import { DEFAULT_NORMALIZATION } from "../src/core/text-normalization.ts";
import { countTextFiles } from "../src/infra/corpus-counting.ts";

/** Counts one file and reports time and peak memory of this process alone, as JSON. */
const path = process.argv[2] as string;
const started = performance.now();
const result = await countTextFiles([path], DEFAULT_NORMALIZATION);
const seconds = (performance.now() - started) / 1000;
const bytes = result.files.reduce((sum, f) => sum + f.size, 0);
console.log(
  JSON.stringify({
    seconds,
    bytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    distinctTrigrams: Object.keys(result.tables.trigrams).length,
  }),
);
