import { evaluateLayout } from "../src/core/scoring/layout-evaluation.ts";
import { searchLayouts } from "../src/core/search/search-coordinator.ts";
import { sequentialRunner } from "../src/core/search/sequential-runner.ts";
import { threadRunner } from "../src/infra/search/thread-runner.ts";
import { loadBoard, loadCorpus, loadLayout, loadWeights } from "../src/infra/system-data.ts";

const board = await loadBoard(process.argv[2] ?? "ortho-3x10");
const [corpus, weights] = [await loadCorpus("en"), await loadWeights("default")];
const start = await loadLayout("qwerty", board);
const block = new Set(board.letterBlock?.flat());
const excludedKeys = board.keys.flatMap((key, k) => (block.has(key.id) ? [] : [k]));
const t0 = Date.now();
const result = await searchLayouts(
  { board, corpus, weights, start, pins: [], excludedKeys },
  {
    seed: 1,
    threads: Number(process.argv[4] ?? 1),
    budget: { timeMs: Number(process.argv[3] ?? 10000) },
    randomStart: true,
    onProgress: (p) => {
      if (p.steps % 2_000_000 < 80_000)
        console.log(
          `${(p.elapsedMs / 1000).toFixed(1)}s steps ${p.steps} ${p.stepsPerSecond.toFixed(0)}/s best ${p.best.score.toFixed(3)} acc ${p.acceptance.toFixed(3)} T ${p.coldestTemperature.toExponential(2)}..${p.hottestTemperature.toExponential(2)}`,
        );
    },
  },
  (m) =>
    process.argv[4]
      ? threadRunner(
          { board, corpus, weights, start, pins: [], excludedKeys },
          Number(process.argv[4]),
        )
      : sequentialRunner(m),
);
console.log(
  "done",
  result.best.score,
  result.steps,
  result.stepsPerSecond.toFixed(0),
  result.acceptance.toFixed(3),
  Date.now() - t0,
);
const chars = Array.from(result.best.items, (item) =>
  item < result.model.charCount ? result.model.chars[item]! : null,
);
const layout = { name: "found", boardId: board.id, chars };
const { formatLayout } = await import("../src/core/layout.ts");
console.log(formatLayout(layout, board));
const a = evaluateLayout({ board, corpus, weights, layout });
console.log("score", a.score, "sfb", a.metrics.sfb.toFixed(2), "sfs", a.metrics.sfs.toFixed(2));
