import type { Command } from "commander";
import { requireApiKey } from "../api-keys.ts";
import { HiveApiClient } from "../hive-api-client.ts";
import { resolveJobId } from "../job-id.ts";
import { shortJobId, unitProgress } from "../job-text.ts";
import { HIVE_FLAG, hiveUrlOf } from "../service-urls.ts";

async function cancel(typedId: string, flags: { hive?: string }): Promise<void> {
  const client = new HiveApiClient(hiveUrlOf(flags.hive));
  const apiKey = await requireApiKey(client.url);
  const view = await client.cancelJob(await resolveJobId(client, typedId), apiKey);
  console.log(`job ${shortJobId(view.id)} ${view.status}: ${unitProgress(view.units)}`);
}

export function registerCancelCommand(program: Command): void {
  program
    .command("cancel")
    .description("cancel a job (yours, or any as an admin); agents stop its units")
    .argument("<id>", "the job's id, or its first 8 or more hex digits")
    .option(...HIVE_FLAG)
    .action(cancel);
}
