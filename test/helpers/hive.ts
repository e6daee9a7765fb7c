import type { FastifyInstance } from "fastify";
import { AssetPublisher } from "../../src/assetmgr/asset-publisher.ts";
import { buildHive } from "../../src/hive/hive-app.ts";
import type { KeyQuota } from "../../src/hive/key-quota.ts";
import type { RateLimits } from "../../src/hive/rate-limits.ts";
import type { Coordinator } from "../../src/infra/coord/coordinator.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { ApiKeyRepository } from "../../src/infra/db/api-key-repository.ts";
import type { Database } from "../../src/infra/db/database.ts";
import type { CompileBudget } from "../../src/infra/job-compiler.ts";
import { SYSTEM_DATA_DIR } from "../../src/infra/system-data.ts";
import { freshPglite, freshPostgres } from "./databases.ts";
import { IsolatedValkey } from "./valkey.ts";

export const HIVE_SECRET = "test-hive-secret-0123456789";

export interface TestHive {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly coordinator: Coordinator;
  /** Authorization headers of a user key, another user's key, an admin key and the secret. */
  readonly auth: {
    readonly alice: { authorization: string };
    readonly bob: { authorization: string };
    readonly admin: { authorization: string };
    readonly secret: { authorization: string };
  };
  /** A coordinator for a second instance: new Valkey clients on the same keys (or the same in-memory one). */
  anotherCoordinator(): Coordinator;
  close(): Promise<void>;
}

/**
 * A hive on real stores with the built-in assets published: PostgreSQL and Redis ("server"),
 * or PGlite and the in-memory coordinator ("embedded"). `close` stops it and drops its stores.
 */
export async function startHive(
  stack: "server" | "embedded",
  options: {
    maxQueuedUnits?: number;
    rateLimits?: RateLimits;
    keyQuota?: KeyQuota;
    compileBudget?: CompileBudget;
    /** What the hive is given in place of the database (a fault-injecting wrapper). */
    wrapDatabase?: (db: Database) => Database;
    /** What the hive is given in place of the coordinator (one that holds calls back). */
    wrapCoordinator?: (coordinator: Coordinator) => Coordinator;
    /** Proxies whose X-Forwarded-For names the client (see HiveOptions.trustProxy). */
    trustProxy?: string;
    /** Origins whose pages may call the API (see HiveOptions.corsOrigins). */
    corsOrigins?: readonly string[];
  } = {},
): Promise<TestHive> {
  const { db, drop } = stack === "server" ? await freshPostgres() : await freshPglite();
  const valkey = stack === "server" ? new IsolatedValkey() : null;
  const coordinator = valkey ? valkey.coordinator() : new MemoryCoordinator();
  await new AssetPublisher({ coordinator, folders: [SYSTEM_DATA_DIR], log: () => {} }).reconcile();
  const app = await buildHive({
    db: options.wrapDatabase ? options.wrapDatabase(db) : db,
    coordinator: options.wrapCoordinator ? options.wrapCoordinator(coordinator) : coordinator,
    secrets: [HIVE_SECRET],
    maxQueuedUnits: options.maxQueuedUnits,
    compileBudget: options.compileBudget,
    trustProxy: options.trustProxy,
    corsOrigins: options.corsOrigins,
    // Unlimited unless a test is about limits: the tests send many requests from one address.
    rateLimits: options.rateLimits ?? null,
    maxStreamsPerClient: Number.POSITIVE_INFINITY,
    keyQuota: options.keyQuota ?? {
      maxOpenJobs: Number.POSITIVE_INFINITY,
      maxOpenUnits: Number.POSITIVE_INFINITY,
    },
    log: process.env.TEST_HIVE_LOG ? (line) => process.stderr.write(`${line}\n`) : () => {},
  });
  const keys = new ApiKeyRepository(db);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  return {
    app,
    db,
    coordinator,
    auth: {
      alice: bearer((await keys.createKey("alice", "user")).token),
      bob: bearer((await keys.createKey("bob", "user")).token),
      admin: bearer((await keys.createKey("root", "admin")).token),
      secret: bearer(HIVE_SECRET),
    },
    anotherCoordinator: () => (valkey ? valkey.coordinator() : coordinator),
    async close() {
      await app.close();
      await (valkey ? valkey.close() : coordinator.close());
      await drop();
    },
  };
}
