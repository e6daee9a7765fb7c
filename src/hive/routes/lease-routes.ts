import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { KeyForgeError } from "../../core/errors.ts";
import { errorBodySchema } from "../../protocol/error-body.ts";
import {
  leaseReplySchema,
  leaseRequestSchema,
  resultAcceptedSchema,
  resultSubmissionSchema,
  unitFailureSchema,
  unitIdSchema,
} from "../../protocol/node-messages.ts";
import type { HiveContext } from "../hive-context.ts";
import { clientGone } from "./client-gone.ts";

const errors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
  503: errorBodySchema,
};
const unitParams = z.strictObject({ id: unitIdSchema });

export function leaseRoutes(app: FastifyInstance, context: HiveContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    "/leases",
    {
      schema: {
        summary: "Lease units (long poll while none is queued)",
        tags: ["units"],
        security: [{ apiKey: [] }],
        body: leaseRequestSchema,
        response: { 200: leaseReplySchema, ...errors },
      },
    },
    async (request, reply) => {
      context.requireNode(request, request.body.nodeId);
      // A client that goes away ends its long poll: no unit is leased to nobody.
      const gone = clientGone(reply);
      const { nodeId, max, waitSeconds } = request.body;
      const units = await context.leases.lease(nodeId, max, waitSeconds, gone);
      context.metrics.unitsLeased.inc(units.length);
      return { units };
    },
  );

  routes.post(
    "/units/:id/release",
    {
      schema: {
        summary: "Give a leased unit back (the agent is shutting down)",
        tags: ["units"],
        security: [{ apiKey: [] }],
        params: unitParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await context.leases.release(context.node(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  routes.post(
    "/units/:id/fail",
    {
      schema: {
        summary: "Report a unit the agent could not run; queued again, or failed after 3 leases",
        tags: ["units"],
        security: [{ apiKey: [] }],
        params: unitParams,
        body: unitFailureSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await context.leases.fail(context.node(request), request.params.id, request.body.reason);
      return reply.code(204).send(null);
    },
  );

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
