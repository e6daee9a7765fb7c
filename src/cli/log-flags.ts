import type { Logger } from "pino";
import { type LogLevel, logSettings } from "../infra/logging/log-settings.ts";

/** The --log-format flag of every server command (hive, assets, assetmgr, agent, up). */
export const LOG_FORMAT_FLAG = [
  "--log-format <format>",
  "json or pretty (default: setting KEYFORGE_LOG_FORMAT, else pretty on a terminal and json otherwise; level: setting KEYFORGE_LOG_LEVEL, default info)",
] as const;

/**
 * The log of server command `name` on standard error, as --log-format and the settings say
 * (level: KEYFORGE_LOG_LEVEL, else `defaultLevel`). A bad format or level stops the command
 * before it starts anything.
 */
export async function serverLogger(
  name: string,
  format: string | undefined,
  defaultLevel: LogLevel = "info",
): Promise<Logger> {
  const settings = logSettings(format, process.env, process.stderr, defaultLevel);
  // Loaded on use: the logging libraries would slow every other command's start.
  const { createLogger } = await import("../infra/logging/logger.ts");
  return createLogger(name, settings);
}
