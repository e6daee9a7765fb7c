import { readSetting } from "../config.ts";
import type { Database } from "./database.ts";
import { isPostgresUrl } from "./database-location.ts";
import { PgliteDatabase } from "./pglite-database.ts";
import { PostgresDatabase } from "./postgres-database.ts";

/**
 * A postgres:// URL names a server; anything else is the folder of an embedded database. On a
 * server, the tables live in the schema KEYFORGE_DATABASE_SCHEMA (default public), so several
 * installations can share one database.
 */
export function openDatabase(location: string, env: NodeJS.ProcessEnv = process.env): Database {
  return isPostgresUrl(location)
    ? new PostgresDatabase(location, { schema: readSetting("KEYFORGE_DATABASE_SCHEMA", env) })
    : new PgliteDatabase(location);
}
