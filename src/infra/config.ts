import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KeyForgeError } from "../core/errors.ts";

/**
 * A setting from the environment: `NAME`, or the content of the file named by `NAME_FILE`
 * (the container-secret convention), trimmed of its final newline. Undefined when neither is
 * set. The error for an unreadable file names the variable, never the secret.
 */
export function readSetting(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct !== undefined && direct !== "") return direct;
  if (file === undefined || file === "") return undefined;
  try {
    return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new KeyForgeError(
      "CONFIG_UNREADABLE",
      `${name}_FILE points at ${file}, which cannot be read (${reason})`,
    );
  }
}

/** Where a process keeps its local state (embedded database, agent identity): KEYFORGE_DATA_DIR. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return readSetting("KEYFORGE_DATA_DIR", env) ?? join(homedir(), ".keyforge");
}
