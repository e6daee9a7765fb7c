import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { HiveContext } from "../hive-context.ts";

const dependency = z.strictObject({
  ok: z.boolean(),
  latencyMs: z
    .number()
    .nullable()
    .describe("Round trip of a trivial request; null when it failed."),
});

export const healthSchema = z.strictObject({
  status: z
    .enum(["ok", "degraded", "down"])
    .describe(
      "degraded: Valkey is unreachable (stats and cross-instance events); down: PostgreSQL is.",
    ),
  postgres: dependency,
  valkey: dependency,
});

async function timed(probe: () => Promise<unknown>): Promise<z.infer<typeof dependency>> {
  const started = performance.now();
  try {
    await probe();
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch {
    return { ok: false, latencyMs: null };
  }
}

export function healthRoutes(app: FastifyInstance, context: HiveContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/health",
    {
      schema: {
        summary: "Whether this instance can serve, and how its stores answer",
        tags: ["ops"],
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      const [postgres, valkey] = await Promise.all([
        timed(() => context.db.query("SELECT 1")),
        timed(() => context.coordinator.ping()),
      ]);
      const status = !postgres.ok ? "down" : valkey.ok ? "ok" : "degraded";
      return reply
        .code(status === "down" ? 503 : 200)
        .header("cache-control", "no-store")
        .send({ status, postgres, valkey });
    },
  );
}
