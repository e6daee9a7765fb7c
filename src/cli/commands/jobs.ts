import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import { type JobSummary, jobStatusSchema } from "../../protocol/job-messages.ts";
import { requireApiKey } from "../api-keys.ts";
import { positiveWholeNumber } from "../flag-values.ts";
import { HiveApiClient } from "../hive-api-client.ts";
import { formatScore, formatTime, shortJobId } from "../job-text.ts";
import { printJson, table } from "../output.ts";
import { HIVE_FLAG, hiveUrlOf } from "../service-urls.ts";

interface JobsFlags {
  hive?: string;
  status?: string;
  mine?: boolean;
  limit: number;
  json?: boolean;
}

/** The most jobs the API lists in one page. */
const PAGE = 200;

async function listJobs(flags: JobsFlags): Promise<void> {
  if (flags.status !== undefined && !jobStatusSchema.safeParse(flags.status).success) {
    throw new KeyForgeError(
      "FLAG_INVALID",
      `--status must be one of ${jobStatusSchema.options.join(", ")} (got "${flags.status}")`,
    );
  }
  const client = new HiveApiClient(hiveUrlOf(flags.hive));
  const apiKey = flags.mine ? await requireApiKey(client.url) : undefined;
  const jobs: JobSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listJobs(
      {
        status: flags.status,
        mine: flags.mine,
        limit: Math.min(PAGE, flags.limit - jobs.length),
        cursor,
      },
      apiKey,
    );
    jobs.push(...page.jobs);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && jobs.length < flags.limit);
  if (flags.json) {
    printJson({ jobs, nextCursor: cursor ?? null });
    return;
  }
  if (jobs.length === 0) {
    process.stderr.write(`no jobs${flags.status ? ` ${flags.status}` : ""} on ${client.url}\n`);
    return;
  }
  console.log(
    table([
      ["id", "name", "status", "units", "best", "created (UTC)"],
      ...jobs.map((job) => [
        shortJobId(job.id),
        job.name,
        job.status,
        String(job.units),
        formatScore(job.bestScore),
        formatTime(job.createdAt),
      ]),
    ]),
  );
  if (cursor !== undefined) {
    process.stderr.write(`the ${jobs.length} newest shown; --limit shows more\n`);
  }
}

export function registerJobsCommand(program: Command): void {
  program
    .command("jobs")
    .description("list a hive's jobs, newest first")
    .option("--status <status>", `only jobs in this state: ${jobStatusSchema.options.join(", ")}`)
    .option("--mine", "only the jobs submitted with your API key")
    .option("--limit <n>", "list at most this many", positiveWholeNumber, 20)
    .option("--json", "print the jobs as JSON")
    .option(...HIVE_FLAG)
    .action(listJobs);
}
