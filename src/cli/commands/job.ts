import { createHash } from "node:crypto";
import type { Command } from "commander";
import { idFromPath } from "../../core/asset-id.ts";
import type { Board } from "../../core/board.ts";
import { parseBoard } from "../../core/board-validation.ts";
import { formatElapsed } from "../../core/elapsed-text.ts";
import { KeyForgeError } from "../../core/errors.ts";
import { layoutFromText } from "../../core/layout.ts";
import { endedByText, type JobContent, type JobView } from "../../protocol/job-messages.ts";
import { keyLabels, metricsTable } from "../analysis-report.ts";
import { requireApiKey } from "../api-keys.ts";
import { drawBoard } from "../board-drawing.ts";
import { fetchFailureReason, HiveApiClient } from "../hive-api-client.ts";
import { resolveJobId } from "../job-id.ts";
import {
  differingKeys,
  formatScore,
  formatTime,
  shortJobId,
  shortUnitId,
  unitProgress,
} from "../job-text.ts";
import { columns, LINE_WIDTH, printJson, table, truncate, useColour, wrap } from "../output.ts";
import { ASSETS_FLAG, assetsUrlOf, HIVE_FLAG, hiveUrlOf } from "../service-urls.ts";

interface JobFlags {
  hive?: string;
  assets?: string;
  json?: boolean;
}

/** The board download takes at most this long: it only decides how the layout is shown. */
const BOARD_TIMEOUT_MS = 10_000;

type PinnedOrInline = JobContent["board"];

/** "corne" for a published asset, "inline" for a document given with the job. */
function assetName(asset: PinnedOrInline): string {
  return "inline" in asset ? "inline" : idFromPath(asset.path);
}

/** The job's board: the inline one, or its pinned version from the assets gateway, hash-checked. */
async function jobBoard(content: JobContent, assetsUrl: string): Promise<Board> {
  if ("inline" in content.board) return parseBoard(content.board.inline, "inline");
  const { path, sha256 } = content.board;
  const url = `${assetsUrl}/blobs/${sha256}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(BOARD_TIMEOUT_MS) });
  } catch (error) {
    throw new KeyForgeError(
      "ASSETS_UNREACHABLE",
      `cannot reach the assets gateway at ${assetsUrl} (${fetchFailureReason(error)})`,
    );
  }
  if (!response.ok) {
    throw new KeyForgeError(
      "ASSETS_UNAVAILABLE",
      `the assets gateway at ${assetsUrl} answered ${response.status} for ${path}`,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (createHash("sha256").update(bytes).digest("hex") !== sha256) {
    throw new KeyForgeError(
      "ASSET_HASH_MISMATCH",
      `the assets gateway at ${assetsUrl} sent ${path} with another hash than the job's`,
    );
  }
  return parseBoard(JSON.parse(new TextDecoder().decode(bytes)), idFromPath(path));
}

/** The best layout drawn on the job's board, or its text with the reason it is not drawn. */
async function bestLayoutShown(view: JobView, layoutText: string, assetsUrl: string) {
  try {
    const board = await jobBoard(view.content, assetsUrl);
    const layout = layoutFromText(layoutText, board, "best");
    return drawBoard(board, { labels: keyLabels(layout), colour: useColour() });
  } catch (error) {
    const reason = error instanceof KeyForgeError ? error.message : (error as Error).message;
    return `(not drawn: ${reason})\n${layoutText.trimEnd()}`;
  }
}

/** What the job computes, in two lines: the scoring, then the search. */
function searchSettings(content: JobContent): [string, string] {
  const { search } = content;
  const corpora = content.corpora.map((c) => `${idFromPath(c.path)} ×${c.weight}`).join(", ");
  const overrides = Object.entries(content.weightOverrides).map(([k, v]) => `${k}=${v}`);
  const weights = `${assetName(content.weights)}${overrides.length > 0 ? ` (${overrides.join(", ")})` : ""}`;
  const start = "text" in content.start ? "given layout text" : idFromPath(content.start.path);
  return [
    `board ${assetName(content.board)}, corpora ${corpora}, weights ${weights}`,
    [
      search.timeSeconds !== undefined
        ? `${formatElapsed(search.timeSeconds * 1000)} of search`
        : `${search.units} units × ${(search.stepsPerUnit ?? 0).toLocaleString("en-US")} steps`,
      ...(search.convergeSeconds !== undefined
        ? [
            `ends early after ${formatElapsed(search.convergeSeconds * 1000)} without a better layout`,
          ]
        : []),
      `seed ${search.seed}`,
      `start ${start}`,
      ...(search.pins ? [`pins ${JSON.stringify(search.pins)}`] : []),
      ...(search.place !== undefined ? [`moving only ${JSON.stringify(search.place)}`] : []),
      search.allKeys ? "every key" : "the 3x10 letter block",
      ...(search.exclude?.length ? [`keys ${search.exclude.join(", ")} left alone`] : []),
      ...(search.stayClose ? [`stay close ${search.stayClose}`] : []),
    ].join(", "),
  ];
}

