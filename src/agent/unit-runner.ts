import { KeyForgeError } from "../core/errors.ts";
import { formatLayout, type Layout, layoutFromText } from "../core/layout.ts";
import { layoutOfItems } from "../core/scoring/layout-scorer.ts";
import type { ScoringModel } from "../core/scoring/model.ts";
import type { Island } from "../core/search/island.ts";
import { type ScoredItems, searchLayouts } from "../core/search/layout-search.ts";
import type { SearchProblem } from "../core/search/search-problem.ts";
import { threadRunner } from "../infra/search/thread-runner.ts";
import { jobContentSchema } from "../protocol/job-messages.ts";
import { type AssetReader, jobProblem } from "../protocol/job-problem.ts";
import type { LeasedUnit } from "../protocol/node-messages.ts";
import type { IslandHandover } from "./island-handover.ts";

/** What a unit's search found, ready to be signed and submitted. */
export interface UnitOutcome {
  readonly layout: string;
  readonly score: number;
  readonly steps: number;
  readonly durationMs: number;
}

/** A unit being searched: its best so far (for heartbeats), migrants in, and its end. */
export interface UnitRun {
  readonly unitId: string;
  /** The best score found so far; null before the first epoch ends. */
  bestScore(): number | null;
  /** The best layout found so far, as layout text; null before the first epoch ends. */
  bestLayout(): string | null;
  /** Steps per second the search has made so far; 0 before the first epoch ends. */
  stepsPerSecond(): number;
  /** A layout from the job's other islands, offered to this one after its next epoch. */
  offerMigrant(layout: string): void;
  /** Stops the search at its next epoch; `done` then rejects with the reason. */
  abort(reason: string): void;
  /** Stops the search at its next epoch; `done` then resolves with the best found. */
  finish(reason: string): void;
  readonly done: Promise<UnitOutcome>;
}

export interface UnitRunOptions {
  /** Linux nice value of the search thread (see threadRunner). */
  readonly niceness?: number;
  /** Islands handed over by this node's earlier units, and where this one's goes. */
  readonly handover?: IslandHandover;
  /** When the lease arrived (ms): a time limit counts from then. */
  readonly leasedAt?: number;
}

/** The job's problem, and the unit's start: an island handed over, or the job's best so far. */
async function unitStart(
  unit: LeasedUnit,
  assets: AssetReader,
  handover: IslandHandover | undefined,
): Promise<{ problem: SearchProblem; resume: Island | undefined; best: Layout | undefined }> {
  const problem = await jobProblem(jobContentSchema.parse(unit.content), assets);
  const resume = handover?.take(unit.jobId);
  const [first] = unit.startLayouts;
  let best: Layout | undefined;
  try {
    best = first === undefined ? undefined : layoutFromText(first, problem.board, "best so far");
  } catch (error) {
    if (!(error instanceof KeyForgeError)) throw error;
  }
  return { problem, resume, best };
}

/**
 * Runs a leased unit as an island of its job (`src/core`), on a worker thread of its own (at
 * the niceness, see threadRunner): it continues the island an earlier unit of the job handed
 * over on this node, or starts one from random arrangements of the job's start layout and
 * takes the job's best so far as its first migrant. It runs for the unit's steps or, in a
 * time-budgeted job, until its time limit; migrants from the job's other islands join between
 * epochs. Its island is handed over when it ends. A failing or dying thread fails the unit,
 * not the agent.
 */
export function runUnit(
  unit: LeasedUnit,
  assets: AssetReader,
  options: UnitRunOptions = {},
): UnitRun {
  const stop = new AbortController();
  const leasedAt = options.leasedAt ?? Date.now();
  let best: ScoredItems | null = null;
  let model: ScoringModel | null = null;
  let board: SearchProblem["board"] | null = null;
  let rate = 0;
  let stopReason = "";
  let finishing = false;
  const inbox: string[] = [];
  const done = (async (): Promise<UnitOutcome> => {
    const start = await unitStart(unit, assets, options.handover);
    board = start.problem.board;
    const migrants = (): Layout[] =>
      inbox.splice(0).flatMap((text) => {
        try {
          return [layoutFromText(text, start.problem.board, "migrant")];
        } catch (error) {
          if (error instanceof KeyForgeError) return [];
          throw error;
        }
      });
    if (start.best && !start.resume) inbox.push(formatLayout(start.best, start.problem.board));
    const timeMs =
      unit.timeLimitSeconds === undefined
        ? undefined
        : Math.max(0, leasedAt + unit.timeLimitSeconds * 1000 - Date.now());
    const result = await searchLayouts(
      start.problem,
      {
        seed: unit.seed,
        threads: 1,
        budget: { steps: unit.steps, ...(timeMs !== undefined && { timeMs }) },
        randomStart: true,
        ...(start.resume && { resume: [start.resume] }),
        migrants,
        signal: stop.signal,
        onProgress: (progress) => {
          model = progress.model;
          best = progress.best;
          rate = progress.stepsPerSecond;
        },
      },
      () => threadRunner(start.problem, 1, options.niceness ?? 0),
    );
    if (result.stoppedBy === "signal" && !finishing) {
      throw new Error(`unit ${unit.unitId} aborted: ${stopReason}`);
    }
    for (const island of result.islands) options.handover?.keep(unit.jobId, island);
    return {
      layout: formatLayout(
        layoutOfItems(result.model, result.best.items, "unit result"),
        start.problem.board,
      ),
      score: result.best.score,
      steps: result.steps,
      durationMs: Math.round(result.elapsedMs),
    };
  })();
  return {
    unitId: unit.unitId,
    bestScore: () => best?.score ?? null,
    bestLayout: () =>
      best && model && board
        ? formatLayout(layoutOfItems(model, best.items, "unit best"), board)
        : null,
    stepsPerSecond: () => rate,
    offerMigrant(layout) {
      inbox.push(layout);
    },
    abort(reason) {
      stopReason = reason;
      stop.abort();
    },
    finish(reason) {
      stopReason = reason;
      finishing = true;
      stop.abort();
    },
    done,
  };
}
