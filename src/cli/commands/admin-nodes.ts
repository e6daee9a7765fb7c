import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import type { NodeRecord } from "../../infra/db/node-repository.ts";
import { JOIN_ENROLMENT, secretEnrolment } from "../../infra/node-enrolments.ts";
import { MAX_REJECTED_RESULTS, nodeIdSchema } from "../../protocol/node-messages.ts";
import { DATABASE_FLAG, withMigratedDatabase } from "../database-flags.ts";
import { hiveSecrets } from "../hive-secrets.ts";
import { formatTime } from "../job-text.ts";
import { table } from "../output.ts";

interface NodeListFlags {
  database?: string;
  all?: boolean;
}

/**
 * What a node enrolled with. With HIVE_SECRET (and HIVE_SECRET_PREVIOUS) set here as on the
 * hive, a secret's generation is named: current, previous, or retired (the node must enrol
 * again); else by its fingerprint.
 */
function enrolmentText(enrolment: string | null, secrets: readonly string[]): string {
  if (enrolment === JOIN_ENROLMENT) return "join token";
  if (enrolment === null) return "unknown (enrols again)";
  if (secrets.length === 0) return `secret ${enrolment.slice("secret:".length).slice(0, 8)}`;
  const generation = secrets.findIndex((secret) => secretEnrolment(secret) === enrolment);
  return ["secret (current)", "secret (previous)"][generation] ?? "secret (retired)";
}

function stateOf(node: NodeRecord): string {
  if (node.removedAt) return `removed ${formatTime(node.removedAt.toISOString())}`;
  return node.rejectedResults >= MAX_REJECTED_RESULTS ? "suspended" : "active";
}

/** `keyforge admin node list|remove`: the agents registered with the hive. */
export function registerNodeCommands(admin: Command): void {
  const node = admin.command("node").description("list and remove the hive's nodes (agents)");

  node
    .command("list")
    .description("list the registered nodes: what they enrolled with, refused results, state")
    .option("--all", "include removed nodes")
    .option(...DATABASE_FLAG)
    .action(async (flags: NodeListFlags) => {
      const secrets = hiveSecrets();
      await withMigratedDatabase(flags.database, async (db) => {
        const { NodeRepository } = await import("../../infra/db/node-repository.ts");
        const nodes = await new NodeRepository(db).listNodes({
          includeRemoved: flags.all ?? false,
        });
        const rows = nodes.map((n) => [
          n.id,
          n.name ?? "-",
          String(n.threads ?? "-"),
          Math.round(n.calibratedIps).toLocaleString("en-US"),
          enrolmentText(n.enrolment, secrets),
          String(n.rejectedResults),
          formatTime(n.registeredAt.toISOString()),
          stateOf(n),
        ]);
        console.log(
          table([
            [
              "id",
              "name",
              "threads",
              "steps/s",
              "enrolled with",
              "refused",
              "registered (UTC)",
              "state",
            ],
            ...rows,
          ]),
        );
      });
    });

  node
    .command("remove")
    .description(
      "remove a node: it gets no more units, its leased units go back to the queue, and only a new join token lets it back",
    )
    .argument("<id>", "the node's id (32 hex digits, as `keyforge admin node list` shows)")
    .option(...DATABASE_FLAG)
    .action(async (id: string, flags: { database?: string }) => {
      if (!nodeIdSchema.safeParse(id).success) {
        throw new KeyForgeError(
          "FLAG_INVALID",
          "<id> must be a node's id: 32 hex digits, as `keyforge admin node list` shows",
        );
      }
      await withMigratedDatabase(flags.database, async (db) => {
        const { removeNode } = await import("../../hive/node-removal.ts");
        const released = await removeNode(db, id, "admin");
        const units = released.length === 1 ? "1 unit" : `${released.length} units`;
        console.log(`removed node ${id}; ${units} it held went back to the queue`);
      });
    });
}
