import type { z } from "zod";

/** Checks a message's text against its schema; text that is not JSON fails like a wrong shape. */
export function parseJsonText<Schema extends z.ZodType>(schema: Schema, text: string) {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  return schema.safeParse(value);
}
