import { z } from "zod";

/** Id of a board, layout or corpus: lower case, digits, dot, dash, underscore; file-name safe. */
export const assetIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "must be lower case letters, digits, . _ -");

/** File name without folders and extension: the default id of a data file. */
export function idFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return (
    base
      .replace(/\.[^.]*$/, "")
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "") || "unnamed"
  );
}
