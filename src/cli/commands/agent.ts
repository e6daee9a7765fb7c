import { join } from "node:path";
import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import { dataDir, readSetting } from "../../infra/config.ts";
import { KEYFORGE_VERSION } from "../../infra/version.ts";
import { nodeRegistrationSchema } from "../../protocol/node-messages.ts";
import { defaultThreads, nicenessOf, PRIORITY_FLAG } from "../agent-flags.ts";
import { periodSeconds, protocolValue, threadCount } from "../flag-values.ts";
import { joinTokenSetting } from "../hive-secrets.ts";
import { LOG_FORMAT_FLAG, serverLogger } from "../log-flags.ts";
import { ASSETS_FLAG, assetsUrlOf, HIVE_FLAG, hiveUrlOf } from "../service-urls.ts";
import { shutdownSignal } from "../shutdown-signal.ts";

interface AgentFlags {
  hive?: string;
  assets?: string;
  dataDir?: string;
  threads?: number;
  priority: string;
  name?: string;
  joinToken?: string;
  grace: number;
  logFormat?: string;
}

async function runAgent(flags: AgentFlags): Promise<void> {
  const stopping = shutdownSignal();
  const hiveUrl = hiveUrlOf(flags.hive);
  const assetsUrl = assetsUrlOf(flags.assets);
  const threads = flags.threads ?? defaultThreads();
  const niceness = nicenessOf(flags.priority);
  const joinToken = joinTokenSetting(flags.joinToken);
  if (joinToken === undefined && readSetting("HIVE_SECRET") === undefined) {
    throw new KeyForgeError(
      "CREDENTIAL_MISSING",
      `nothing to register with: pass the join token the hive's admin gave you (--join-token, or KEYFORGE_JOIN_TOKEN_FILE naming a file that holds it), or, on the operator's machines, set HIVE_SECRET or HIVE_SECRET_FILE (keyforge up keeps its secret in ${join(dataDir(), "hive-secret")})`,
    );
  }
  const logger = await serverLogger("agent", flags.logFormat);
  const log = (line: string) => logger.info(line);
  const { Agent } = await import("../../agent/agent.ts");
  const agent = new Agent({
    hiveUrl,
    assetsUrl,
    dataDir: flags.dataDir ?? join(dataDir(), "agent"),
    secret: () => readSetting("HIVE_SECRET"),
    joinToken,
    threads,
    niceness,
    engine: KEYFORGE_VERSION,
    name: flags.name,
    log,
    graceMs: flags.grace * 1000,
  });
  const stop = new AbortController();
  void stopping.then((signal) => {
    log(`agent: ${signal}: stopping (running units get ${flags.grace} s to finish)`);
    stop.abort();
  });
  await agent.run(stop.signal);
  log("agent: stopped");
}

export function registerAgentCommand(program: Command): void {
  program
    .command("agent")
    .description(
      "work for a hive: register, lease units, run them on worker threads, deliver signed results",
    )
    .option(...HIVE_FLAG)
    .option(...ASSETS_FLAG)
    .option(
      "--data-dir <dir>",
      "where the node's identity, calibration, asset cache and outbox live (default: <data dir>/agent)",
    )
    // 1 to 256, as the hive takes a node's threads.
    .option("--threads <n>", "units run at once (default: cores - 1, at least 1)", threadCount)
    .option(...PRIORITY_FLAG)
    .option(
      "--name <name>",
      "a name for people, shown with the node",
      protocolValue(nodeRegistrationSchema.shape.name.unwrap()),
    )
    .option(
      "--join-token <token>",
      "the join token the hive's admin gave you (others on this machine can see flags: prefer KEYFORGE_JOIN_TOKEN_FILE)",
    )
    .option(
      "--grace <seconds>",
      "how long running units may finish once asked to stop; the rest go back to the hive",
      periodSeconds,
      30,
    )
    .option(...LOG_FORMAT_FLAG)
    .addHelpText(
      "after",
      "\nRegisters with a join token when one is given (--join-token, KEYFORGE_JOIN_TOKEN or KEYFORGE_JOIN_TOKEN_FILE): it enrols this node once, and the node is known by its key afterwards, even once the token has expired or been used up. Otherwise registers with HIVE_SECRET (or HIVE_SECRET_FILE), read again whenever the hive refuses the node.\n",
    )
    .action(runAgent);
}