/** Label and value rows, a long value wrapped under itself so that no line passes LINE_WIDTH. */
function factsTable(facts: readonly (readonly [string, string])[]): string {
  const labelWidth = Math.max(...facts.map(([label]) => columns(label)));
  return table(
    facts.flatMap(([label, value]) =>
      wrap(value, LINE_WIDTH - labelWidth - 2).map((line, i) => [i === 0 ? label : "", line]),
    ),
  );
}

/**
 * The best results, one a line: short unit ids (the full ones are in --json) and, of each
 * layout, the keys where the results differ, cut to the line's width.
 */
function topResults(top: JobView["top"]): string {
  const rows = [
    ["#", "score", "unit"],
    ...top.map((result, i) => [
      String(i + 1),
      formatScore(result.score),
      shortUnitId(result.unitId),
    ]),
  ];
  const used = Math.max(...table(rows).split("\n").map(columns)) + 2;
  const layouts = differingKeys(top.map((result) => result.layout));
  return table(
    rows.map((row, i) => [
      ...row,
      i === 0
        ? "layout (the keys where they differ)"
        : truncate(layouts[i - 1] ?? "", LINE_WIDTH - used),
    ]),
  );
}

async function showJob(typedId: string, flags: JobFlags): Promise<void> {
  const client = new HiveApiClient(hiveUrlOf(flags.hive));
  const view = await client.getJob(await resolveJobId(client, typedId));
  if (flags.json) {
    printJson(view);
    return;
  }
  const [scoring, search] = searchSettings(view.content);
  const facts: (readonly [string, string])[] = [
    ["job", view.id],
    ["name", view.name],
    ["status", `${view.status}, priority ${view.priority}`],
    ...(view.endedBy && view.status !== "cancelled"
      ? [["ended", endedByText(view.endedBy, view.content.search.convergeSeconds)] as const]
      : []),
    ["progress", `${Math.round(view.progress * 100)}%: ${unitProgress(view.units)}`],
    ["best", formatScore(view.best?.score ?? null)],
    ["created", `${formatTime(view.createdAt)} UTC`],
    ...(view.finishedAt ? [["finished", `${formatTime(view.finishedAt)} UTC`] as const] : []),
    ["scoring", scoring],
    ["search", search],
  ];
  const sections = [factsTable(facts)];
  if (view.best) {
    sections.push(
      `best layout (score ${formatScore(view.best.score)}, unit ${shortUnitId(view.best.unitId)}):\n${await bestLayoutShown(view, view.best.layout, assetsUrlOf(flags.assets))}`,
      metricsTable(view.best.metrics),
      `top results:\n${topResults(view.top)}`,
    );
  } else {
    sections.push("no result yet");
  }
  console.log(sections.join("\n\n"));
  if (view.status === "queued" || view.status === "running") {
    process.stderr.write(`follow it with keyforge watch ${shortJobId(view.id)}\n`);
  }
}

async function retryJob(typedId: string, flags: { hive?: string }): Promise<void> {
  const client = new HiveApiClient(hiveUrlOf(flags.hive));
  const apiKey = await requireApiKey(client.url);
  const view = await client.retryJob(await resolveJobId(client, typedId), apiKey);
  console.log(`job ${shortJobId(view.id)} ${view.status} again: ${unitProgress(view.units)}`);
  process.stderr.write(`follow it with keyforge watch ${shortJobId(view.id)}\n`);
}

export function registerJobCommand(program: Command): void {
  const job = program
    .command("job")
    .description("show a job: status, progress, the best layout with its metrics, the top results")
    .argument("<id>", "the job's id, or its first 8 or more hex digits")
    .option("--json", "print the job as the hive serves it (JSON)")
    .option(...HIVE_FLAG)
    .option(...ASSETS_FLAG)
    .action(showJob);
  // A job id is hex digits, so it is never taken for the subcommand's name. --hive is the
  // parent's, so it works before or after the subcommand's name.
  job
    .command("retry")
    .description(
      "start a failed or cancelled job again (yours, or any as an admin): its failed and cancelled units are queued anew",
    )
    .argument("<id>", "the job's id, or its first 8 or more hex digits")
    .addHelpText(
      "after",
      "\nThe hive is the job command's --hive <url>, given before or after retry.",
    )
    .action((typedId: string, _flags, command: Command) =>
      retryJob(typedId, command.optsWithGlobals()),
    );
}
