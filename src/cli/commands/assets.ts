import type { Command } from "commander";
import { VALKEY_FLAG_HELP, valkeyKeyPrefix, valkeyUrlOf } from "../coordinator-flags.ts";
import { LOG_FORMAT_FLAG, serverLogger } from "../log-flags.ts";
import { listenAddress, serveUntilStopped, withListenFlags } from "../server-lifecycle.ts";
import { shutdownSignal } from "../shutdown-signal.ts";

interface AssetsFlags {
  valkey?: string;
  port?: number;
  host?: string;
  logFormat?: string;
}

const DEFAULT_PORT = 3001;

async function serveAssets(flags: AssetsFlags): Promise<void> {
  // Listening first: a signal that comes while starting still stops the server cleanly.
  const stopping = shutdownSignal();
  const url = valkeyUrlOf(flags.valkey);
  const address = listenAddress(flags, DEFAULT_PORT);
  const logger = await serverLogger("assets", flags.logFormat);
  // Loaded on use: the HTTP and Valkey libraries would slow every other command's start.
  const { buildAssetsGateway } = await import("../../assets/assets-gateway.ts");
  const { ValkeyCoordinator } = await import("../../infra/coord/valkey-coordinator.ts");
  const coordinator = new ValkeyCoordinator(url, { keyPrefix: valkeyKeyPrefix() });
  try {
    await serveUntilStopped(
      buildAssetsGateway(coordinator, { logger }),
      "assets",
      address,
      stopping,
    );
  } finally {
    await coordinator.close();
  }
}

export function registerAssetsCommand(program: Command): void {
  withListenFlags(program.command("assets"), DEFAULT_PORT)
    .description("serve the assets read-only over HTTP, streamed out of Valkey (no disk access)")
    .option("--valkey <url>", VALKEY_FLAG_HELP)
    .option(...LOG_FORMAT_FLAG)
    .action(serveAssets);
}
