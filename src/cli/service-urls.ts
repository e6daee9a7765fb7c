import { KeyForgeError } from "../core/errors.ts";
import { readSetting } from "../infra/config.ts";

/** Where `keyforge up` serves the hive and the assets gateway. */
export const LOCAL_HIVE_URL = "http://127.0.0.1:3000";
export const LOCAL_ASSETS_URL = "http://127.0.0.1:3001";

export const HIVE_FLAG = [
  "--hive <url>",
  `the hive's URL (default: setting KEYFORGE_HIVE_URL, else ${LOCAL_HIVE_URL}, the local keyforge up)`,
] as const;

export const ASSETS_FLAG = [
  "--assets <url>",
  `the assets gateway's URL (default: setting KEYFORGE_ASSETS_URL, else ${LOCAL_ASSETS_URL})`,
] as const;

/** An http(s) URL without its trailing slashes; anything else is refused, naming where it came from. */
export function httpUrl(value: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new KeyForgeError(
      "FLAG_INVALID",
      `${source} must be an http:// or https:// URL (got "${value}")`,
    );
  }
  return value.replace(/\/+$/, "");
}

function serviceUrl(flag: string | undefined, flagName: string, setting: string, local: string) {
  if (flag !== undefined) return httpUrl(flag, flagName);
  const configured = readSetting(setting);
  return configured === undefined ? local : httpUrl(configured, setting);
}

/** The hive URL from --hive, else KEYFORGE_HIVE_URL, else the local all-in-one. */
export const hiveUrlOf = (flag: string | undefined) =>
  serviceUrl(flag, "--hive", "KEYFORGE_HIVE_URL", LOCAL_HIVE_URL);

/** The assets gateway URL from --assets, else KEYFORGE_ASSETS_URL, else the local all-in-one. */
export const assetsUrlOf = (flag: string | undefined) =>
  serviceUrl(flag, "--assets", "KEYFORGE_ASSETS_URL", LOCAL_ASSETS_URL);
