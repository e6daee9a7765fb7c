import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { KeyForgeError } from "../../core/errors.ts";
import { resultAcceptedSchema, resultSubmissionSchema } from "../../protocol/node-messages.ts";
import type { HiveContext } from "../hive-context.ts";
import { unitErrors as errors, unitParams } from "./unit-route-schemas.ts";

/** A node delivers a unit's signed result. */
export function resultRoutes(app: FastifyInstance, context: HiveContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    "/units/:id/result",
    {
      schema: {
        summary: "Submit a unit's signed result; the hive re-scores it and accepts it once",
        tags: ["units"],
        security: [{ apiKey: [] }],
        params: unitParams,
        body: resultSubmissionSchema,
        response: { 200: resultAcceptedSchema, ...errors },
      },
    },
    async (request) => {
      try {
        const answer = await context.results.accept(
          context.node(request),
          request.params.id,
          request.body,
        );
        context.metrics.results.inc({ outcome: answer.created ? "accepted" : "repeated" });
        return answer;
      } catch (error) {
        if (error instanceof KeyForgeError) context.metrics.results.inc({ outcome: error.code });
        throw error;
      }
    },
  );
}
