import { idFromPath } from "../core/asset-id.ts";
import { parseBoard } from "../core/board-validation.ts";
import { NGRAM_ORDERS, parseCorpus } from "../core/corpus.ts";
import { blendCorpora } from "../core/corpus-blend.ts";
import { KeyForgeError } from "../core/errors.ts";
import { layoutFromText } from "../core/layout.ts";
import { layoutOnBoard, parseLayoutDefinition } from "../core/layout-definition.ts";
import type { ScoringModel } from "../core/scoring/model.ts";
import { overrideWeights, parseWeights } from "../core/scoring/weights.ts";
import { compileSearchModel, type SearchProblem } from "../core/search/search-problem.ts";
import { searchProblemOf } from "../core/search/search-request.ts";
import { checkLimit } from "./input-limits.ts";
import type { JobContent } from "./job-messages.ts";

/** Reads a published asset's bytes by SHA-256 (from the coordinator, or an agent's cache). */
export type AssetReader = (sha256: string) => Promise<Uint8Array>;

async function jsonOf(
  read: AssetReader,
  asset: { path: string; sha256: string },
): Promise<unknown> {
  const bytes = await read(asset.sha256);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new KeyForgeError("ASSET_INVALID", `${asset.path} (${asset.sha256}) is not valid JSON`);
  }
}

/** A job's problem with its compiled scoring model. */
export interface JobModel {
  readonly problem: SearchProblem;
  readonly model: ScoringModel;
}

/** Entries of a JSON object or array as parsed, 0 for anything else. */
function entriesOf(value: unknown): number {
  return typeof value === "object" && value !== null ? Object.keys(value).length : 0;
}

/** N-gram table entries of a corpus document, all orders together. */
function ngramEntriesOf(document: unknown): number {
  const tables = document as Record<string, unknown> | null;
  return NGRAM_ORDERS.reduce((sum, order) => sum + entriesOf(tables?.[order]), 0);
}

/**
 * The search problem a job describes: its board, blended corpora, weights with overrides and
 * start layout, posed by its search settings as `keyforge optimize` poses its flags
 * (searchProblemOf), every document checked by the core validators. The hive builds it to check
 * a submission and to re-score results; an agent builds the same one to run a unit.
 */
export async function jobProblem(content: JobContent, read: AssetReader): Promise<SearchProblem> {
  return (await jobModel(content, read)).problem;
}

/**
 * The job's problem and its compiled model. Documents are measured against the input limits
 * before they are validated, since validation and compiling grow with the square of the keys
 * and with the corpora's tables; an inline board was already measured by the job's schema.
 */
export async function jobModel(content: JobContent, read: AssetReader): Promise<JobModel> {
  const boardDocument =
    "inline" in content.board ? content.board.inline : await jsonOf(read, content.board);
  checkLimit("boardKeys", entriesOf((boardDocument as { keys?: unknown } | null)?.keys));
  const board = parseBoard(
    boardDocument,
    "inline" in content.board ? "inline" : idFromPath(content.board.path),
  );
  const corpusDocuments = await Promise.all(content.corpora.map((entry) => jsonOf(read, entry)));
  checkLimit(
    "corpusNgrams",
    corpusDocuments.reduce<number>((sum, document) => sum + ngramEntriesOf(document), 0),
  );
  const corpora = content.corpora.map((entry, i) => ({
    corpus: parseCorpus(corpusDocuments[i], idFromPath(entry.path)),
    weight: entry.weight,
  }));
  const corpus =
    corpora.length === 1 && corpora[0]
      ? corpora[0].corpus
      : blendCorpora(corpora, {
          id: "job-blend",
          name: "blend of the job's corpora",
          description: content.corpora.map((c) => `${c.path} × ${c.weight}`).join(", "),
        });
  const weightsDocument =
    "inline" in content.weights ? content.weights.inline : await jsonOf(read, content.weights);
  const weights = overrideWeights(
    parseWeights(
      weightsDocument,
      "inline" in content.weights ? "inline" : idFromPath(content.weights.path),
    ),
    Object.entries(content.weightOverrides).map(([name, value]) => `${name}=${value}`),
  );
  const start =
    "text" in content.start
      ? layoutFromText(content.start.text, board, "start")
      : layoutOnBoard(
          parseLayoutDefinition(await jsonOf(read, content.start), idFromPath(content.start.path)),
          board,
        );
  const problem = searchProblemOf({ board, corpus, weights, start }, content.search);
  // Compiling checks what only the whole problem can tell: whether any keys are left to move.
  return { problem, model: compileSearchModel(problem) };
}
