import type { KeyObject } from "node:crypto";
import { KeyForgeError } from "../core/errors.ts";
import { layoutFromText } from "../core/layout.ts";
import type { ScoringModel } from "../core/scoring/model.ts";
import { rescoreLayout } from "../core/search/result-check.ts";
import type { SearchProblem } from "../core/search/search-problem.ts";
import { BoundedCache } from "../infra/bounded-cache.ts";
import { type Coordinator, CoordinatorUnavailableError } from "../infra/coord/coordinator.ts";
import type { Database } from "../infra/db/database.ts";
import { JobRepository, jobIdOfUnit } from "../infra/db/job-repository.ts";
import { NodeRepository } from "../infra/db/node-repository.ts";
import {
  type Acceptance,
  type NewResult,
  ResultRepository,
} from "../infra/db/result-repository.ts";
import { MicroBatcher } from "../infra/micro-batcher.ts";
import { publicKeyObject, verifyText } from "../infra/node-signatures.ts";
import { type ResultSubmission, resultSigningText } from "../protocol/node-messages.ts";
import { publishBestEffort } from "./event-publishing.ts";
import { statusOf } from "./hive-errors.ts";
import type { IslandExchange } from "./island-exchange.ts";
import type { JobModels } from "./job-models.ts";

/** How far a result's timestamp may be from the hive's clock. */
const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;
/** Nonces are remembered a little longer than a timestamp stays acceptable. */
const NONCE_TTL_SECONDS = 2 * 60 * 60;
/**
 * A copy of a result still undecided after this long was abandoned (the instance deciding on
 * it died): a copy sent again is decided. Far beyond any request's time-out.
 */
const ABANDONED_AFTER_MS = 60_000;
/** The agent's score and the hive's may differ by rounding only. */
const SCORE_TOLERANCE = 1e-6;
/** Node keys kept per instance; a node's key never changes (its id is derived from it). */
const NODE_KEYS_KEPT = 10_000;
/** Results stored per database round trip under load, and round trips at once. */
const ACCEPT_BATCH = { maxBatch: 64, maxInFlight: 2 };

export interface ResultServiceOptions {
  readonly db: Database;
  readonly coordinator: Coordinator;
  readonly models: JobModels;
  /** A new best result becomes its job's best for migration too. */
  readonly islands: IslandExchange;
  readonly log: (line: string) => void;
}

export interface ResultAnswer {
  readonly resultId: number;
  readonly unitId: string;
  readonly score: number;
  readonly created: boolean;
  readonly newBest: boolean;
  readonly jobStatus: "queued" | "running" | "completed" | "cancelled" | "failed";
}

/**
 * Accepts signed results: signature, freshness and nonce first, then the hive re-scores the
 * layout itself and stores the result exactly once. A retry of an accepted result gets the
 * same answer again.
 */
export class ResultService {
  private readonly options: ResultServiceOptions;
  private readonly nodes: NodeRepository;
  private readonly jobs: JobRepository;
  private readonly results: ResultRepository;
  private readonly acceptances: MicroBatcher<NewResult, Acceptance | KeyForgeError>;
  private readonly nodeKeys = new BoundedCache<string, KeyObject>(NODE_KEYS_KEPT);

  constructor(options: ResultServiceOptions) {
    this.options = options;
    this.nodes = new NodeRepository(options.db);
    this.jobs = new JobRepository(options.db);
    this.results = new ResultRepository(options.db);
    this.acceptances = new MicroBatcher((batch) => this.results.acceptResults(batch), ACCEPT_BATCH);
  }

  async accept(
    nodeId: string,
    unitId: string,
    submission: ResultSubmission,
  ): Promise<ResultAnswer> {
    const { signature, ...signed } = submission;
    const signedText = resultSigningText(unitId, signed);
    if (!(await verifyText(await this.nodeKey(nodeId), signedText, signature))) {
      throw new KeyForgeError(
        "RESULT_SIGNATURE_INVALID",
        "the signature does not match the node's key",
      );
    }
    if (Math.abs(Date.parse(submission.timestamp) - Date.now()) > TIMESTAMP_WINDOW_MS) {
      throw new KeyForgeError(
        "RESULT_STALE",
        "the result's timestamp is more than 15 minutes off the hive's clock",
      );
    }
    const claim = await this.claimNonce(nodeId, submission.nonce, `${unitId} ${Date.now()}`);
    if (claim !== null) {
      const stored = await this.results.resultOfUnit(unitId);
      if (stored?.nodeId === nodeId && stored.nonce === submission.nonce) {
        return this.answer({ result: stored, created: false, newBest: false, jobFinished: null });
      }
      const [claimedUnit, claimedAt] = claim.split(" ");
      if (claimedUnit !== unitId) {
        throw new KeyForgeError(
          "NONCE_REPLAYED",
          "this nonce was used before: sign every result with a new one",
        );
      }
      if (Date.now() - Number(claimedAt) < ABANDONED_AFTER_MS) {
        // The same result, sent again while the hive still decides on the first copy.
        throw new KeyForgeError("RESULT_PENDING", "this result is still being decided on");
      }
      // The first copy was abandoned (its instance died): this one is decided instead.
    }
    try {
      return await this.decide(nodeId, unitId, submission);
    } catch (error) {
      // The agent sends the same result again after an outage: its nonce must pass then.
      const refusedForGood = error instanceof KeyForgeError && statusOf(error.code) < 500;
      if (!refusedForGood) {
        await this.options.coordinator.forgetNonce(nodeId, submission.nonce).catch(() => {});
      }
      throw error;
    }
  }

