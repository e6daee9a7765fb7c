import type { Logger } from "pino";
import type { LogLevel } from "../../src/infra/logging/log-settings.ts";
import { createLogger } from "../../src/infra/logging/logger.ts";

/** One line of a JSON log, parsed. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly requestId?: string;
  readonly [field: string]: unknown;
}

/** A JSON logger for process `name` whose output is kept: `written` holds each write as is. */
export function capturedLogger(
  name: string,
  level: LogLevel = "info",
): { logger: Logger; written: string[]; lines: () => LogLine[] } {
  const written: string[] = [];
  const logger = createLogger(
    name,
    { format: "json", level, colour: false },
    { write: (chunk: string) => written.push(chunk) },
  );
  return {
    logger,
    written,
    lines: () => written.map((chunk) => JSON.parse(chunk) as LogLine),
  };
}
