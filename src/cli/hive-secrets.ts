import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readSetting } from "../infra/config.ts";
import { writeDurably } from "../infra/durable-file.ts";

/** HIVE_SECRET, then HIVE_SECRET_PREVIOUS (still accepted while agents move to the new one). */
export function hiveSecrets(): string[] {
  return ["HIVE_SECRET", "HIVE_SECRET_PREVIOUS"].flatMap((name) => {
    const value = readSetting(name);
    return value ? [value] : [];
  });
}

/**
 * The secret of a machine's own hive, kept in `<dir>/hive-secret` (owner-only): made on first
 * use, the same afterwards, so agents on other machines can join with HIVE_SECRET_FILE.
 */
export async function localHiveSecret(dir: string): Promise<{ secret: string; file: string }> {
  const file = join(dir, "hive-secret");
  await writeDurably(file, `${randomBytes(32).toString("base64url")}\n`, { replace: false });
  return { secret: (await readFile(file, "utf8")).trim(), file };
}
