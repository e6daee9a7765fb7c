import { KeyForgeError } from "../core/errors.ts";
import type { HiveApiClient } from "./hive-api-client.ts";
import { shortJobId } from "./job-text.ts";

const FULL_ID = /^[0-9a-f]{64}$/;
const PREFIX = /^[0-9a-f]{8,63}$/;
/** A prefix is looked up among this many of the newest jobs, in pages of the API's largest. */
export const PREFIX_SEARCH_JOBS = 1000;
const PAGE = 200;

/**
 * The job id a user typed: the full 64 hex digits, or a prefix of at least 8 that exactly one
 * of the newest PREFIX_SEARCH_JOBS jobs starts with (the hive has no lookup by prefix, so
 * older jobs need their full id).
 */
export async function resolveJobId(client: HiveApiClient, typed: string): Promise<string> {
  const given = typed.trim().toLowerCase();
  if (FULL_ID.test(given)) return given;
  if (!PREFIX.test(given)) {
    throw new KeyForgeError(
      "JOB_ID_INVALID",
      `"${typed}" is not a job id: give its 64 hex digits, or the first 8 or more of them`,
    );
  }
  const matches: string[] = [];
  let seen = 0;
  let cursor: string | undefined;
  do {
    const page = await client.listJobs({ limit: PAGE, cursor });
    seen += page.jobs.length;
    for (const job of page.jobs) if (job.id.startsWith(given)) matches.push(job.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && seen < PREFIX_SEARCH_JOBS);
  if (matches.length > 1) {
    throw new KeyForgeError(
      "JOB_ID_AMBIGUOUS",
      `${matches.length} jobs start with ${given} (${matches.map(shortJobId).join(", ")}): give more of the id`,
    );
  }
  const [match] = matches;
  if (match === undefined) {
    const where =
      cursor === undefined
        ? ""
        : ` among the ${seen} newest jobs (give the full id of an older one)`;
    throw new KeyForgeError("JOB_NOT_FOUND", `no job id starts with ${given}${where}`);
  }
  return match;
}
