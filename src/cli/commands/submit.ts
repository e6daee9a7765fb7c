import { type Command, Option } from "commander";
import { idFromPath } from "../../core/asset-id.ts";
import type { Board } from "../../core/board.ts";
import { parseBoard } from "../../core/board-validation.ts";
import { parseCorpusWeight } from "../../core/corpus-spec.ts";
import { formatElapsed } from "../../core/elapsed-text.ts";
import { KeyForgeError } from "../../core/errors.ts";
import { layoutFromText } from "../../core/layout.ts";
import {
  DEFAULT_WEIGHTS_ID,
  parseWeightOverride,
  parseWeights,
} from "../../core/scoring/weights.ts";
import { excludedKeysOf, pinsOf, type SearchRequest } from "../../core/search/search-request.ts";
import { isFileReference, readJsonFile, readTextFile } from "../../infra/data-files.ts";
import { type JobSubmission, jobSubmissionSchema } from "../../protocol/job-messages.ts";
import { requireApiKey } from "../api-keys.ts";
import { parseDuration } from "../duration.ts";
import { collect, finiteNumber, wholeNumber } from "../flag-values.ts";
import { addFormerSpelling } from "../former-flag.ts";
import { HiveApiClient } from "../hive-api-client.ts";
import { shortJobId, unitProgress } from "../job-text.ts";
import { withWeightFlag } from "../scoring-flags.ts";
import { type SearchFlags, searchRequestOf, withSearchFlags } from "../search-flags.ts";
import { HIVE_FLAG, hiveUrlOf } from "../service-urls.ts";

interface SubmitFlags extends SearchFlags {
  hive?: string;
  board: string;
  corpus: string[];
  weights: string;
  weight: string[];
  units?: number;
  /** Milliseconds. */
  converge?: number;
  topDistance?: number;
  seed?: number;
  from?: string;
  startLayout?: string;
  priority?: number;
  name?: string;
}

const DEFAULT_UNITS = 8;
/** 100 s of a unit on one thread of the reference machine (docs/benchmarks.md). */
const DEFAULT_STEPS = 20_000_000;

/** The flag behind each field of a submission, for errors found before anything is sent. */
function flagOf(field: string): string {
  const flagOfField: Record<string, string> = {
    name: "--name",
    board: "--board",
    corpora: "--corpus",
    weights: "--weights",
    weightOverrides: "--weight",
    units: "--units",
    stepsPerUnit: "--steps",
    timeSeconds: "--time",
    convergeSeconds: "--converge",
    topDistance: "--top-distance",
    seed: "--seed",
    pins: "--pin",
    place: "--place",
    exclude: "--exclude",
    stayClose: "--stay-close",
    from: "--from",
    startLayout: "--start-layout",
    allKeys: "--all-keys",
    priority: "--priority",
  };
  return flagOfField[field] ?? field;
}

/**
 * The job's budget: --time (a time budget: the job searches that long on every agent that
 * leases it), or --units of --steps each (a step budget: the same flags, the same work).
 */
function budgetOf(
  flags: SubmitFlags,
): { timeSeconds: number } | { units: number; stepsPerUnit: number } {
  if (flags.time === undefined) {
    return { units: flags.units ?? DEFAULT_UNITS, stepsPerUnit: flags.steps ?? DEFAULT_STEPS };
  }
  if (flags.steps !== undefined || flags.units !== undefined) {
    throw new KeyForgeError(
      "FLAG_INVALID",
      "--time is the job's whole budget (the hive cuts it into units): give --time, or --units and --steps, not both",
    );
  }
  return { timeSeconds: Math.round(flags.time / 1000) };
}

/**
 * What a submission sends for a reference: a published id as it is, or a file's document,
 * checked here so its problems show at once; `checked` is what the check made of the file.
 */
async function documentOrId<T>(
  ref: string,
  check: (document: unknown, id: string) => T,
): Promise<{ sent: string | Record<string, unknown>; checked: T | null }> {
  if (!isFileReference(ref)) return { sent: ref, checked: null };
  const document = await readJsonFile(ref);
  return { sent: document as Record<string, unknown>, checked: check(document, idFromPath(ref)) };
}

/**
 * The search request's checks that need no hive: the excluded keys against a board file, and
 * the pinned and placed characters against a start layout given as text on it. The hive checks
 * the rest (a published board or layout) when the job is submitted.
 */
function checkRequest(board: Board | null, startText: string | undefined, request: SearchRequest) {
  if (board === null) return;
  excludedKeysOf(board, request);
  if (startText !== undefined) pinsOf(layoutFromText(startText, board, "start"), request);
}

/** Layout text given on the command line (it has spaces), or the file (- for stdin) holding it. */
async function startLayoutOf(value: string): Promise<string> {
  return /\s/.test(value) ? value : readTextFile(value);
}

