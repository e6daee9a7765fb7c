import { createHash } from "node:crypto";

/**
 * How bearer tokens the hive issues (API keys, join tokens) are stored. They are 256 random
 * bits, so a plain SHA-256 is enough: nothing about a token can be learnt from its hash, and
 * lookups by hash take the same path for every guess.
 */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
