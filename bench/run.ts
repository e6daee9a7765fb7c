import { benchAssetsGateway } from "./assets-gateway.ts";
import { benchCorpusBuild } from "./corpus-build.ts";
import { benchJobCheck } from "./job-check.ts";
import { benchLeasing } from "./leasing.ts";
import { benchScoring, benchTrigramCoverage } from "./scoring.ts";
import { benchSearchSpeed } from "./search.ts";

/** `npm run bench`: every benchmark, one line per figure with its unit. */
const corpusSizes = (process.env.BENCH_CORPUS_MB ?? "64,1024").split(",").map(Number);

console.log(`node ${process.version}, ${process.arch}`);
await benchScoring(["corne", "ortho-3x10"]);
await benchTrigramCoverage("corne", [0.9, 0.95, 1]);
const searchSteps = Number(process.env.BENCH_SEARCH_STEPS ?? 4_000_000);
await benchSearchSpeed("corne", searchSteps);
await benchSearchSpeed("ortho-3x10", searchSteps);
await benchCorpusBuild(corpusSizes);
await benchLeasing(Number(process.env.BENCH_LEASE_UNITS ?? 10_000));
await benchAssetsGateway(Number(process.env.BENCH_ASSETS_SECONDS ?? 5));
await benchJobCheck(Number(process.env.BENCH_JOB_CHECK_RUNS ?? 5));
