import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import { corsOrigins } from "../../hive/cors.ts";
import { DEFAULT_KEY_QUOTA } from "../../hive/key-quota.ts";
import type { RateLimits } from "../../hive/rate-limits.ts";
import { readSetting } from "../../infra/config.ts";
import { VALKEY_FLAG_HELP, valkeyKeyPrefix, valkeyUrlOf } from "../coordinator-flags.ts";
import { DATABASE_FLAG, withMigratedDatabase } from "../database-flags.ts";
import { periodSeconds, positiveWholeNumber, wholeNumber } from "../flag-values.ts";
import { hiveSecrets } from "../hive-secrets.ts";
import { LOG_FORMAT_FLAG, serverLogger } from "../log-flags.ts";
import { listenAddress, serveUntilStopped, withListenFlags } from "../server-lifecycle.ts";
import { shutdownSignal } from "../shutdown-signal.ts";

interface HiveFlags {
  database?: string;
  valkey?: string;
  port?: number;
  host?: string;
  maxQueuedUnits?: number;
  keyMaxJobs: number;
  keyMaxUnits: number;
  rateLimitKey?: number;
  rateLimitClient?: number;
  trustProxy?: string;
  corsOrigin?: string;
  assetsUrl?: string;
  nodeTokenLifetime?: number;
  logFormat?: string;
}

const DEFAULT_PORT = 3000;
/** The assets gateway's port (`keyforge assets`), where the web app looks without --assets-url. */
const ASSETS_PORT = 3001;

/** Per-minute limits from the flags: 0 lifts a limit; both 0 turn counting off. */
function rateLimitsOf(flags: HiveFlags, defaults: RateLimits): RateLimits | null {
  const perKey = flags.rateLimitKey ?? defaults.perKey;
  const perClient = flags.rateLimitClient ?? defaults.perClient;
  if (perKey === 0 && perClient === 0) return null;
  return {
    perKey: perKey === 0 ? Number.MAX_SAFE_INTEGER : perKey,
    perClient: perClient === 0 ? Number.MAX_SAFE_INTEGER : perClient,
    windowMs: 60_000,
  };
}

/** --assets-url checked: an http(s) URL, without a trailing slash. */
function webAssetsUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new KeyForgeError("FLAG_INVALID", `--assets-url must be an http(s) URL (got ${value})`);
  }
  return url.href.replace(/\/+$/, "");
}

async function serveHive(flags: HiveFlags): Promise<void> {
  const stopping = shutdownSignal();
  const address = listenAddress(flags, DEFAULT_PORT);
  const valkeyUrl = valkeyUrlOf(flags.valkey);
  const secrets = hiveSecrets();
  const corsOrigin = flags.corsOrigin ?? readSetting("KEYFORGE_CORS_ORIGIN");
  const origins = corsOrigin === undefined ? [] : corsOrigins(corsOrigin);
  const assetsUrl = webAssetsUrl(flags.assetsUrl ?? readSetting("KEYFORGE_ASSETS_URL"));
  const logger = await serverLogger("hive", flags.logFormat);
  // Loaded on use: the server, database and Valkey libraries would slow every other command.
  const { buildHive } = await import("../../hive/hive-app.ts");
  const { DEFAULT_RATE_LIMITS } = await import("../../hive/rate-limits.ts");
  const { ValkeyCoordinator } = await import("../../infra/coord/valkey-coordinator.ts");
  const coordinator = new ValkeyCoordinator(valkeyUrl, { keyPrefix: valkeyKeyPrefix() });
  try {
    // A failed migration stops the start with a non-zero exit; the schema stays as it was.
    await withMigratedDatabase(
      flags.database,
      async (db) => {
        if (secrets.length === 0) {
          logger.warn(
            "hive: HIVE_SECRET is not set: no node can register (node tokens are signed with it, join tokens or not), and only admin API keys administer",
          );
        }
        const app = await buildHive({
          db,
          coordinator,
          secrets,
          nodeTokenSeconds: flags.nodeTokenLifetime,
          maxQueuedUnits: flags.maxQueuedUnits,
          keyQuota: { maxOpenJobs: flags.keyMaxJobs, maxOpenUnits: flags.keyMaxUnits },
          rateLimits: rateLimitsOf(flags, DEFAULT_RATE_LIMITS),
          trustProxy: flags.trustProxy,
          corsOrigins: origins,
          webApp: {
            config: (page) => ({
              api: "",
              assets: assetsUrl ?? `${page.protocol}://${page.hostname}:${ASSETS_PORT}`,
            }),
          },
          logger,
        });
        await serveUntilStopped(app, "hive", address, stopping);
      },
      (line) => logger.info(`hive: migrate: ${line}`),
    );
  } finally {
    await coordinator.close();
  }
}

export function registerHiveCommand(program: Command): void {
  withListenFlags(program.command("hive"), DEFAULT_PORT)
    .description(
      "serve the hive API (jobs, units, results, nodes, events) on PostgreSQL and Valkey; migrates the database first",
    )
    .option(...DATABASE_FLAG)
    .option("--valkey <url>", VALKEY_FLAG_HELP)
    .option(...LOG_FORMAT_FLAG)
    .option(
      "--node-token-lifetime <seconds>",
      "lifetime of the node tokens this instance issues (default 3600): after a HIVE_SECRET rotation, wait this long before emptying HIVE_SECRET_PREVIOUS (docs/operations/secrets.md)",
      periodSeconds,
    )
    .option(
      "--max-queued-units <n>",
      "refuse new jobs (503) while more units than this wait for agents (default 1000000)",
      wholeNumber,
    )
    .option(
      "--key-max-jobs <n>",
      "open (queued or running) jobs one user's API key may have; admins have no quota",
      positiveWholeNumber,
      DEFAULT_KEY_QUOTA.maxOpenJobs,
    )
    .option(
      "--key-max-units <n>",
      "units not yet done one user's API key may have in its open jobs",
      positiveWholeNumber,
      DEFAULT_KEY_QUOTA.maxOpenUnits,
    )
    .option(
      "--rate-limit-key <n>",
      "requests per minute per API key or node token, counted across instances (default 1200; 0: unlimited)",
      wholeNumber,
    )
    .option(
      "--rate-limit-client <n>",
      "requests per minute per client address (default 6000; 0: unlimited)",
      wholeNumber,
    )
    .option(
      "--trust-proxy <addresses>",
      "gateway addresses or CIDR ranges whose X-Forwarded-For names the client (default: none)",
    )
    .option(
      "--cors-origin <origins>",
      "origins whose pages may call the API from a browser, comma-separated, e.g. https://keyforge.example.org (default: setting KEYFORGE_CORS_ORIGIN, else none)",
    )
    .option(
      "--assets-url <url>",
      "the assets gateway the web app at / reads boards, layouts and corpora from (default: setting KEYFORGE_ASSETS_URL, else port 3001 of the host the page came from)",
    )
    .action(serveHive);
}
