import { KeyForgeError } from "../../core/errors.ts";
import { readSetting } from "../config.ts";
import type { Database } from "./database.ts";
import { isPostgresUrl } from "./database-location.ts";

/** The embedded database's module, absent where it was left out (the server image). */
async function embeddedDatabaseModule() {
  try {
    return await import("./pglite-database.ts");
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" &&
      (error as Error).message.includes("@electric-sql/pglite");
    if (!missing) throw error;
    throw new KeyForgeError(
      "EMBEDDED_DATABASE_MISSING",
      "this installation has no embedded database (the server image leaves it out): set DATABASE_URL, or pass --database, with a postgres:// URL",
    );
  }
}

/**
 * A postgres:// URL names a server; anything else is the folder of an embedded database. On a
 * server, the tables live in the schema KEYFORGE_DATABASE_SCHEMA (default public), so several
 * installations can share one database. Each kind's library is loaded only when used.
 */
export async function openDatabase(
  location: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Database> {
  if (isPostgresUrl(location)) {
    const { PostgresDatabase } = await import("./postgres-database.ts");
    return new PostgresDatabase(location, { schema: readSetting("KEYFORGE_DATABASE_SCHEMA", env) });
  }
  const { PgliteDatabase } = await embeddedDatabaseModule();
  return new PgliteDatabase(location);
}
