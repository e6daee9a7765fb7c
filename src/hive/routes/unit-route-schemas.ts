import { z } from "zod";
import { errorBodySchema } from "../../protocol/error-body.ts";
import { unitIdSchema } from "../../protocol/node-messages.ts";

/** The path of a unit's routes: /units/:id/... */
export const unitParams = z.strictObject({ id: unitIdSchema });

/** What a node's call about a unit may answer besides its success. */
export const unitErrors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
  503: errorBodySchema,
};
