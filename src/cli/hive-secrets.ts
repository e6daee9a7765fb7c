import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { KeyForgeError } from "../core/errors.ts";
import { readSetting } from "../infra/config.ts";
import { writeDurably } from "../infra/durable-file.ts";
import { joinTokenSchema } from "../protocol/node-messages.ts";

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

/**
 * The join token an agent registers with: `flag` (--join-token), else the setting
 * KEYFORGE_JOIN_TOKEN (or the file KEYFORGE_JOIN_TOKEN_FILE names); undefined when none is
 * given. Something that is not a join token is refused at once, without quoting it.
 */
export function joinTokenSetting(flag: string | undefined): string | undefined {
  const token = flag ?? readSetting("KEYFORGE_JOIN_TOKEN");
  if (token !== undefined && !joinTokenSchema.safeParse(token).success) {
    const where = flag !== undefined ? "--join-token" : "KEYFORGE_JOIN_TOKEN";
    throw new KeyForgeError(
      "JOIN_TOKEN_MALFORMED",
      `${where} is not a join token (kfj_ and 43 characters, as \`keyforge admin join-token create\` prints it)`,
    );
  }
  return token;
}
