import { KeyForgeError } from "../core/errors.ts";
import { readSetting } from "../infra/config.ts";
import { redactedUrl } from "../infra/redacted-url.ts";

export const DEFAULT_VALKEY_URL = "redis://127.0.0.1:6379";

export const VALKEY_FLAG_HELP =
  "Valkey/Redis URL (default: setting KEYFORGE_VALKEY_URL, else redis://127.0.0.1:6379)";

const PROTOCOLS = new Set(["redis:", "rediss:", "valkey:", "valkeys:"]);

/** Refuses a URL the client would misread (a bare word is taken for a host or a socket path). */
function checkedUrl(value: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !PROTOCOLS.has(url.protocol) || url.hostname === "") {
    // Echoed without its user name and password.
    throw new KeyForgeError(
      "FLAG_INVALID",
      `${source} must be a URL such as redis://host:6379 (schemes: redis, rediss, valkey, valkeys), not ${redactedUrl(value)}`,
    );
  }
  return value;
}

/** The Valkey URL from --valkey, else the KEYFORGE_VALKEY_URL setting, else loopback. */
export function valkeyUrlOf(flag: string | undefined): string {
  if (flag !== undefined) return checkedUrl(flag, "--valkey");
  const setting = readSetting("KEYFORGE_VALKEY_URL");
  return setting === undefined ? DEFAULT_VALKEY_URL : checkedUrl(setting, "KEYFORGE_VALKEY_URL");
}

/**
 * The prefix of every Valkey key and channel (setting KEYFORGE_VALKEY_PREFIX), so several
 * installations can share one server; undefined for the default.
 */
export function valkeyKeyPrefix(): string | undefined {
  const prefix = readSetting("KEYFORGE_VALKEY_PREFIX");
  if (prefix !== undefined && !/^[\w:.-]{1,64}$/.test(prefix)) {
    throw new KeyForgeError(
      "FLAG_INVALID",
      "KEYFORGE_VALKEY_PREFIX may hold letters, digits and _ : . - (at most 64)",
    );
  }
  return prefix;
}
