import type { Command } from "commander";
import { migrate } from "../../infra/db/migration-runner.ts";
import { defaultDatabaseLocation, openDatabase } from "../../infra/db/open-database.ts";

async function runMigrate(options: { database?: string; dir?: string }): Promise<void> {
  const db = openDatabase(options.database ?? defaultDatabaseLocation());
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
    .option(
      "--database <url-or-folder>",
      "postgres:// URL, or the folder of an embedded database (default: DATABASE_URL, else <data dir>/db)",
    )
    .option("--dir <folder>", "migrations folder (default: the migrations shipped with KeyForge)")
    .action(runMigrate);
}
