import { resolve } from "node:path";
import type { Command } from "commander";
import type { PublishReport } from "../../assetmgr/asset-publisher.ts";
import { KeyForgeError } from "../../core/errors.ts";
import type { Coordinator } from "../../infra/coord/coordinator.ts";
import { SYSTEM_DATA_DIR } from "../../infra/system-data.ts";
import { VALKEY_FLAG_HELP, valkeyKeyPrefix, valkeyUrlOf } from "../coordinator-flags.ts";
import { periodSeconds } from "../flag-values.ts";
import { LOG_FORMAT_FLAG, serverLogger } from "../log-flags.ts";
import { table } from "../output.ts";
import { shutdownSignal } from "../shutdown-signal.ts";

interface AssetmgrFlags {
  valkey?: string;
  data?: string;
  extra?: string;
  verifyInterval: number;
  logFormat?: string;
}

const DEFAULT_VERIFY_SECONDS = 60;

const logLine = (line: string) => process.stderr.write(`${line}\n`);

/** The data folder, then the extra one: the extra folder's file wins when both have a path. */
function foldersOf(flags: AssetmgrFlags): string[] {
  const data = flags.data ?? SYSTEM_DATA_DIR;
  return [data, ...(flags.extra === undefined ? [] : [flags.extra])].map((f) => resolve(f));
}

async function withCoordinator(
  flags: AssetmgrFlags,
  work: (coordinator: Coordinator) => Promise<void>,
): Promise<void> {
  const url = valkeyUrlOf(flags.valkey);
  // Loaded on use, as the modules below: every other command starts without them.
  const { ValkeyCoordinator } = await import("../../infra/coord/valkey-coordinator.ts");
  const coordinator = new ValkeyCoordinator(url, { keyPrefix: valkeyKeyPrefix() });
  try {
    await work(coordinator);
  } finally {
    await coordinator.close();
  }
}

async function runDaemon(flags: AssetmgrFlags): Promise<void> {
  // Listening first: a signal that comes while starting still stops the daemon cleanly.
  const stopping = shutdownSignal();
  const folders = foldersOf(flags);
  const logger = await serverLogger("assetmgr", flags.logFormat);
  const { AssetManager } = await import("../../assetmgr/asset-manager.ts");
  await withCoordinator(flags, async (coordinator) => {
    const manager = await AssetManager.start({
      coordinator,
      folders,
      verifyIntervalMs: flags.verifyInterval * 1000,
      log: (line) => logger.info(line),
    });
    logger.info(
      `assetmgr: watching ${folders.join(", ")}; verifying every ${flags.verifyInterval} s`,
    );
    const signal = await stopping;
    logger.info(`assetmgr: ${signal}: stopping`);
    await manager.close();
  });
}

function summaryOf(report: PublishReport): string {
  const reasons = ["new", "changed", "blob missing"]
    .map((reason) => [reason, report.uploaded.filter((u) => u.reason === reason).length] as const)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${reason}`);
  return [
    `${report.uploaded.length} uploaded${reasons.length > 0 ? ` (${reasons.join(", ")})` : ""}`,
    `${report.unchanged} already served`,
    `${report.removed.length} removed`,
    `${report.rejected.length} rejected`,
  ].join(", ");
}

/** One pass that makes the manifest match the folders; fails when a file stays unpublished. */
async function publishOnce(what: string, flags: AssetmgrFlags): Promise<void> {
  const folders = foldersOf(flags);
  const { checkAssetFolders } = await import("../../assetmgr/asset-scan.ts");
  const { AssetPublisher } = await import("../../assetmgr/asset-publisher.ts");
  await checkAssetFolders(folders);
  await withCoordinator(flags, async (coordinator) => {
    const report = await new AssetPublisher({ coordinator, folders, log: logLine }).reconcile();
    console.log(`${what}: ${summaryOf(report)}`);
    if (report.rejected.length > 0) {
      throw new KeyForgeError(
        "ASSETS_REJECTED",
        `${report.rejected.length} file(s) could not be published: ${report.rejected.map((r) => r.path).join(", ")}`,
      );
    }
  });
}

async function listManifest(flags: AssetmgrFlags): Promise<void> {
  await withCoordinator(flags, async (coordinator) => {
    const entries = await coordinator.getManifest();
    if (entries.length === 0) {
      console.log("the manifest is empty (keyforge assetmgr seed publishes the folder)");
      return;
    }
    console.log(
      table([
        ["path", "kind", "size", "sha256", "updated"],
        ...entries.map((e) => [
          e.path,
          e.kind,
          e.size.toLocaleString("en-US"),
          e.sha256.slice(0, 12),
          e.updated,
        ]),
      ]),
    );
  });
}

export function registerAssetManagerCommands(program: Command): void {
  // Options live on the parent, so they work before or after the subcommand's name.
  const assetmgr = program
    .command("assetmgr")
    .description(
      "publish the asset folder to Valkey and keep it published: watch, validate, upload, verify",
    )
    .option("--valkey <url>", VALKEY_FLAG_HELP)
    .option(
      "--data <dir>",
      "folder with boards/, layouts/, corpora/, weights/ (default: the shipped data/system)",
    )
    .option(
      "--extra <dir>",
      "another folder of the same shape; its files win over --data's for the same path",
    )
    .option(
      "--verify-interval <seconds>",
      "seconds between two full verifies",
      periodSeconds,
      DEFAULT_VERIFY_SECONDS,
    )
    .option(...LOG_FORMAT_FLAG)
    .action((flags: AssetmgrFlags) => runDaemon(flags));
  assetmgr
    .command("seed")
    .description("publish every valid asset file once and exit")
    .action((_flags, command: Command) => publishOnce("seed", command.optsWithGlobals()));
  assetmgr
    .command("verify")
    .description(
      "re-upload what the manifest lacks (entries, blobs), remove what the folder lacks; fail if a file stays unpublished",
    )
    .action((_flags, command: Command) => publishOnce("verify", command.optsWithGlobals()));
  assetmgr
    .command("list")
    .description("print the manifest: path, kind, size, sha256 prefix, upload time")
    .action((_flags, command: Command) => listManifest(command.optsWithGlobals()));
}
