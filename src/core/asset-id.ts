import { z } from "zod";

/** Id of a board, layout or corpus: lower case, digits, dot, dash, underscore; file-name safe. */
export const assetIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "must be lower case letters, digits, . _ -");