function corporaOf(specs: readonly string[]): { id: string; weight: number }[] {
  const parts = (specs.length > 0 ? specs : ["en"]).flatMap((spec) =>
    spec.split(",").map((part) => part.trim()),
  );
  return parts.map((part) => {
    const { ref, weight } = parseCorpusWeight(part);
    if (isFileReference(ref)) {
      throw new KeyForgeError(
        "FLAG_INVALID",
        `--corpus names a corpus the hive publishes (e.g. en), not a file (got ${ref}); publish a corpus of your own under data/system/corpora first`,
      );
    }
    return { id: ref, weight };
  });
}

/** The submission the flags describe, checked against the protocol's limits before it is sent. */
async function submissionOf(flags: SubmitFlags): Promise<JobSubmission> {
  if (flags.from !== undefined && flags.startLayout !== undefined) {
    throw new KeyForgeError("FLAG_INVALID", "give --from or --start-layout, not both");
  }
  const corpora = corporaOf(flags.corpus);
  const board = await documentOrId(flags.board, parseBoard);
  const request = searchRequestOf(flags);
  const startLayout =
    flags.startLayout === undefined ? undefined : await startLayoutOf(flags.startLayout);
  const draft = {
    name:
      flags.name ??
      `${isFileReference(flags.board) ? idFromPath(flags.board) : flags.board}, ${corpora.map((c) => c.id).join("+")}`,
    board: board.sent,
    corpora,
    weights: (await documentOrId(flags.weights, parseWeights)).sent,
    weightOverrides: Object.fromEntries(
      flags.weight.map(parseWeightOverride).map(({ name, value }) => [name, value]),
    ),
    search: {
      ...budgetOf(flags),
      convergeSeconds: flags.converge === undefined ? undefined : Math.round(flags.converge / 1000),
      topDistance: flags.topDistance,
      seed: flags.seed,
      from: flags.from,
      startLayout,
      ...request,
    },
    priority: flags.priority,
  };
  const parsed = jobSubmissionSchema.safeParse(draft);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] === "search" ? issue.path[1] : issue.path[0]);
      return `${flagOf(field)}: ${issue.message}`;
    });
    throw new KeyForgeError("FLAG_INVALID", problems.join("; "));
  }
  checkRequest(board.checked, startLayout, request);
  return parsed.data;
}

async function submit(flags: SubmitFlags): Promise<void> {
  const submission = await submissionOf(flags);
  const client = new HiveApiClient(hiveUrlOf(flags.hive));
  const apiKey = await requireApiKey(client.url);
  const { view, created } = await client.submit(submission, apiKey);
  process.stdout.write(`${view.id}\n`);
  const short = shortJobId(view.id);
  const { stepsPerUnit, timeSeconds } = view.content.search;
  const budget =
    timeSeconds === undefined
      ? `${view.units.total} units of ${(stepsPerUnit ?? 0).toLocaleString("en-US")} steps`
      : `${formatElapsed(timeSeconds * 1000)} of search from its first lease, on every agent that takes it`;
  process.stderr.write(
    created
      ? `submitted job ${short} "${view.name}": ${budget}; follow it with keyforge watch ${short}\n`
      : `job ${short} "${view.name}" was submitted before (the same content is the same job): ${view.status}, ${unitProgress(view.units)}\n`,
  );
}

export function registerSubmitCommand(program: Command): void {
  const command = program
    .command("submit")
    .description("submit an optimisation job to a hive; prints the job's id")
    .option("-b, --board <board>", "published board id (e.g. corne) or a board file", "ansi")
    .addOption(
      new Option(
        "-c, --corpus <id[:weight]>",
        "published corpus to blend, with its weight (repeatable, or comma-separated)",
      )
        .argParser(collect)
        .default([], "en"),
    )
    .option(
      "-w, --weights <weights>",
      "published weights id or a weights file",
      DEFAULT_WEIGHTS_ID,
    );
  withSearchFlags(withWeightFlag(command), {
    steps: `annealing steps of each unit (default ${DEFAULT_STEPS.toLocaleString("en-US")})`,
    time: "instead of --units and --steps: how long the job searches, on every agent that takes it, e.g. 10m",
  })
    .option(
      "--units <n>",
      `units the job is cut into (default ${DEFAULT_UNITS}; with --steps, a step budget)`,
      wholeNumber,
    )
    .option(
      "--converge <duration>",
      "also end the job when its best has not improved for this long, e.g. 2m",
      parseDuration,
    )
    .option(
      "--top-distance <keys>",
      "fewest keys the job's listed top layouts differ in (default 6)",
      wholeNumber,
    )
    .option(
      "--seed <n>",
      "seed of the first unit (default 1: the same flags make the same job)",
      wholeNumber,
    )
    .option("--from <layout>", "published layout to start from (default qwerty)")
    .option(
      "--start-layout <text|file>",
      "layout text to start from instead (keys separated by spaces), or a file holding it",
    )
    .option(
      "--priority <n>",
      "-1000 to 1000, higher runs first; above 0 for admins only",
      finiteNumber,
    )
    .option("--name <name>", "a name for people (default: the board and the corpora)")
    .option(...HIVE_FLAG)
    .action(submit);
  // The spellings of earlier versions.
  addFormerSpelling(command, "--set <name=value>", "--weight");
  addFormerSpelling(command, "--pins <chars>", "--pin");
}
