import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import { checkMigrationFolder, describeViolation } from "../../infra/db/migration-policy.ts";
import { DATABASE_FLAG, openDatabaseFlag } from "../database-flags.ts";

/** Checks the migrations against the zero-downtime policy without touching a database. */
async function checkPolicy(dir: string): Promise<void> {
  const violations = await checkMigrationFolder(dir);
  if (violations.length > 0) {
    const lines = violations.map((v) => `  ${describeViolation(v)}`);
    throw new KeyForgeError(
      "MIGRATION_POLICY_VIOLATED",
      `${violations.length} problem(s) with the zero-downtime policy (docs/operations/migrations.md):\n${lines.join("\n")}`,
    );
  }
  console.log("every migration keeps the zero-downtime policy");
}

async function runMigrate(options: {
  database?: string;
  dir?: string;
  checkPolicy?: boolean;
}): Promise<void> {
  // Loaded on use: the database libraries would slow every other command's start.
  const { MIGRATIONS_DIR, migrate } = await import("../../infra/db/migration-runner.ts");
  if (options.checkPolicy) return checkPolicy(options.dir ?? MIGRATIONS_DIR);
  const db = await openDatabaseFlag(options.database);
  try {
    const applied = await migrate(db, {
      dir: options.dir,
      log: (line) => console.error(`migrate: ${line}`),
    });
    console.log(
      applied.length === 0
        ? "the database schema is up to date"
        : `applied ${applied.length} migration(s): ${applied.join(", ")}`,
    );
  } finally {
    await db.close();
  }
}

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description(
      "apply the pending SQL migrations (in one transaction, under an advisory lock); a failure leaves the schema as it was and exits non-zero",
    )
    .option(...DATABASE_FLAG)
    .option("--dir <folder>", "migrations folder (default: the migrations shipped with KeyForge)")
    .option(
      "--check-policy",
      "only check the migrations against the zero-downtime policy (no database needed)",
    )
    .action(runMigrate);
}
