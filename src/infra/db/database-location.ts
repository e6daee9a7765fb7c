import { join } from "node:path";
import { KeyForgeError } from "../../core/errors.ts";
import { dataDir, readSetting } from "../config.ts";
import { redactedUrl } from "../redacted-url.ts";

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** A postgres:// (or postgresql://) URL names a server; any other location is a folder. */
export function isPostgresUrl(location: string): boolean {
  return POSTGRES_URL.test(location);
}

/** A URL scheme and its colon; two letters at least, so a Windows drive (C:\) stays a folder. */
const URL_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/**
 * `value` of `setting` (DATABASE_URL, --database) as a database location: a postgres:// URL, or
 * a folder. Anything else shaped like a URL is refused: a mistyped scheme (postgress://,
 * mysql://) would otherwise open an empty embedded database in a folder named after the URL.
 * The message shows the URL without its user name and password.
 */
export function checkedDatabaseLocation(value: string, setting: string): string {
  if (isPostgresUrl(value) || !(URL_SCHEME.test(value) || value.includes("://"))) return value;
  throw new KeyForgeError(
    "CONFIG_INVALID",
    `${setting} must be a postgres:// (or postgresql://) URL or the folder of an embedded database, not ${redactedUrl(value)} (a folder whose name holds a colon is written ./name)`,
  );
}

/** DATABASE_URL (or DATABASE_URL_FILE), checked; undefined when it is not set. */
export function databaseUrlSetting(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = readSetting("DATABASE_URL", env);
  return value === undefined ? undefined : checkedDatabaseLocation(value, "DATABASE_URL");
}

/** DATABASE_URL when it is set (or DATABASE_URL_FILE), else the embedded database in the data dir. */
export function defaultDatabaseLocation(env: NodeJS.ProcessEnv = process.env): string {
  return databaseUrlSetting(env) ?? join(dataDir(env), "db");
}
