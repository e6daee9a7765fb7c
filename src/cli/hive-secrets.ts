import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { KeyForgeError } from "../core/errors.ts";
import { readSetting } from "../infra/config.ts";
import { writeDurably } from "../infra/durable-file.ts";
import { joinTokenSchema } from "../protocol/node-messages.ts";

/**
 * HIVE_SECRET, then HIVE_SECRET_PREVIOUS (still accepted while agents move to the new one; an
 * empty one, or one equal to HIVE_SECRET, is none). A previous secret without a current one
 * cannot be right: the hive would sign with the secret being retired.
 */
export function hiveSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const current = readSetting("HIVE_SECRET", env) || undefined;
  const previous = readSetting("HIVE_SECRET_PREVIOUS", env) || undefined;
  if (current === undefined && previous !== undefined) {
    throw new KeyForgeError(
      "CONFIG_INVALID",
      "HIVE_SECRET_PREVIOUS is set but HIVE_SECRET is not: during a rotation, HIVE_SECRET holds the new secret and HIVE_SECRET_PREVIOUS the old one",
    );
  }
  if (current === undefined) return [];
  return previous === undefined || previous === current ? [current] : [current, previous];
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
