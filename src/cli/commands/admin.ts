import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import type { Database } from "../../infra/db/database.ts";
import { DATABASE_FLAG, withMigratedDatabase } from "../database-flags.ts";
import { table } from "../output.ts";
import { registerJoinTokenCommands } from "./admin-join-tokens.ts";
import { registerNodeCommands } from "./admin-nodes.ts";

interface AdminFlags {
  database?: string;
}

async function keyRepository(db: Database) {
  const { ApiKeyRepository } = await import("../../infra/db/api-key-repository.ts");
  const { AuditLog } = await import("../../infra/db/audit-log.ts");
  return { keys: new ApiKeyRepository(db), audit: new AuditLog(db) };
}

export function registerAdminCommands(program: Command): void {
  const admin = program
    .command("admin")
    .description("administer a hive: API keys, join tokens and nodes");
  const key = admin.command("key").description("create, list and revoke API keys");

  key
    .command("create")
    .description("create an API key; its token is printed once and never stored")
    .requiredOption("--name <name>", "who the key is for")
    .option("--role <role>", "user (submits and cancels its jobs) or admin", "user")
    .option(...DATABASE_FLAG)
    .action(async (flags: AdminFlags & { name: string; role: string }) => {
      if (flags.role !== "user" && flags.role !== "admin") {
        throw new KeyForgeError(
          "FLAG_INVALID",
          `--role must be user or admin (got "${flags.role}")`,
        );
      }
      const role = flags.role;
      await withMigratedDatabase(flags.database, async (db) => {
        const { keys, audit } = await keyRepository(db);
        const { key: created, token } = await keys.createKey(flags.name, role);
        await audit.record({
          actor: "admin",
          action: "key.created",
          subject: created.id,
          details: { name: flags.name, role },
        });
        console.error(
          `created ${role} key ${created.id} for ${flags.name}; the token below is shown only once`,
        );
        console.log(token);
      });
    });

  key
    .command("list")
    .description("list the API keys (never their tokens)")
    .option(...DATABASE_FLAG)
    .action(async (flags: AdminFlags) => {
      await withMigratedDatabase(flags.database, async (db) => {
        const { keys } = await keyRepository(db);
        const rows = (await keys.listKeys()).map((k) => [
          k.id,
          k.name,
          k.role,
          k.createdAt.toISOString(),
          k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : "active",
        ]);
        console.log(table([["id", "name", "role", "created", "state"], ...rows]));
      });
    });

  key
    .command("revoke")
    .description("revoke an API key: it stops working at once")
    .argument("<id>", "the key's id (key_...)")
    .option(...DATABASE_FLAG)
    .action(async (id: string, flags: AdminFlags) => {
      await withMigratedDatabase(flags.database, async (db) => {
        const { keys, audit } = await keyRepository(db);
        if (!(await keys.revokeKey(id))) {
          throw new KeyForgeError("KEY_NOT_FOUND", `no active API key ${id}`);
        }
        await audit.record({ actor: "admin", action: "key.revoked", subject: id, details: {} });
        console.log(`revoked ${id}`);
      });
    });

  registerJoinTokenCommands(admin);
  registerNodeCommands(admin);
}
