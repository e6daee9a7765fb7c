import { parseCorpusWeight } from "../../../src/core/corpus-spec.ts";
import { DEFAULT_TOP_DISTANCE } from "../../../src/core/search/layout-search.ts";
import { type JobSubmission, jobSubmissionSchema } from "../../../src/protocol/job-messages.ts";
import type { ScoringChoice } from "../analysis/scoring-choice.ts";
import { messageOf } from "../error-message.ts";

/** How a job's search is budgeted: a time on every agent that leases it, or units of steps. */
export type BudgetKind = "time" | "steps";

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
  readonly budget: BudgetKind;
  /** The time budget as typed ("10m", "90s", "2h"; a plain number is minutes). */
  readonly time: string;
  readonly units: number;
  readonly stepsPerUnit: number;
  /** How long without a better layout ends the job, as typed; empty for never. */
  readonly converge: string;
  /** Fewest keys the job's listed top layouts differ in. */
  readonly topDistance: number;
  readonly seed: number;
}

/**
 * A job of 10 minutes of search, its top layouts 6 keys apart, seed 1; a step budget as
 * `keyforge submit` makes one without flags: 8 units of 20,000,000 steps.
 */
export const DEFAULT_DRAFT: Omit<JobDraft, "choice"> = {
  name: "",
  from: "qwerty",
  startLayout: "",
  pins: "",
  allKeys: false,
  budget: "time",
  time: "10m",
  units: 8,
  stepsPerUnit: 20_000_000,
  converge: "",
  topDistance: DEFAULT_TOP_DISTANCE,
  seed: 1,
};

/** Shortest time budget and convergence window the hive takes, and longest, in seconds. */
export const MIN_JOB_SECONDS = 10;
export const MAX_JOB_SECONDS = 7 * 24 * 3600;

/** The form's label of each field of a submission, for the problems found before sending. */
const LABEL_OF_FIELD: Readonly<Record<string, string>> = {
  name: "name",
  board: "board",
  corpora: "corpus",
  weights: "weights",
  weightOverrides: "weights",
  timeSeconds: "search time",
  units: "units",
  stepsPerUnit: "steps per unit",
  convergeSeconds: "end early when no better layout for",
  topDistance: "top layouts differ in at least",
  seed: "seed",
  pins: "pinned characters",
  from: "start layout",
  startLayout: "start layout text",
  allKeys: "every key",
};

const SECONDS_OF_UNIT: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
};

/**
 * Seconds of a typed duration: "90s", "10m", "10 min", "1.5h", "2d"; a plain number is minutes.
 * Null when it is not one.
 */
export function durationSeconds(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return null;
  const unit = SECONDS_OF_UNIT[(match[2] ?? "").toLowerCase() || "min"];
  return unit === undefined ? null : Math.round(Number(match[1]) * unit);
}

/** "10 min", "1 h 30 min", "45 s", "7 d": a whole number of seconds in words. */
export function durationText(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(seconds));
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["min", 60],
    ["s", 1],
  ] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${unit}`);
  }
  return parts.length > 0 ? parts.join(" ") : "0 s";
}

/** Seconds of a duration field, or the problem with it. */
function durationField(
  label: string,
  text: string,
): { readonly seconds: number } | { readonly problem: string } {
  const seconds = durationSeconds(text);
  if (seconds === null)
    return { problem: `${label}: not a duration: write e.g. 10m, 90s or 2h (a number is minutes)` };
  if (seconds < MIN_JOB_SECONDS || seconds > MAX_JOB_SECONDS)
    return {
      problem: `${label}: ${durationText(seconds)} is not between ${durationText(MIN_JOB_SECONDS)} and ${durationText(MAX_JOB_SECONDS)}`,
    };
  return { seconds };
}

/** The search's budget fields: only those of the draft's budget. */
function budgetOf(
  draft: JobDraft,
  problems: string[],
): { timeSeconds?: number; units?: number; stepsPerUnit?: number } {
  if (draft.budget === "steps") return { units: draft.units, stepsPerUnit: draft.stepsPerUnit };
  const time = durationField(LABEL_OF_FIELD.timeSeconds as string, draft.time);
  if ("problem" in time) {
    problems.push(time.problem);
    return {};
  }
  return { timeSeconds: time.seconds };
}

/** The convergence window, when one is asked for. */
function convergeOf(draft: JobDraft, problems: string[]): { convergeSeconds?: number } {
  if (draft.converge.trim() === "") return {};
  const converge = durationField(LABEL_OF_FIELD.convergeSeconds as string, draft.converge);
  if ("problem" in converge) {
    problems.push(converge.problem);
    return {};
  }
  return { convergeSeconds: converge.seconds };
}

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
 * `keyforge submit` builds it from its flags: the fields of the chosen budget only, and the top
 * layouts' distance only when it is not the default (so that such a job keeps its id); or what
 * is wrong, each problem named by the form's label.
 */
export function submissionOf(draft: JobDraft): DraftCheck {
  let corpora: { id: string; weight: number }[];
  try {
    corpora = corporaOf(draft.choice.corpus);
  } catch (error) {
    return { ok: false, problems: [`corpus: ${messageOf(error)}`] };
  }
  const startLayout = draft.startLayout.trim();
  const durationProblems: string[] = [];
  const budget = budgetOf(draft, durationProblems);
  const timeUnread = durationProblems.length > 0;
  const converge = convergeOf(draft, durationProblems);
  const parsed = jobSubmissionSchema.safeParse({
    name: draft.name.trim() || `${draft.choice.board}, ${corpora.map((c) => c.id).join("+")}`,
    board: draft.choice.board,
    corpora,
    weights: draft.choice.weights,
    weightOverrides: draft.choice.overrides,
    search: {
      ...budget,
      ...converge,
      ...(draft.topDistance === DEFAULT_TOP_DISTANCE ? {} : { topDistance: draft.topDistance }),
      seed: draft.seed,
      pins: draft.pins,
      allKeys: draft.allKeys,
      ...(startLayout === "" ? { from: draft.from } : { startLayout }),
    },
  });
  const schemaProblems = parsed.success
    ? []
    : parsed.error.issues
        .map((issue) => {
          const field = String(issue.path[0] === "search" ? issue.path[1] : issue.path[0]);
          return { field, text: `${LABEL_OF_FIELD[field] ?? field}: ${issue.message}` };
        })
        // A time budget the form could not read is said once, in the form's words.
        .filter(
          ({ field }) =>
            !(
              timeUnread &&
              (field === "timeSeconds" || field === "units" || field === "stepsPerUnit")
            ),
        )
        .map(({ text }) => text);
  if (parsed.success && durationProblems.length === 0) return { ok: true, submission: parsed.data };
  return { ok: false, problems: [...durationProblems, ...schemaProblems] };
}
