import { itemsOfLayout, LayoutScorer } from "../src/core/scoring/layout-scorer.ts";
import { overrideWeights } from "../src/core/scoring/weights.ts";
import { compileSearchModel } from "../src/core/search/search-problem.ts";
import { letterBlockProblem } from "../src/infra/letter-block-problem.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const MOVES = 1 << 16;

/** Deterministic random key pairs and triples among the movable keys (Park–Miller). */
function randomMoves(movable: Int32Array): Int32Array {
  const moves = new Int32Array(3 * MOVES);
  let state = 12345;
  for (let i = 0; i < moves.length; i++) {
    state = (state * 48271) % 2147483647;
    moves[i] = movable[state % movable.length] as number;
  }
  return moves;
}

function rate(run: () => number): number {
  let sink = 0;
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    sink += run();
    calls += 1;
  }
  if (Number.isNaN(sink)) console.log("unreachable");
  return calls / ((performance.now() - started) / 1000);
}

/**
 * The search problem as users pose it: qwerty's characters placed on the board, space pinned
 * to its thumb key, every key outside the 3x10 letter block left out of the search.
 */
async function problem(
  boardId: string,
  overrides: string[] = [],
): Promise<{ scorer: LayoutScorer }> {
  const base = await letterBlockProblem(boardId);
  const search = { ...base, weights: overrideWeights(base.weights, overrides), pins: [" "] };
  const model = compileSearchModel(search);
  return { scorer: new LayoutScorer(model, itemsOfLayout(model, search.start)) };
}

/** Swap deltas per second at other trigram coverages: the precision/speed trade-off. */
export async function benchTrigramCoverage(
  boardId: string,
  coverages: readonly number[],
): Promise<void> {
  for (const coverage of coverages) {
    const { scorer } = await problem(boardId, [`trigramCoverage=${coverage}`]);
    const moves = randomMoves(scorer.model.movableKeys);
    let i = 0;
    const swaps = rate(() => {
      i = (i + 3) % (3 * MOVES);
      return scorer.swapDelta(moves[i] as number, moves[i + 1] as number);
    });
    const kept = scorer.model.trigramShare.length;
    console.log(
      `scoring (${boardId}, trigram coverage ${coverage}, ${kept} trigrams): swap deltas ${swaps.toFixed(0)} /s`,
    );
  }
}

/** Swap deltas, 3-cycle deltas and applied swaps per second, in one mode of the scorer. */
function benchMoves(scorer: LayoutScorer, label: string): void {
  const moves = randomMoves(scorer.model.movableKeys);
  let i = 0;
  const next = () => {
    i = (i + 3) % (3 * MOVES);
    return i;
  };
  const swaps = rate(() => {
    const at = next();
    return scorer.swapDelta(moves[at] as number, moves[at + 1] as number);
  });
  console.log(`${label}: swap deltas ${swaps.toFixed(0)} /s`);
  const cycles = rate(() => {
    const at = next();
    const [a, b, c] = [moves[at] as number, moves[at + 1] as number, moves[at + 2] as number];
    return a === b || b === c || a === c ? 0 : scorer.cycleDelta(a, b, c);
  });
  console.log(`${label}: 3-cycle deltas ${cycles.toFixed(0)} /s`);
  const applied = rate(() => {
    const at = next();
    scorer.applySwap(moves[at] as number, moves[at + 1] as number);
    return 0;
  });
  console.log(`${label}: applied swaps ${applied.toFixed(0)} /s`);
}

/**
 * Full evaluations, then swap deltas, 3-cycle deltas and applied swaps per second on one core,
 * without and with the scorer's slot cache.
 */
export async function benchScoring(boardIds: readonly string[]): Promise<void> {
  for (const id of boardIds) {
    const { scorer } = await problem(id);
    const label = `scoring (${id}, en, default weights, one core)`;
    console.log(`${label}: full evaluations ${rate(() => scorer.score()).toFixed(0)} /s`);
    benchMoves(scorer, label);
    scorer.useSlotCache(true);
    benchMoves(scorer, `${label} with slot cache`);
  }
}
