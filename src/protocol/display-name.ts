import { z } from "zod";

/**
 * A name people read in other people's terminals and pages (a job's, an agent's): trimmed, and
 * without control characters, which a terminal would run as commands (colours, cursor moves,
 * a changed window title) instead of showing.
 */
export function displayNameSchema(maxLength: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(maxLength)
    .regex(/^\P{Cc}*$/u, "must not contain control characters (tabs, newlines, escapes)");
}
