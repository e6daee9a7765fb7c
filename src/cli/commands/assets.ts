import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import { readSetting } from "../../infra/config.ts";
import { VALKEY_FLAG_HELP, valkeyUrlOf } from "../coordinator-flags.ts";
import { portNumber } from "../flag-values.ts";
import { shutdownSignal } from "../shutdown-signal.ts";

interface AssetsFlags {
  valkey?: string;
  port?: number;
  host?: string;
}

const DEFAULT_PORT = 3001;
/** Loopback unless told otherwise: a gateway reachable from the network is a deliberate choice. */
const DEFAULT_HOST = "127.0.0.1";

function portOf(flags: AssetsFlags): number {
  if (flags.port !== undefined) return flags.port;
  const setting = readSetting("PORT");
  if (setting === undefined) return DEFAULT_PORT;
  try {
    return portNumber(setting);
  } catch {
    throw new KeyForgeError("CONFIG_INVALID", `PORT must be a port number (got "${setting}")`);
  }
}

async function serveAssets(flags: AssetsFlags): Promise<void> {
  // Listening first: a signal that comes while starting still stops the server cleanly.
  const stopping = shutdownSignal();
  const url = valkeyUrlOf(flags.valkey);
  const port = portOf(flags);
  const host = flags.host ?? readSetting("HOST") ?? DEFAULT_HOST;
  // Loaded on use: the HTTP and Valkey libraries would slow every other command's start.
  const { buildAssetsGateway } = await import("../../assets/assets-gateway.ts");
  const { ValkeyCoordinator } = await import("../../infra/coord/valkey-coordinator.ts");
  const coordinator = new ValkeyCoordinator(url);
  const app = buildAssetsGateway(coordinator);
  try {
    try {
      await app.listen({ port, host });
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new KeyForgeError("LISTEN_FAILED", `cannot listen on ${host}:${port}: ${reason}`);
    }
    const { address, family, port: bound } = app.server.address() as AddressInfo;
    const shown = family === "IPv6" ? `[${address}]` : address;
    process.stderr.write(`assets: listening on http://${shown}:${bound}\n`);
    const signal = await stopping;
    process.stderr.write(`assets: ${signal}: stopping\n`);
  } finally {
    await app.close();
    await coordinator.close();
  }
}

export function registerAssetsCommand(program: Command): void {
  program
    .command("assets")
    .description("serve the assets read-only over HTTP, streamed out of Valkey (no disk access)")
    .option("--valkey <url>", VALKEY_FLAG_HELP)
    .option(
      "--port <n>",
      `TCP port, 0 for any free one (default: setting PORT, else ${DEFAULT_PORT})`,
      portNumber,
    )
    .option(
      "--host <address>",
      `address to listen on (default: setting HOST, else ${DEFAULT_HOST})`,
    )
    .action(serveAssets);
}
