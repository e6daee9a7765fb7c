import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { Logger } from "pino";
import { dataDir, readSetting } from "../../infra/config.ts";
import type { Coordinator } from "../../infra/coord/coordinator.ts";
import type { Database } from "../../infra/db/database.ts";
import { databaseUrlSetting } from "../../infra/db/database-location.ts";
import { writeDurably } from "../../infra/durable-file.ts";
import { lockForProcess } from "../../infra/process-lock.ts";
import { SYSTEM_DATA_DIR } from "../../infra/system-data.ts";
import { KEYFORGE_VERSION } from "../../infra/version.ts";
import { defaultThreads, nicenessOf, PRIORITY_FLAG } from "../agent-flags.ts";
import { saveApiKey, savedApiKey } from "../api-keys.ts";
import { valkeyKeyPrefix, valkeyUrlOf } from "../coordinator-flags.ts";
import { withMigratedDatabase } from "../database-flags.ts";
import { portNumber, wholeNumber } from "../flag-values.ts";
import { hiveSecrets, localHiveSecret } from "../hive-secrets.ts";
import { joinInstructions, reachableFromOthers } from "../join-instructions.ts";
import { issueJoinToken } from "../join-token-issuing.ts";
import { LOG_FORMAT_FLAG, serverLogger } from "../log-flags.ts";
import { DEFAULT_HOST, listenOn } from "../server-lifecycle.ts";
import { shutdownSignal } from "../shutdown-signal.ts";

interface UpFlags {
  host: string;
  port: number;
  assetsPort: number;
  threads?: number;
  priority: string;
  extra?: string;
  logFormat?: string;
}

/** The log of each part of `up`, named after the process it stands in for. */
interface UpLoggers {
  readonly hive: Logger;
  readonly assets: Logger;
  readonly assetmgr: Logger;
  readonly agent: Logger;
}

/**
 * On one machine the local agent's heartbeats and long polls would fill the terminal with
 * request lines: the servers log warnings and errors unless KEYFORGE_LOG_LEVEL says otherwise;
 * assetmgr and the agent say what they do.
 */
