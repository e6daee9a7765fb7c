import { networkInterfaces } from "node:os";
import { isWildcardHost } from "./server-lifecycle.ts";

export interface JoinSetting {
  /** The address the hive and the gateway listen on (--host). */
  readonly host: string;
  readonly hivePort: number;
  readonly assetsPort: number;
  /** The file holding the hive secret, or undefined when it came from HIVE_SECRET. */
  readonly secretFile: string | undefined;
  /** Addresses other machines may reach this one by; the machine's own when not given. */
  readonly addresses?: readonly string[];
}

/** Where the copied secret goes on the other machine, readable by its owner only. */
const REMOTE_SECRET_FILE = "~/.keyforge-hive-secret";

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

/** This machine's non-loopback IPv4 addresses: the ones another machine on its network uses. */
export function machineAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === "IPv4" && !entry.internal)
    .map((entry) => entry.address);
}

const urlHost = (host: string) => (host.includes(":") ? `[${host}]` : host);

/** The agent command, its flags on a line of their own so that it fits a terminal. */
function agentCommand(secretFile: string, hiveUrl: string, assetsUrl: string): string[] {
  return [
    `   HIVE_SECRET_FILE=${secretFile} keyforge agent \\`,
    `     --hive ${hiveUrl} --assets ${assetsUrl}`,
  ];
}

/**
 * What `keyforge up` prints about more agents: the exact commands to copy, with this machine's
 * address and ports, and the secret passed as a file (never on a command line, where other
 * users and the shell history see it). A hive on loopback says how to open it to others.
 */
export function joinInstructions(setting: JoinSetting): string[] {
  const url = (host: string, port: number) => `http://${urlHost(host)}:${port}`;
  if (isLoopback(setting.host)) {
    return [
      "another agent on this machine:",
      ...agentCommand(
        setting.secretFile ?? "<a file holding HIVE_SECRET>",
        url(setting.host, setting.hivePort),
        url(setting.host, setting.assetsPort),
      ),
      `other machines cannot reach ${setting.host}: to let them join, start again with`,
      "--host 0.0.0.0 (every interface, on a network you trust) or this machine's address",
    ];
  }
  const addresses = isWildcardHost(setting.host)
    ? (setting.addresses ?? machineAddresses())
    : [setting.host];
  const address = addresses[0] ?? "<this machine's address>";
  const others = addresses.length > 1 ? ` (this one is also ${addresses.slice(1).join(", ")})` : "";
  const secretSteps =
    setting.secretFile === undefined
      ? [`1. there, put the value of HIVE_SECRET in ${REMOTE_SECRET_FILE}, readable by you only`]
      : [
          "1. copy the hive secret there, readable by you only:",
          `   scp ${setting.secretFile} <machine>:.keyforge-hive-secret`,
          "   ssh <machine> chmod 600 .keyforge-hive-secret",
        ];
  return [
    `another machine of yours joins${others}:`,
    ...secretSteps,
    "2. there, run:",
    ...agentCommand(
      REMOTE_SECRET_FILE,
      url(address, setting.hivePort),
      url(address, setting.assetsPort),
    ),
  ];
}
