import { randomUUID } from "node:crypto";
import { Valkey } from "iovalkey";
import { ValkeyCoordinator } from "../../src/infra/coord/valkey-coordinator.ts";

/** The Redis-protocol server of the integration tests (started by .ci/run when down). */
export const TEST_VALKEY_URL = process.env.KEYFORGE_TEST_VALKEY_URL ?? "redis://127.0.0.1:6379";

/**
 * A world of its own on the shared test server: every key under a prefix no other test uses,
 * so test files running side by side never see (or delete) each other's manifest and blobs.
 */
export class IsolatedValkey {
  readonly prefix = `keyforge:test:${randomUUID()}:`;
  private readonly opened: ValkeyCoordinator[] = [];

  /** A new client on this world, as another process would open it. */
  coordinator(): ValkeyCoordinator {
    const coordinator = new ValkeyCoordinator(TEST_VALKEY_URL, { keyPrefix: this.prefix });
    this.opened.push(coordinator);
    return coordinator;
  }

  /** Deletes the keys matching `pattern` under the prefix: "*" is a restart with no persistence. */
  async wipe(pattern = "*"): Promise<number> {
    const valkey = new Valkey(TEST_VALKEY_URL);
    try {
      let deleted = 0;
      let cursor = "0";
      do {
        const [next, found] = await valkey.scan(
          cursor,
          "MATCH",
          `${this.prefix}${pattern}`,
          "COUNT",
          1000,
        );
        cursor = next;
        if (found.length > 0) deleted += await valkey.del(...found);
      } while (cursor !== "0");
      return deleted;
    } finally {
      valkey.disconnect();
    }
  }

  /** Closes every client and removes every key of this world. */
  async close(): Promise<void> {
    for (const coordinator of this.opened.splice(0)) await coordinator.close();
    await this.wipe();
  }
}
