import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { KeyForgeError } from "../core/errors.ts";
import { dataDir, readSetting } from "../infra/config.ts";
import { writeDurably } from "../infra/durable-file.ts";

const API_KEYS_FORMAT = "keyforge-api-keys/1";

/** `<data dir>/api-keys.json`: the user's API key for each hive, by the hive's URL. */
const apiKeysFileSchema = z.strictObject({
  format: z.literal(API_KEYS_FORMAT),
  keys: z.record(z.string().min(1), z.string().min(1)),
});

/** Where a user gets an API key; said wherever one is missing or refused. */
export const API_KEY_HINT =
  "set KEYFORGE_API_KEY, run `keyforge up` (it saves a key for its own hive), or ask the hive's admin for one (`keyforge admin key create`)";

export function apiKeysFile(dir: string = dataDir()): string {
  return join(dir, "api-keys.json");
}

/** The keys are filed under the hive's URL as `--hive` and KEYFORGE_HIVE_URL give it. */
function hiveKey(hiveUrl: string): string {
  return hiveUrl.replace(/\/+$/, "");
}

/** The file's keys; none when there is no file. Its content is never quoted: it holds secrets. */
async function readKeys(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return {};
    throw new KeyForgeError("API_KEYS_UNREADABLE", `cannot read ${file} (${code ?? "unreadable"})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new KeyForgeError(
      "API_KEYS_INVALID",
      `${file} is not valid JSON; fix it or delete it and save the keys again`,
    );
  }
  const parsed = apiKeysFileSchema.safeParse(document);
  if (!parsed.success) {
    throw new KeyForgeError(
      "API_KEYS_INVALID",
      `${file} is not a ${API_KEYS_FORMAT} file ({ "format": "${API_KEYS_FORMAT}", "keys": { "<hive url>": "kf_..." } }); fix it or delete it and save the keys again`,
    );
  }
  return parsed.data.keys;
}

/** The hive's entry in `<dir>/api-keys.json`, if any (the settings are not looked at). */
export async function savedApiKey(
  hiveUrl: string,
  dir: string = dataDir(),
): Promise<string | undefined> {
  return (await readKeys(apiKeysFile(dir)))[hiveKey(hiveUrl)];
}

/**
 * The API key for the hive at `hiveUrl`: the setting KEYFORGE_API_KEY (or the file that
 * KEYFORGE_API_KEY_FILE names), else the hive's entry in `<dir>/api-keys.json`, else none.
 */
export async function apiKeyFor(
  hiveUrl: string,
  dir: string = dataDir(),
): Promise<string | undefined> {
  return readSetting("KEYFORGE_API_KEY") ?? (await savedApiKey(hiveUrl, dir));
}

/** The API key for the hive at `hiveUrl`, or API_KEY_MISSING saying where to get one. */
export async function requireApiKey(hiveUrl: string, dir: string = dataDir()): Promise<string> {
  const key = await apiKeyFor(hiveUrl, dir);
  if (key === undefined) {
    throw new KeyForgeError(
      "API_KEY_MISSING",
      `no API key for the hive at ${hiveKey(hiveUrl)} (looked at KEYFORGE_API_KEY and ${apiKeysFile(dir)}): ${API_KEY_HINT}`,
    );
  }
  return key;
}

/**
 * Files `token` as the API key for the hive at `hiveUrl` in `<dir>/api-keys.json`, keeping the
 * keys of other hives; the file is replaced whole, readable by its owner only.
 */
export async function saveApiKey(
  hiveUrl: string,
  token: string,
  dir: string = dataDir(),
): Promise<void> {
  if (token === "") throw new KeyForgeError("API_KEY_INVALID", "an API key cannot be empty");
  const file = apiKeysFile(dir);
  const keys = { ...(await readKeys(file)), [hiveKey(hiveUrl)]: token };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeDurably(file, `${JSON.stringify({ format: API_KEYS_FORMAT, keys }, null, 2)}\n`);
}
