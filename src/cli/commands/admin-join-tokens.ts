import { type Command, InvalidArgumentError, Option } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import type { Database } from "../../infra/db/database.ts";
import type { JoinTokenRecord } from "../../infra/db/join-token-repository.ts";
import { displayNameSchema } from "../../protocol/display-name.ts";
import { DATABASE_FLAG, withMigratedDatabase } from "../database-flags.ts";
import { protocolValue, wholeNumber } from "../flag-values.ts";
import { formatTime } from "../job-text.ts";
import { issueJoinToken } from "../join-token-issuing.ts";
import { table } from "../output.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const EXPIRY_UNITS: Readonly<Record<string, number>> = { d: DAY_MS, h: HOUR_MS, m: 60_000 };
/** Longest a join token may stay valid: a forgotten token should not open the hive for ever. */
const MAX_EXPIRY_DAYS = 366;
const MAX_USES = 1_000_000;

/** --expires: days, hours or minutes ("7d", "12h", "30m"). */
function expiryPeriod(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([dhm])$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (EXPIRY_UNITS[match[2] as string] as number) : Number.NaN;
  if (!(ms > 0 && ms <= MAX_EXPIRY_DAYS * DAY_MS)) {
    throw new InvalidArgumentError(
      `not a period of up to ${MAX_EXPIRY_DAYS}d: write e.g. 7d, 12h or 30m`,
    );
  }
  return ms;
}

function useCount(value: string): number {
  const uses = wholeNumber(value);
  if (uses < 1 || uses > MAX_USES) {
    throw new InvalidArgumentError(`must be 1 to ${MAX_USES.toLocaleString("en-US")}`);
  }
  return uses;
}

async function joinTokenStores(db: Database) {
  const { JoinTokenRepository } = await import("../../infra/db/join-token-repository.ts");
  const { AuditLog } = await import("../../infra/db/audit-log.ts");
  return { tokens: new JoinTokenRepository(db), audit: new AuditLog(db) };
}

const STATE_OF_REFUSAL = {
  JOIN_TOKEN_REVOKED: "revoked",
  JOIN_TOKEN_EXPIRED: "expired",
  JOIN_TOKEN_USED_UP: "used up",
} as const;

function stateOf(token: JoinTokenRecord): string {
  if (token.refusal === null) return "active";
  const state = STATE_OF_REFUSAL[token.refusal];
  return token.revokedAt ? `${state} ${formatTime(token.revokedAt.toISOString())}` : state;
}

interface DatabaseFlags {
  database?: string;
}

/** `keyforge admin join-token create|list|revoke`: the tokens volunteers' agents enrol with. */
export function registerJoinTokenCommands(admin: Command): void {
  const joinToken = admin
    .command("join-token")
    .description("create, list and revoke join tokens: volunteers' agents register with them");

  joinToken
    .command("create")
    .description("create a join token; it is printed once and never stored")
    .option("--uses <n>", "how many new nodes may join with it", useCount, 1)
    .addOption(
      new Option("--expires <period>", "how long it may be used: e.g. 7d, 12h, 30m")
        .argParser(expiryPeriod)
        .default(DAY_MS, "1d"),
    )
    .option(
      "--name <label>",
      "what the token is for, shown in the list",
      protocolValue(displayNameSchema(100)),
    )
    .option(...DATABASE_FLAG)
    .action(async (flags: DatabaseFlags & { uses: number; expires: number; name?: string }) => {
      await withMigratedDatabase(flags.database, async (db) => {
        const { record, token } = await issueJoinToken(db, {
          name: flags.name ?? null,
          maxUses: flags.uses,
          expiresAt: new Date(Date.now() + flags.expires),
        });
        const nodes = record.maxUses === 1 ? "1 node" : `${record.maxUses} nodes`;
        console.error(
          `created join token ${record.id}${record.name ? ` (${record.name})` : ""} for ${nodes}, until ${formatTime(record.expiresAt.toISOString())} UTC; the token below is shown only once`,
        );
        console.error(
          "a volunteer joins with it in a file: KEYFORGE_JOIN_TOKEN_FILE=<file> keyforge agent --hive <hive URL> --assets <assets URL>",
        );
        console.log(token);
      });
    });

  joinToken
    .command("list")
    .description("list the join tokens (never the tokens themselves)")
    .option(...DATABASE_FLAG)
    .action(async (flags: DatabaseFlags) => {
      await withMigratedDatabase(flags.database, async (db) => {
        const { tokens } = await joinTokenStores(db);
        const rows = (await tokens.listTokens()).map((t) => [
          t.id,
          t.name ?? "-",
          `${t.uses} of ${t.maxUses}`,
          formatTime(t.expiresAt.toISOString()),
          stateOf(t),
          formatTime(t.createdAt.toISOString()),
        ]);
        console.log(
          table([["id", "name", "used", "expires (UTC)", "state", "created (UTC)"], ...rows]),
        );
      });
    });

  joinToken
    .command("revoke")
    .description("revoke a join token: no new node joins with it (nodes that joined stay)")
    .argument("<id>", "the token's id (jt_...)")
    .option(...DATABASE_FLAG)
    .action(async (id: string, flags: DatabaseFlags) => {
      if (!/^jt_[0-9a-f]{16}$/.test(id)) {
        // Not echoed: it may be the token itself, pasted by mistake.
        throw new KeyForgeError(
          "FLAG_INVALID",
          "<id> must be a join token's id (jt_ and 16 hex digits, as `keyforge admin join-token list` shows)",
        );
      }
      await withMigratedDatabase(flags.database, async (db) => {
        const { tokens, audit } = await joinTokenStores(db);
        if (!(await tokens.revokeToken(id))) {
          throw new KeyForgeError(
            "JOIN_TOKEN_NOT_FOUND",
            `no join token ${id} that is not revoked`,
          );
        }
        await audit.record({
          actor: "admin",
          action: "join-token.revoked",
          subject: id,
          details: {},
        });
        console.log(`revoked ${id}`);
      });
    });
}
