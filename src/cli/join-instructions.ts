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
  /** The join token `up` keeps for volunteers, when others can reach it. */
  readonly joinToken?: {
    readonly file: string;
    readonly maxUses: number;
    readonly expiresAt: Date;
  };
}

/** Where the copied secret goes on the other machine, readable by its owner only. */
const REMOTE_SECRET_FILE = "~/.keyforge-hive-secret";

/** Whether a server listening on `host` can be reached from other machines. */
export function reachableFromOthers(host: string): boolean {
  return !(host === "localhost" || host === "::1" || /^127\./.test(host));
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
function agentCommand(credential: string, hiveUrl: string, assetsUrl: string): string[] {
  return [`   ${credential} keyforge agent \\`, `     --hive ${hiveUrl} --assets ${assetsUrl}`];
}

/**
 * What `keyforge up` prints about more agents: the exact commands to copy, with this machine's
 * address and ports, and the secret passed as a file (never on a command line, where other
 * users and the shell history see it). A hive on loopback says how to open it to others.
 */
export function joinInstructions(setting: JoinSetting): string[] {
  const url = (host: string, port: number) => `http://${urlHost(host)}:${port}`;
  if (!reachableFromOthers(setting.host)) {
    return [
      "another agent on this machine:",
      ...agentCommand(
        `HIVE_SECRET_FILE=${setting.secretFile ?? "<a file holding HIVE_SECRET>"}`,
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
  const hiveUrl = url(address, setting.hivePort);
  const assetsUrl = url(address, setting.assetsPort);
  return [
    `another machine of yours joins${others}:`,
    ...secretSteps,
    "2. there, run:",
    ...agentCommand(`HIVE_SECRET_FILE=${REMOTE_SECRET_FILE}`, hiveUrl, assetsUrl),
    ...(setting.joinToken ? volunteerSteps(setting.joinToken, hiveUrl, assetsUrl) : []),
  ];
}

/** Other people's machines join with the join token, never with the hive secret. */
function volunteerSteps(
  token: NonNullable<JoinSetting["joinToken"]>,
  hiveUrl: string,
  assetsUrl: string,
): string[] {
  const until = token.expiresAt.toISOString().slice(0, 16).replace("T", " ");
  return [
    `volunteers join with a join token instead (${token.maxUses} nodes, until ${until} UTC):`,
    `1. send them the file ${token.file}`,
    "2. they run, with the file saved as join-token:",
    ...agentCommand("KEYFORGE_JOIN_TOKEN_FILE=join-token", hiveUrl, assetsUrl),
    "more tokens: keyforge admin join-token create (with up stopped, on the embedded database)",
  ];
}
