import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import type { KeyForgeError } from "../core/errors.ts";
import { replyToError, sendNoSuchRoute } from "../infra/http-error-replies.ts";
import { silentLogger } from "../infra/logging/logger.ts";
import {
  echoRequestId,
  logUnexpectedError,
  requestLogging,
  routeOf,
} from "../infra/logging/request-log.ts";
import { closeUnusedConnectionsOnClose } from "../infra/unused-connections.ts";
import { addWebApp } from "../infra/web-app.ts";
import { INPUT_LIMITS } from "../protocol/input-limits.ts";
import { addCors } from "./cors.ts";
import { HiveContext, type HiveOptions } from "./hive-context.ts";
import { statusOf } from "./hive-errors.ts";
import { addRateLimits, DEFAULT_RATE_LIMITS } from "./rate-limits.ts";
import { eventRoutes } from "./routes/event-routes.ts";
import { healthRoutes } from "./routes/health-routes.ts";
import { jobRoutes } from "./routes/job-routes.ts";
import { leaseRoutes } from "./routes/lease-routes.ts";
import { metricsRoutes } from "./routes/metrics-routes.ts";
import { nodeRoutes } from "./routes/node-routes.ts";
import { resultRoutes } from "./routes/result-routes.ts";

/**
 * One hive instance (`keyforge hive`): the control-plane API on PostgreSQL (durable state) and
 * the coordinator (ephemeral state, events). Instances share nothing else, so any number of
 * them can serve behind the gateway. The caller listens, closes, and owns the stores.
 */
export async function buildHive(options: HiveOptions): Promise<FastifyInstance> {
  const logger = options.logger ?? silentLogger();
  // The services' operational lines (reaper, events, degraded stores) go to the log too.
  const context = new HiveContext({
    ...options,
    log: options.log ?? ((line) => logger.warn(line)),
  });
  const app = Fastify({
    ...requestLogging(logger),
    bodyLimit: options.bodyLimitBytes ?? INPUT_LIMITS.bodyBytes.max,
    trustProxy: options.trustProxy ?? false,
  });
  closeUnusedConnectionsOnClose(app);
  echoRequestId(app);
  // A JSON API: any other body type is refused with 415 rather than parsed as text.
  app.removeContentTypeParser("text/plain");
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => {
    const sent = replyToError(error as FastifyError, reply, {
      statusOf,
      server: "hive",
      logBug: (bug) => logUnexpectedError(request, bug),
    });
    if (reply.statusCode === 401) {
      // The reason is the error code; what was presented stays out of the log.
      const reason = (error as KeyForgeError).code ?? "AUTH_INVALID";
      context.metrics.authFailures.inc({ reason });
      request.log.warn(
        { reason, method: request.method, route: routeOf(request) },
        "authentication failed",
      );
    }
    return sent;
  });
  // Preflights are answered before they are counted or authenticated.
  if (options.corsOrigins?.length) addCors(app, options.corsOrigins);
  const rateLimits = options.rateLimits === undefined ? DEFAULT_RATE_LIMITS : options.rateLimits;
  if (rateLimits) addRateLimits(app, options.coordinator, rateLimits, options.secrets);
  app.setNotFoundHandler((request, reply) => sendNoSuchRoute(reply, request.method, request.url));

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "KeyForge hive API",
        description: "Jobs, units, leases, results, nodes and events of a KeyForge hive.",
        version: "1",
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: "http",
            scheme: "bearer",
            description: "API key (kf_...) or HIVE_SECRET",
          },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());

  healthRoutes(app, context);
  jobRoutes(app, context);
  nodeRoutes(app, context);
  leaseRoutes(app, context);
  resultRoutes(app, context);
  eventRoutes(app, context);
  metricsRoutes(app, context);
  if (options.webApp) addWebApp(app, options.webApp);
  app.addHook("onResponse", async (request, reply) => {
    const route = routeOf(request);
    context.metrics.requests.inc({ method: request.method, route, status: reply.statusCode });
    context.metrics.requestSeconds.observe({ route }, reply.elapsedTime / 1000);
  });
  await context.events.start(options.coordinator);
  context.work.start(context.events);
  const reaperPeriodMs = options.reaperPeriodMs ?? 15_000;
  if (reaperPeriodMs > 0) context.reaper.start(reaperPeriodMs);
  app.addHook("onClose", () => context.compiler.close());
  // Streams and long polls end first, so closing does not wait for their clients.
  app.addHook("preClose", async () => {
    await context.reaper.stop();
    context.work.stop();
    await context.events.stop();
  });
  return app;
}
