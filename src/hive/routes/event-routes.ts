import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CoordinatorEvent } from "../../infra/coord/coordinator.ts";
import { errorBodySchema } from "../../protocol/error-body.ts";
import type { HiveContext } from "../hive-context.ts";
import { clientGone } from "./client-gone.ts";

/** A comment line this often keeps idle streams open through proxies. */
const KEEP_ALIVE_MS = 15_000;

/**
 * Turns the reply into a Server-Sent Events stream: the snapshot first, then every event
 * `wanted` accepts, until the client leaves or the instance closes.
 */
function stream(
  context: HiveContext,
  reply: FastifyReply,
  snapshot: unknown,
  wanted: (event: CoordinatorEvent) => boolean,
): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  const send = (type: string, data: unknown) => {
    raw.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    context.metrics.eventsDelivered.inc();
  };
  context.metrics.eventStreams.inc();
  send("snapshot", snapshot);
  const keepAlive = setInterval(() => raw.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
  const end = () => {
    if (raw.writableEnded) return;
    context.metrics.eventStreams.dec();
    clearInterval(keepAlive);
    unsubscribe();
    raw.end();
  };
  const unsubscribe = context.events.subscribe((event) => {
    if (wanted(event)) send(event.type, event);
  }, end);
  clientGone(reply).addEventListener("abort", end);
}

export function eventRoutes(app: FastifyInstance, context: HiveContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    "/events",
    {
      schema: {
        summary: "Server-Sent Events of every job, unit, node and asset (snapshot first)",
        tags: ["events"],
      },
    },
    async (_request, reply) => {
      const snapshot = await context.jobs.list(null, { limit: 50 });
      stream(context, reply, snapshot, () => true);
    },
  );

  routes.get(
    "/jobs/:id/events",
    {
      schema: {
        summary: "Server-Sent Events of one job: its view first, then its progress",
        tags: ["events"],
        params: z.strictObject({ id: z.string().regex(/^[0-9a-f]{64}$/) }),
        response: { 400: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (request, reply) => {
      const snapshot = await context.jobs.get(request.params.id);
      stream(context, reply, snapshot, (event) => event.jobId === request.params.id);
    },
  );
}
