import type { FastifyInstance } from "fastify";
import { UnitRepository } from "../../infra/db/unit-repository.ts";
import type { HiveContext } from "../hive-context.ts";

export function metricsRoutes(app: FastifyInstance, context: HiveContext): void {
  const units = new UnitRepository(context.db);
  app.get(
    "/metrics",
    { schema: { summary: "Prometheus metrics of this instance", tags: ["ops"] } },
    async (_request, reply) => {
      const { metrics } = context;
      // The queue depth comes from PostgreSQL; while it is down the last value stays.
      await units
        .queuedCount()
        .then((count) => metrics.queuedUnits.set(count))
        .catch(() => {});
      return reply
        .header("content-type", metrics.registry.contentType)
        .header("cache-control", "no-store")
        .send(await metrics.registry.metrics());
    },
  );
}
