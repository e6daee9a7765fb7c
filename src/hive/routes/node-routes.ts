import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorBodySchema } from "../../protocol/error-body.ts";
import {
  clusterSchema,
  heartbeatReplySchema,
  heartbeatSchema,
  nodeIdSchema,
  nodeRegisteredSchema,
  nodeRegistrationSchema,
  nodeTokenSchema,
} from "../../protocol/node-messages.ts";
import type { HiveContext } from "../hive-context.ts";
import { HEARTBEAT_INTERVAL_SECONDS } from "../node-service.ts";

const nodeParams = z.strictObject({ id: nodeIdSchema });
const errors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  503: errorBodySchema,
};

export function nodeRoutes(app: FastifyInstance, context: HiveContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    "/nodes/register",
    {
      schema: {
        summary:
          "Register an agent (with HIVE_SECRET, or a join token that a new node spends one use of); returns its id and a node token",
        tags: ["nodes"],
        security: [{ apiKey: [] }],
        body: nodeRegistrationSchema,
        response: { 200: nodeRegisteredSchema, ...errors },
      },
    },
    async (request) => {
      const credential = context.registrationCredential(request);
      return context.nodes.register(credential, request.body);
    },
  );

  routes.post(
    "/nodes/:id/token",
    {
      schema: {
        summary: "Renew a node token before it expires",
        tags: ["nodes"],
        security: [{ apiKey: [] }],
        params: nodeParams,
        response: { 200: nodeTokenSchema, ...errors },
      },
    },
    async (request) => {
      context.requireNode(request, request.params.id);
      return context.nodes.renewToken(request.params.id);
    },
  );

  routes.post(
    "/nodes/:id/heartbeat",
    {
      schema: {
        summary: "Report telemetry (kept in Valkey only); the answer carries commands",
        tags: ["nodes"],
        security: [{ apiKey: [] }],
        params: nodeParams,
        body: heartbeatSchema,
        response: { 200: heartbeatReplySchema, ...errors },
      },
    },
    async (request) => {
      context.requireNode(request, request.params.id);
      const { commands, migrants } = await context.nodes.heartbeat(
        request.params.id,
        request.body.telemetry,
      );
      return {
        commands,
        heartbeatIntervalSeconds: HEARTBEAT_INTERVAL_SECONDS,
        // Only nodes that run islands get migrants, and older agents would refuse the field.
        ...(migrants.length > 0 && { migrants }),
      };
    },
  );

  routes.post(
    "/nodes/:id/goodbye",
    {
      schema: {
        summary: "The agent is stopping cleanly: it leaves the live nodes at once",
        tags: ["nodes"],
        security: [{ apiKey: [] }],
        params: nodeParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      context.requireNode(request, request.params.id);
      await context.nodes.goodbye(request.params.id);
      return reply.code(204).send(null);
    },
  );

  routes.get(
    "/cluster",
    {
      schema: {
        summary:
          "Live nodes with their names, speed, units and last heartbeat (telemetry from Valkey)",
        tags: ["nodes"],
        response: { 200: clusterSchema, 503: errorBodySchema },
      },
    },
    async () => context.nodes.cluster(),
  );
}
