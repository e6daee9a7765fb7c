#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { KeyForgeError } from "../core/errors.ts";
import { KEYFORGE_VERSION } from "../infra/version.ts";
import { registerAdminCommands } from "./commands/admin.ts";
import { registerAgentCommand } from "./commands/agent.ts";
import { registerAnalysisCommands } from "./commands/analyze.ts";
import { registerAssetManagerCommands } from "./commands/assetmgr.ts";
import { registerAssetsCommand } from "./commands/assets.ts";
import { registerBackupCommands } from "./commands/backup.ts";
import { registerBoardCommands } from "./commands/boards.ts";
import { registerCancelCommand } from "./commands/cancel.ts";
import { registerClusterCommand } from "./commands/cluster.ts";
import { registerCorpusCommands } from "./commands/corpora.ts";
import { registerExportCommand } from "./commands/export.ts";
import { registerHealthCommand } from "./commands/health.ts";
import { registerHiveCommand } from "./commands/hive.ts";
import { registerJobCommand } from "./commands/job.ts";
import { registerJobsCommand } from "./commands/jobs.ts";
import { registerLayoutCommands } from "./commands/layouts.ts";
import { registerMigrateCommand } from "./commands/migrate.ts";
import { registerOptimizeCommand } from "./commands/optimize.ts";
import { registerSubmitCommand } from "./commands/submit.ts";
import { registerUpCommand } from "./commands/up.ts";
import { registerWatchCommand } from "./commands/watch.ts";
import { registerWebRootCommand } from "./commands/web-root.ts";

/**
 * An error message as the terminal should show it: the values it quotes came from the user or
 * from afar, and a control character in them (an escape) would be run rather than shown.
 */
function printable(message: string): string {
  return message.replace(/[^\P{Cc}\n]/gu, "?");
}

/**
 * Commander's own errors (an unknown flag, a flag value its parser refused) in the words of
 * every other failure: "keyforge: option '--steps <n>' argument 'abc' is invalid: not a whole
 * number". The settings are inherited by the commands registered after them.
 */
function commanderErrorText(text: string): string {
  return `keyforge: ${printable(text)
    .replace(/^error: /, "")
    .replace(/ is invalid\. /, " is invalid: ")}`;
}

function buildProgram(): Command {
  const program = new Command("keyforge")
    .description("KeyForge: keyboard-layout optimizer for real keyboards and your language")
    .version(KEYFORGE_VERSION)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(commanderErrorText(text)) })
    // A hint, not the whole help: the message stays on the screen where the user looks.
    .showHelpAfterError("(add --help to see the command's flags)");
  registerBoardCommands(program);
  registerLayoutCommands(program);
  registerCorpusCommands(program);
  registerAnalysisCommands(program);
  registerExportCommand(program);
  registerOptimizeCommand(program);
  registerAssetsCommand(program);
  registerAssetManagerCommands(program);
  registerMigrateCommand(program);
  registerHiveCommand(program);
  registerAdminCommands(program);
  registerAgentCommand(program);
  registerSubmitCommand(program);
  registerJobsCommand(program);
  registerJobCommand(program);
  registerWatchCommand(program);
  registerCancelCommand(program);
  registerClusterCommand(program);
  registerUpCommand(program);
  registerBackupCommands(program);
  registerHealthCommand(program);
  registerWebRootCommand(program);
  return program;
}

/** Known failures print their message and exit 1; anything else is a bug and says so briefly. */
async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof KeyForgeError) {
      console.error(`keyforge: ${printable(error.message)}`);
      return 1;
    }
    console.error(
      `keyforge: unexpected error: ${printable(String((error as Error).message ?? error))}`,
    );
    if (process.env.KEYFORGE_DEBUG) console.error((error as Error).stack);
    else console.error("(set KEYFORGE_DEBUG=1 to see where it happened)");
    return 70;
  }
}

// A reader that stops early (`keyforge rank | head`) closes the pipe: that ends the output, not
// in a crash.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv);
