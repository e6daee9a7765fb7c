import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import type { LogSettings } from "./log-settings.ts";

/**
 * Fields blanked out of every log line, wherever they sit (one level down, or in request
 * headers): credentials must never reach a log, even through a field logged by mistake.
 */
export const REDACTED_FIELDS = [
  "authorization",
  "token",
  "secret",
  "password",
  "apiKey",
  "joinToken",
  "nodeToken",
  "hiveSecret",
].flatMap((field) => [field, `*.${field}`, `*.headers.${field}`]);

/**
 * The logger of server process `name` (hive, assets, assetmgr, agent, up): one JSON object a
 * line on standard error, or pino-pretty's form for people, at the level of `settings`. Writes
 * are synchronous, so a process that exits right after an error still has its last lines out.
 * `destination` replaces standard error (tests).
 */
export function createLogger(
  name: string,
  settings: LogSettings,
  destination?: DestinationStream,
): Logger {
  const stream =
    destination ??
    (settings.format === "pretty"
      ? pretty({
          destination: 2,
          sync: true,
          colorize: settings.colour,
          ignore: "pid,hostname",
          translateTime: "SYS:HH:MM:ss.l",
          singleLine: true,
        })
      : pino.destination({ fd: 2, sync: true }));
  return pino(
    {
      name,
      level: settings.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_FIELDS, censor: "[redacted]" },
    },
    stream,
  );
}

/** A logger that writes nothing: for apps built without one (tests, embedding). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
