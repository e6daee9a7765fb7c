import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
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
 * `wanted` accepts, until the client leaves or the instance closes. The stream listens before
 * the snapshot is read, and sends what arrived meanwhile right after it: nothing between the
 * two is lost (an event the snapshot already shows may come once more).
 */
async function stream(
  context: HiveContext,
  request: FastifyRequest,
  reply: FastifyReply,
  readSnapshot: () => Promise<unknown>,
  wanted: (event: CoordinatorEvent) => boolean,
): Promise<void> {
  const releaseSlot = context.streamSlots.take(request.ip);
  const early: CoordinatorEvent[] = [];
  let deliver = (event: CoordinatorEvent): void => {
    early.push(event);
  };
  let hubStopped = false;
  let end = () => {
    hubStopped = true;
  };
  const unsubscribe = context.events.subscribe(
    (event) => {
      if (wanted(event)) deliver(event);
    },
    () => end(),
  );
  let snapshot: unknown;
  try {
    snapshot = await readSnapshot();
  } catch (error) {
    unsubscribe();
    releaseSlot();
    throw error;
  }
  reply.hijack();
  const raw = reply.raw;
  // A hijacked reply sends none of the headers hooks gave it (CORS, request id): they go here.
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) raw.setHeader(name, value);
  }
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
  for (const event of early) send(event.type, event);
  deliver = (event) => send(event.type, event);
  const keepAlive = setInterval(() => raw.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
  end = () => {
    if (raw.writableEnded) return;
    context.metrics.eventStreams.dec();
    clearInterval(keepAlive);
    unsubscribe();
    releaseSlot();
    raw.end();
  };
  if (hubStopped) end();
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
        response: { 429: errorBodySchema },
      },
    },
    async (request, reply) => {
      await stream(
        context,
        request,
        reply,
        () => context.jobs.list(null, { limit: 50 }),
        () => true,
      );
    },
  );

  routes.get(
    "/jobs/:id/events",
    {
      schema: {
        summary: "Server-Sent Events of one job: its view first, then its progress",
        tags: ["events"],
        params: z.strictObject({ id: z.string().regex(/^[0-9a-f]{64}$/) }),
        response: { 400: errorBodySchema, 404: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await stream(
        context,
        request,
        reply,
        () => context.jobs.get(id),
        (event) => event.jobId === id,
      );
    },
  );
}
