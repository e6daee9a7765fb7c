import { parseCorpusWeight } from "../../../src/core/corpus-spec.ts";
import { type JobSubmission, jobSubmissionSchema } from "../../../src/protocol/job-messages.ts";
import type { ScoringChoice } from "../analysis/scoring-choice.ts";
import { messageOf } from "../error-message.ts";

/** What the submit form holds: the scoring choice of every page, and the job's search. */
export interface JobDraft {
  /** A name for people; empty for the board and corpus. */
  readonly name: string;
  readonly choice: ScoringChoice;
  /** The published layout the search starts from. */
  readonly from: string;
  /** Layout text to start from instead, in the board's key order; empty for `from`. */
  readonly startLayout: string;
  /** Characters that stay where the start layout has them. */
  readonly pins: string;
  /** Search every key, not only the board's 3x10 letter block. */
  readonly allKeys: boolean;
  readonly units: number;
  readonly stepsPerUnit: number;
  readonly seed: number;
}

/** A job as `keyforge submit` makes one without flags: 8 units of 20,000,000 steps, seed 1. */
export const DEFAULT_DRAFT: Omit<JobDraft, "choice"> = {
  name: "",
  from: "qwerty",
  startLayout: "",
  pins: "",
  allKeys: false,
  units: 8,
  stepsPerUnit: 20_000_000,
  seed: 1,
};

/** The form's label of each field of a submission, for the problems found before sending. */
const LABEL_OF_FIELD: Readonly<Record<string, string>> = {
  name: "name",
  board: "board",
  corpora: "corpus",
  weights: "weights",
  weightOverrides: "weights",
  units: "units",
  stepsPerUnit: "steps per unit",
  seed: "seed",
  pins: "pinned characters",
  from: "start layout",
  startLayout: "start layout text",
  allKeys: "every key",
};

export type DraftCheck =
  | { readonly ok: true; readonly submission: JobSubmission }
  | { readonly ok: false; readonly problems: readonly string[] };

function corporaOf(spec: string): { id: string; weight: number }[] {
  return spec.split(",").map((part) => {
    const { ref, weight } = parseCorpusWeight(part.trim());
    return { id: ref, weight };
  });
}

/**
 * The body of POST /jobs the form describes, checked against the protocol's schema, as
 * `keyforge submit` builds it from its flags; or what is wrong, each problem named by the
 * form's label.
 */
export function submissionOf(draft: JobDraft): DraftCheck {
  let corpora: { id: string; weight: number }[];
  try {
    corpora = corporaOf(draft.choice.corpus);
  } catch (error) {
    return { ok: false, problems: [`corpus: ${messageOf(error)}`] };
  }
  const startLayout = draft.startLayout.trim();
  const parsed = jobSubmissionSchema.safeParse({
    name: draft.name.trim() || `${draft.choice.board}, ${corpora.map((c) => c.id).join("+")}`,
    board: draft.choice.board,
    corpora,
    weights: draft.choice.weights,
    weightOverrides: draft.choice.overrides,
    search: {
      units: draft.units,
      stepsPerUnit: draft.stepsPerUnit,
      seed: draft.seed,
      pins: draft.pins,
      allKeys: draft.allKeys,
      ...(startLayout === "" ? { from: draft.from } : { startLayout }),
    },
  });
  if (parsed.success) return { ok: true, submission: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] === "search" ? issue.path[1] : issue.path[0]);
      return `${LABEL_OF_FIELD[field] ?? field}: ${issue.message}`;
    }),
  };
}
