import type { FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Coordinator } from "../infra/coord/coordinator.ts";
import { ApiKeyRepository } from "../infra/db/api-key-repository.ts";
import type { Database } from "../infra/db/database.ts";
import { type CompileBudget, JobCompiler } from "../infra/job-compiler.ts";
import type { WebAppOptions } from "../infra/web-app.ts";
import { AssetCatalog } from "./asset-catalog.ts";
import {
  authenticatedNode,
  type Principal,
  type RegistrationCredential,
  registrationCredential,
  requireNode,
  requireUser,
} from "./auth.ts";
import { EventHub } from "./event-hub.ts";
import { HiveMetrics } from "./hive-metrics.ts";
import { IslandExchange } from "./island-exchange.ts";
import { JobModels } from "./job-models.ts";
import { JobService } from "./job-service.ts";
import { DEFAULT_KEY_QUOTA, type KeyQuota } from "./key-quota.ts";
import { LeaseService } from "./lease-service.ts";
import { NodeService } from "./node-service.ts";
import type { RateLimits } from "./rate-limits.ts";
import { Reaper } from "./reaper.ts";
import { ResultService } from "./result-service.ts";
import { StreamSlots } from "./stream-slots.ts";
import { WorkSignal } from "./work-signal.ts";

export interface HiveOptions {
  readonly db: Database;
  readonly coordinator: Coordinator;
  /** HIVE_SECRET, then HIVE_SECRET_PREVIOUS during a rotation. */
  readonly secrets: readonly string[];
  /**
   * Lifetime of the node tokens this instance issues (default 3600 s): how long a token signed
   * with a secret outlives the secret's removal from HIVE_SECRET, and so the wait of a rotation.
   */
  readonly nodeTokenSeconds?: number;
  /** Above this many queued units, POST /jobs answers 503 (default 1,000,000). */
  readonly maxQueuedUnits?: number;
  /** What one user's key may have open at once (default DEFAULT_KEY_QUOTA; admins: no quota). */
  readonly keyQuota?: KeyQuota;
  /** What checking one job may spend (default DEFAULT_COMPILE_BUDGET: the input limits'). */
  readonly compileBudget?: CompileBudget;
  /** Largest request body in bytes (default 1 MiB). */
  readonly bodyLimitBytes?: number;
  /** Milliseconds between two reaper passes (default 15,000; 0: no reaper on this instance). */
  readonly reaperPeriodMs?: number;
  /**
   * Proxies whose X-Forwarded-For names the client (the gateway): addresses or CIDR ranges,
   * comma-separated (default none: the peer address is the client).
   */
  readonly trustProxy?: string;
  /** Origins whose pages may call the API from a browser (CORS); default none. */
  readonly corsOrigins?: readonly string[];
  /** Serve the web app at / (from dist/web), telling it where the assets gateway is. */
  readonly webApp?: WebAppOptions;
  /** Event streams one client may hold open on this instance (default 16). */
  readonly maxStreamsPerClient?: number;
  /** Requests per client and per credential (default DEFAULT_RATE_LIMITS; null: unlimited). */
  readonly rateLimits?: RateLimits | null;
  /**
   * The instance's log: one line per request, bugs with their stack (default: none; the
   * server commands pass one, see src/infra/logging).
   */
  readonly logger?: Logger;
  /** Where degraded operations are reported (default: the logger, as warnings). */
  readonly log?: (line: string) => void;
}

/** What the routes of one hive instance share: stores, services and the caller's identity. */
export class HiveContext {
  readonly db: Database;
  readonly coordinator: Coordinator;
  readonly jobs: JobService;
  readonly nodes: NodeService;
  readonly leases: LeaseService;
  readonly results: ResultService;
  /** Builds jobs' models off the event loop; closed with the app. */
  readonly compiler: JobCompiler;
  readonly metrics = new HiveMetrics();
  readonly reaper: Reaper;
  /** Fans the event bus out to this instance's event streams. */
  readonly events = new EventHub();
  /** Wakes this instance's long-polling lease requests. */
  readonly work = new WorkSignal();
  /** The event streams each client holds open on this instance. */
  readonly streamSlots: StreamSlots;
  readonly log: (line: string) => void;
  private readonly keys: ApiKeyRepository;
  private readonly secrets: readonly string[];

  /** `log` is settled by buildHive (the instance's logger, unless the caller gives one). */
  constructor(options: HiveOptions & { readonly log: (line: string) => void }) {
    this.db = options.db;
    this.coordinator = options.coordinator;
    this.secrets = options.secrets;
    this.log = options.log;
    this.keys = new ApiKeyRepository(options.db);
    this.streamSlots = new StreamSlots(options.maxStreamsPerClient ?? 16);
    const catalog = new AssetCatalog(options.coordinator);
    this.compiler = new JobCompiler(options.compileBudget);
    const models = new JobModels(options.db, catalog, this.compiler);
    this.jobs = new JobService({
      db: options.db,
      coordinator: options.coordinator,
      catalog,
      models,
      compiler: this.compiler,
      maxQueuedUnits: options.maxQueuedUnits ?? 1_000_000,
      quota: options.keyQuota ?? DEFAULT_KEY_QUOTA,
      log: this.log,
    });
    const islands = new IslandExchange({
      db: options.db,
      coordinator: options.coordinator,
      models,
      log: this.log,
    });
    this.results = new ResultService({
      db: options.db,
      coordinator: options.coordinator,
      models,
      islands,
      log: this.log,
    });
    this.leases = new LeaseService({
      db: options.db,
      coordinator: options.coordinator,
      work: this.work,
      log: this.log,
    });
    this.reaper = new Reaper({ db: options.db, coordinator: options.coordinator, log: this.log });
    this.nodes = new NodeService({
      db: options.db,
      coordinator: options.coordinator,
      secrets: options.secrets,
      nodeTokenSeconds: options.nodeTokenSeconds,
      islands,
      log: this.log,
    });
  }

  registrationCredential(request: FastifyRequest): RegistrationCredential {
    return registrationCredential(request, this.secrets);
  }

  /** The id of the node calling with its token. */
  node(request: FastifyRequest): string {
    return authenticatedNode(request, this.secrets);
  }

  requireNode(request: FastifyRequest, nodeId: string): void {
    requireNode(request, this.secrets, nodeId);
  }

  requireUser(request: FastifyRequest): Promise<Principal> {
    return requireUser(request, this.keys);
  }
}
