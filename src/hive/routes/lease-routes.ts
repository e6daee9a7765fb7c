import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { KeyForgeError } from "../../core/errors.ts";
import { SCORING_RULES } from "../../core/scoring/model.ts";
import {
  leaseReplySchema,
  leaseRequestSchema,
  unitFailureSchema,
} from "../../protocol/node-messages.ts";
import type { HiveContext } from "../hive-context.ts";
import { clientGone } from "./client-gone.ts";
import { unitErrors as errors, unitParams } from "./unit-route-schemas.ts";

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
      const { nodeId, max, waitSeconds, islands, scoring = 1 } = request.body;
      if (scoring !== SCORING_RULES) {
        // Its results would all be refused (the hive re-scores them by its own rules) and count
        // against the node: it gets no units, and its operator a reason.
        throw new KeyForgeError(
          "NODE_SCORING_OUTDATED",
          `node ${nodeId} scores layouts by the rules of an older KeyForge (${scoring}; this hive's are ${SCORING_RULES}): upgrade the agent to the hive's release (GET /health names it)`,
        );
      }
      const units = await context.leases.lease(nodeId, max, waitSeconds, gone, islands === true);
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
}
