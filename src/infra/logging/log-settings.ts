import type { ErrorCode } from "../../core/error-codes.ts";
import { KeyForgeError } from "../../core/errors.ts";
import { readSetting } from "../config.ts";

export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How a server process writes its log on standard error. */
export interface LogSettings {
  readonly format: LogFormat;
  readonly level: LogLevel;
  /** Colours in the pretty form (a terminal, and NO_COLOR unset). */
  readonly colour: boolean;
}

function oneOf<T extends string>(
  allowed: readonly T[],
  value: string,
  code: ErrorCode,
  setting: string,
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new KeyForgeError(code, `${setting} must be one of ${allowed.join(", ")} (got "${value}")`);
}

/**
 * The log settings: the format from --log-format, else KEYFORGE_LOG_FORMAT, else pretty on a
 * terminal and JSON otherwise (a log collector, a container); the level from KEYFORGE_LOG_LEVEL,
 * else `defaultLevel`. A value that cannot be right stops the process, naming the setting.
 */
export function logSettings(
  formatFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  stderr: { readonly isTTY?: boolean } = process.stderr,
  defaultLevel: LogLevel = "info",
): LogSettings {
  const terminal = stderr.isTTY === true;
  const formatSetting = readSetting("KEYFORGE_LOG_FORMAT", env);
  const format =
    formatFlag !== undefined
      ? oneOf(LOG_FORMATS, formatFlag, "FLAG_INVALID", "--log-format")
      : formatSetting !== undefined
        ? oneOf(LOG_FORMATS, formatSetting, "CONFIG_INVALID", "KEYFORGE_LOG_FORMAT")
        : terminal
          ? "pretty"
          : "json";
  const levelSetting = readSetting("KEYFORGE_LOG_LEVEL", env);
  const level =
    levelSetting === undefined
      ? defaultLevel
      : oneOf(LOG_LEVELS, levelSetting, "CONFIG_INVALID", "KEYFORGE_LOG_LEVEL");
  return { format, level, colour: terminal && !env.NO_COLOR };
}