  /** Re-scores a result whose signature and nonce checked out, and stores it exactly once. */
  private async decide(
    nodeId: string,
    unitId: string,
    submission: ResultSubmission,
  ): Promise<ResultAnswer> {
    const jobId = jobIdOfUnit(unitId);
    const { problem, model } = await this.options.models.modelOf(jobId).catch((error) => {
      throw error instanceof KeyForgeError && error.code === "JOB_NOT_FOUND"
        ? new KeyForgeError("UNIT_NOT_FOUND", `no unit ${unitId}`)
        : error;
    });
    const score = await this.rescored(nodeId, submission.layout, problem, model);
    if (Math.abs(score - submission.score) > SCORE_TOLERANCE * Math.max(1, Math.abs(score))) {
      await this.nodes.countRejectedResult(nodeId);
      throw new KeyForgeError(
        "RESULT_SCORE_MISMATCH",
        `the layout scores ${score}, not the ${submission.score} the result claims`,
      );
    }
    const acceptance = await this.acceptances.submit({
      unitId,
      nodeId,
      layout: submission.layout,
      score,
      steps: submission.steps,
      durationMs: submission.durationMs,
      nonce: submission.nonce,
      signature: submission.signature,
    });
    if (acceptance instanceof KeyForgeError) throw acceptance;
    if (acceptance.created) await this.announce(jobId, acceptance);
    return this.answer(acceptance);
  }

  /**
   * The hive's score of a result's layout. A layout the search could not have found, or that
   * cannot even be read, is RESULT_LAYOUT_INVALID and counts against the node.
   */
  private async rescored(
    nodeId: string,
    text: string,
    problem: SearchProblem,
    model: ScoringModel,
  ): Promise<number> {
    try {
      return rescoreLayout(model, problem, layoutFromText(text, problem.board, "result"));
    } catch (error) {
      if (!(error instanceof KeyForgeError)) throw error;
      await this.nodes.countRejectedResult(nodeId);
      throw error.code === "RESULT_LAYOUT_INVALID"
        ? error
        : new KeyForgeError("RESULT_LAYOUT_INVALID", `the layout cannot be read: ${error.message}`);
    }
  }

  /** The node's public key, read once per instance. */
  private async nodeKey(nodeId: string): Promise<KeyObject> {
    const cached = this.nodeKeys.get(nodeId);
    if (cached) return cached;
    const node = await this.nodes.getNode(nodeId);
    if (!node) throw new KeyForgeError("NODE_NOT_FOUND", `node ${nodeId} is not registered`);
    return this.nodeKeys.set(nodeId, publicKeyObject(node.publicKey));
  }

  /**
   * Null the first time a nonce is seen, else the claim it was first made with (its unit and
   * time); without Valkey, the exactly-once rule stands alone.
   */
  private async claimNonce(nodeId: string, nonce: string, claim: string): Promise<string | null> {
    try {
      return await this.options.coordinator.claimNonce(nodeId, nonce, claim, NONCE_TTL_SECONDS);
    } catch (error) {
      if (error instanceof CoordinatorUnavailableError) return null;
      throw error;
    }
  }

  private async answer(acceptance: Acceptance): Promise<ResultAnswer> {
    // A new acceptance finished the job, or left it running (its unit was leased); only a
    // repeated answer needs to read the job's status.
    const jobStatus = acceptance.created
      ? (acceptance.jobFinished ?? "running")
      : ((await this.jobs.getJob(acceptance.result.jobId))?.status ?? "running");
    return {
      resultId: acceptance.result.id,
      unitId: acceptance.result.unitId,
      score: acceptance.result.score,
      created: acceptance.created,
      newBest: acceptance.newBest,
      jobStatus,
    };
  }

  private async announce(jobId: string, acceptance: Acceptance): Promise<void> {
    const { coordinator, log } = this.options;
    const { result } = acceptance;
    await publishBestEffort(
      coordinator,
      { type: "unit.done", jobId, unitId: result.unitId, score: result.score },
      log,
    );
    if (acceptance.newBest) {
      await this.options.islands.offerAccepted(jobId, result);
      await publishBestEffort(
        coordinator,
        { type: "job.progress", jobId, bestScore: result.score, layout: result.layout },
        log,
      );
    }
    if (acceptance.jobFinished) {
      await publishBestEffort(
        coordinator,
        { type: "job.completed", jobId, status: acceptance.jobFinished },
        log,
      );
    }
  }
}
