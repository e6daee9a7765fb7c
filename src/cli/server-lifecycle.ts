import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import type { FastifyInstance } from "fastify";
import { KeyForgeError } from "../core/errors.ts";
import { readSetting } from "../infra/config.ts";
import { portNumber } from "./flag-values.ts";

/** Loopback unless told otherwise: a server reachable from the network is a deliberate choice. */
export const DEFAULT_HOST = "127.0.0.1";

export interface ListenFlags {
  port?: number;
  host?: string;
}

/** The --port and --host flags of a server command. */
export function withListenFlags(command: Command, defaultPort: number): Command {
  return command
    .option(
      "--port <n>",
      `TCP port, 0 for any free one (default: setting PORT, else ${defaultPort})`,
      portNumber,
    )
    .option(
      "--host <address>",
      `address to listen on (default: setting HOST, else ${DEFAULT_HOST})`,
    );
}

/** Port and address from the flags, else the PORT and HOST settings, else the defaults. */
export function listenAddress(
  flags: ListenFlags,
  defaultPort: number,
): { port: number; host: string } {
  const host = flags.host ?? readSetting("HOST") ?? DEFAULT_HOST;
  if (flags.port !== undefined) return { port: flags.port, host };
  const setting = readSetting("PORT");
  if (setting === undefined) return { port: defaultPort, host };
  try {
    return { port: portNumber(setting), host };
  } catch {
    throw new KeyForgeError("CONFIG_INVALID", `PORT must be a port number (got "${setting}")`);
  }
}

/**
 * Listens, announces `<name>: listening on <url>` on standard error (tests and operators wait
 * for that line), and returns the URL. A port in use is a LISTEN_FAILED error.
 */
export async function listenOn(
  app: FastifyInstance,
  name: string,
  address: { port: number; host: string },
): Promise<string> {
  try {
    await app.listen(address);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new KeyForgeError(
      "LISTEN_FAILED",
      `cannot listen on ${address.host}:${address.port}: ${reason}`,
    );
  }
  const { address: bound, family, port } = app.server.address() as AddressInfo;
  const urlOf = (host: string) => `http://${family === "IPv6" ? `[${host}]` : host}:${port}`;
  process.stderr.write(`${name}: listening on ${urlOf(bound)}\n`);
  // Every address of the machine: this machine's own clients use the loopback one.
  return urlOf(isWildcardHost(bound) ? (family === "IPv6" ? "::1" : "127.0.0.1") : bound);
}

/** An address that listens on every interface of the machine. */
export function isWildcardHost(host: string): boolean {
  return host === "0.0.0.0" || host === "::";
}

/** Listens (listenOn), then closes the server at SIGINT or SIGTERM. */
export async function serveUntilStopped(
  app: FastifyInstance,
  name: string,
  address: { port: number; host: string },
  stopping: Promise<NodeJS.Signals>,
): Promise<void> {
  try {
    await listenOn(app, name, address);
    const signal = await stopping;
    app.log.info(`${name}: ${signal}: stopping`);
  } finally {
    await app.close();
  }
}