async function upLoggers(format: string | undefined): Promise<UpLoggers> {
  const [hive, assets, assetmgr, agent] = await Promise.all([
    serverLogger("hive", format, "warn"),
    serverLogger("assets", format, "warn"),
    serverLogger("assetmgr", format),
    serverLogger("agent", format),
  ]);
  return { hive, assets, assetmgr, agent };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Seconds the local agent's running units may take to finish at Ctrl-C. */
const LOCAL_GRACE_SECONDS = 5;

/** The in-memory coordinator, or Valkey when KEYFORGE_VALKEY_URL names one. */
async function openCoordinator(): Promise<{ coordinator: Coordinator; where: string }> {
  if (readSetting("KEYFORGE_VALKEY_URL") === undefined) {
    const { MemoryCoordinator } = await import("../../infra/coord/memory-coordinator.ts");
    return { coordinator: new MemoryCoordinator(), where: "in memory" };
  }
  const { ValkeyCoordinator } = await import("../../infra/coord/valkey-coordinator.ts");
  const coordinator = new ValkeyCoordinator(valkeyUrlOf(undefined), {
    keyPrefix: valkeyKeyPrefix(),
  });
  return { coordinator, where: "Valkey (KEYFORGE_VALKEY_URL)" };
}

/** The API key saved for this hive when the hive still knows it, else a new admin key, saved. */
async function localApiKey(db: Database, hiveUrl: string, dir: string): Promise<string> {
  const { ApiKeyRepository } = await import("../../infra/db/api-key-repository.ts");
  const { AuditLog } = await import("../../infra/db/audit-log.ts");
  const keys = new ApiKeyRepository(db);
  const saved = await savedApiKey(hiveUrl, dir);
  if (saved !== undefined && (await keys.findByToken(saved))) return saved;
  const { key, token } = await keys.createKey("keyforge up", "admin");
  await new AuditLog(db).record({
    actor: "admin",
    action: "key.created",
    subject: key.id,
    details: { name: "keyforge up", role: "admin" },
  });
  await saveApiKey(hiveUrl, token, dir);
  return token;
}

/** How many nodes, and for how long, the join token `up` makes for volunteers lets join. */
const VOLUNTEER_TOKEN = { maxUses: 10, days: 7 } as const;

/**
 * The join token for volunteers, kept in `<dir>/join-token` (owner-only): the saved one while
 * the hive still accepts it, else a new one, saved.
 */
async function volunteerJoinToken(db: Database, dir: string) {
  const { JoinTokenRepository } = await import("../../infra/db/join-token-repository.ts");
  const file = join(dir, "join-token");
  const saved = (await readFile(file, "utf8").catch(() => "")).trim();
  const known = saved === "" ? null : await new JoinTokenRepository(db).findToken(saved);
  if (known && known.refusal === null) return { file, ...known };
  const { record, token } = await issueJoinToken(db, {
    name: "keyforge up: volunteers",
    maxUses: VOLUNTEER_TOKEN.maxUses,
    expiresAt: new Date(Date.now() + VOLUNTEER_TOKEN.days * 86_400_000),
  });
  await writeDurably(file, `${token}\n`);
  return { file, ...record };
}

/**
 * assetmgr on the built-in data and the --extra folder. The first pass publishes every file
 * into a fresh in-memory coordinator: it is summed up in one line rather than one per file.
 */
async function startAssetManager(
  coordinator: Coordinator,
  extra: string | undefined,
  logger: Logger,
) {
  const { AssetManager } = await import("../../assetmgr/asset-manager.ts");
  const folders = [SYSTEM_DATA_DIR, ...(extra === undefined ? [] : [resolve(extra)])];
  let starting = true;
  let published = 0;
  const manager = await AssetManager.start({
    coordinator,
    folders,
    verifyIntervalMs: 60_000,
    log: (line) => {
      if (starting && line.startsWith("assetmgr: uploaded ")) published++;
      else logger.info(line);
    },
  });
  starting = false;
  logger.info(`assetmgr: ${published} file(s) published; watching ${folders.join(", ")}`);
  return manager;
}

/**
 * Backups of the embedded database while `up` has it open: on request (`keyforge backup`
 * through the data dir's socket) and daily into `<dir>/backups`. Resolves with the stop.
 */
async function startEmbeddedBackups(
  db: Database,
  dir: string,
  logger: Logger,
): Promise<() => Promise<void>> {
  const { takeEmbeddedSnapshot } = await import("../../infra/db/embedded-snapshot.ts");
  const { serveSnapshots } = await import("../up-backup-socket.ts");
  const { startDailySnapshots } = await import("../daily-snapshots.ts");
  const snapshot = () => takeEmbeddedSnapshot(db);
  const stopServing = await serveSnapshots(dir, snapshot, (line) => logger.warn(line)).catch(
    (error: Error) => {
      logger.warn(`keyforge up: keyforge backup cannot reach this process: ${error.message}`);
      return async () => {};
    },
  );
  const stopDaily = startDailySnapshots(join(dir, "backups"), snapshot, {
    written: (file) => logger.info(`keyforge up: daily backup ${file} written`),
    failed: (error) => logger.warn(`keyforge up: the daily backup failed: ${error.message}`),
  });
  return async () => {
    await stopServing();
    await stopDaily();
  };
}

/** Closes what was opened, the last first; a failing close is reported, not rethrown. */
async function closeAll(closers: (() => Promise<unknown>)[], logger: Logger): Promise<void> {
  for (const close of closers.reverse()) {
    await close().catch((error: Error) =>
      logger.warn({ err: error }, "keyforge up: while stopping"),
    );
  }
}

/** The local agent, until `stop` is aborted. */
async function runLocalAgent(
  urls: { hiveUrl: string; assetsUrl: string },
  options: { dir: string; secret: string; threads: number; niceness: number; logger: Logger },
  stop: AbortSignal,
): Promise<void> {
  const { Agent } = await import("../../agent/agent.ts");
  const agent = new Agent({
    ...urls,
    dataDir: join(options.dir, "local-agent"),
    secret: () => options.secret,
    threads: options.threads,
    niceness: options.niceness,
    engine: KEYFORGE_VERSION,
    name: "keyforge up",
    log: (line) => options.logger.info(line),
    graceMs: LOCAL_GRACE_SECONDS * 1000,
  });
  await agent.run(stop);
}

/**
 * The whole system on one machine: the embedded database (or DATABASE_URL), the in-memory
 * coordinator (or KEYFORGE_VALKEY_URL), assetmgr, the hive, the assets gateway and a local
 * agent, in one process, until Ctrl-C.
 */
async function runUp(flags: UpFlags): Promise<void> {
  const stopping = shutdownSignal();
  const dir = resolve(dataDir());
  const niceness = nicenessOf(flags.priority);
  const threads = flags.threads ?? defaultThreads();
  const databaseUrl = databaseUrlSetting();
  const loggers = await upLoggers(flags.logFormat);
  // The embedded database allows one process; a second `up` on the same folder stops here.
  const unlock = await lockForProcess(join(dir, "up.lock"), `the data dir ${dir}`);
  try {
    await withMigratedDatabase(
      databaseUrl ?? join(dir, "db"),
      async (db) => {
        const closers: (() => Promise<unknown>)[] = [];
        try {
          const { coordinator, where } = await openCoordinator();
          closers.push(() => coordinator.close());
          const manager = await startAssetManager(coordinator, flags.extra, loggers.assetmgr);
          closers.push(() => manager.close());
          const configured = hiveSecrets();
          const local = configured.length > 0 ? null : await localHiveSecret(dir);
          const secrets = local ? [local.secret] : configured;
          const { buildHive } = await import("../../hive/hive-app.ts");
          // Known once the gateway listens (its port may be chosen then); pages load after that.
          let assetsPort = flags.assetsPort;
          const hive = await buildHive({
            db,
            coordinator,
            secrets,
            logger: loggers.hive,
            // The page asks for its assets on the host it was loaded from, at the gateway's port.
            webApp: {
              config: (page) => ({
                api: "",
                assets: `${page.protocol}://${page.hostname}:${assetsPort}`,
              }),
            },
          });
          closers.push(() => hive.close());
          if (databaseUrl === undefined)
            closers.push(await startEmbeddedBackups(db, dir, loggers.hive));
          const hiveUrl = await listenOn(hive, "hive", { host: flags.host, port: flags.port });
          const { buildAssetsGateway } = await import("../../assets/assets-gateway.ts");
          const assets = buildAssetsGateway(coordinator, { logger: loggers.assets });
          closers.push(() => assets.close());
          const assetsUrl = await listenOn(assets, "assets", {
            host: flags.host,
            port: flags.assetsPort,
          });
          assetsPort = Number(new URL(assetsUrl).port);
          const apiKey = await localApiKey(db, hiveUrl, dir);
          const joining = joinInstructions({
            host: flags.host,
            hivePort: Number(new URL(hiveUrl).port),
            assetsPort: Number(new URL(assetsUrl).port),
            secretFile: local?.file,
            ...(reachableFromOthers(flags.host) && {
              joinToken: await volunteerJoinToken(db, dir),
            }),
          });
          log(
            [
              "",
              `keyforge up: ready (KeyForge ${KEYFORGE_VERSION})`,
              `  hive      ${hiveUrl}   (API documentation at ${hiveUrl}/docs)`,
              `  assets    ${assetsUrl}`,
              `  API key   ${apiKey}`,
              `            saved for the keyforge commands in ${join(dir, "api-keys.json")}`,
              `  database  ${databaseUrl === undefined ? join(dir, "db") : "DATABASE_URL"}`,
              `  events    ${where}`,
              `  agents    ${threads === 0 ? "none here (--threads 0)" : `a local one with ${threads} thread(s)`}`,
              ...joining.map((line) => `            ${line}`),
              "  try       keyforge submit --board corne --corpus en --units 4 --steps 2000000",
              "            keyforge watch <job id>",
              "Press Ctrl-C to stop.",
              "",
            ].join("\n"),
          );
          const stop = new AbortController();
          const agentDone =
            threads === 0
              ? null
              : runLocalAgent(
                  { hiveUrl, assetsUrl },
                  { dir, secret: secrets[0] as string, threads, niceness, logger: loggers.agent },
                  stop.signal,
                );
          const signal = await Promise.race([
            stopping,
            ...(agentDone ? [agentDone.then(() => null)] : []),
          ]);
          log(`keyforge up: ${signal ?? "the local agent ended"}: stopping`);
          stop.abort();
          // The agent gives its units back through the hive: the hive closes after it.
          await agentDone;
        } finally {
          await closeAll(closers, loggers.hive);
        }
      },
      (line) => loggers.hive.info(`hive: migrate: ${line}`),
    );
  } finally {
    await unlock();
  }
}

export function registerUpCommand(program: Command): void {
  program
    .command("up")
    .description(
      "run the whole system on this machine: hive, assets, assetmgr and a local agent, on an embedded database",
    )
    .option("--host <address>", "address the hive and the assets gateway listen on", DEFAULT_HOST)
    .option("--port <n>", "the hive's port", portNumber, 3000)
    .option("--assets-port <n>", "the assets gateway's port", portNumber, 3001)
    .option(
      "--threads <n>",
      "threads of the local agent (default: cores - 1, at least 1; 0: no local agent)",
      wholeNumber,
    )
    .option(...PRIORITY_FLAG)
    .option(
      "--extra <dir>",
      "a folder of your own boards/, layouts/, corpora/, weights/ to publish next to the built-in ones",
    )
    .option(...LOG_FORMAT_FLAG)
    .addHelpText(
      "after",
      [
        "",
        "State lives in the data dir (setting KEYFORGE_DATA_DIR, default ~/.keyforge): the embedded",
        "database (backed up daily into backups/ there; see keyforge backup), the local agent, the",
        "hive secret and the API key. With DATABASE_URL and KEYFORGE_VALKEY_URL set, the same",
        "processes run on those services instead.",
        "",
      ].join("\n"),
    )
    .action(runUp);
}
