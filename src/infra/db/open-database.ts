import { join } from "node:path";
import { dataDir, readSetting } from "../config.ts";
import type { Database } from "./database.ts";
import { PgliteDatabase } from "./pglite-database.ts";
import { PostgresDatabase } from "./postgres-database.ts";

/**
 * A postgres:// URL names a server; anything else is the folder of an embedded database. On a
 * server, the tables live in the schema KEYFORGE_DATABASE_SCHEMA (default public), so several
 * installations can share one database.
 */
export function openDatabase(location: string, env: NodeJS.ProcessEnv = process.env): Database {
  return /^postgres(ql)?:\/\//.test(location)
    ? new PostgresDatabase(location, { schema: readSetting("KEYFORGE_DATABASE_SCHEMA", env) })
    : new PgliteDatabase(location);
}

/** DATABASE_URL when it is set (or DATABASE_URL_FILE), else the embedded database in the data dir. */
export function defaultDatabaseLocation(env: NodeJS.ProcessEnv = process.env): string {
  return readSetting("DATABASE_URL", env) ?? join(dataDir(env), "db");
}
