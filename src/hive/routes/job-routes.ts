import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorBodySchema } from "../../protocol/error-body.ts";
import {
  jobListQuerySchema,
  jobListSchema,
  jobSubmissionSchema,
  jobViewSchema,
} from "../../protocol/job-messages.ts";
import type { HiveContext } from "../hive-context.ts";
import { JobRetry } from "../job-retry.ts";

const jobIdParams = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{64}$/, "a job id is 64 lower-case hex digits"),
});

const errors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  503: errorBodySchema,
};

export function jobRoutes(app: FastifyInstance, context: HiveContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    "/jobs",
    {
      schema: {
        summary: "Submit a job (idempotent: the same job returns the stored one)",
        tags: ["jobs"],
        security: [{ apiKey: [] }],
        body: jobSubmissionSchema,
        response: { 200: jobViewSchema, 201: jobViewSchema, ...errors },
      },
    },
    async (request, reply) => {
      const principal = await context.requireUser(request);
      const { view, created } = await context.jobs.submit(principal, request.body);
      return reply
        .code(created ? 201 : 200)
        .header("location", `/jobs/${view.id}`)
        .send(view);
    },
  );

  routes.get(
    "/jobs",
    {
      schema: {
        summary: "List jobs, newest first",
        tags: ["jobs"],
        querystring: jobListQuerySchema,
        response: { 200: jobListSchema, ...errors },
      },
    },
    // A public read: credentials matter only to `mine=true`, and are ignored otherwise.
    async (request) =>
      context.jobs.list(
        request.query.mine === "true" ? await context.requireUser(request) : null,
        request.query,
      ),
  );

  routes.get(
    "/jobs/:id",
    {
      schema: {
        summary: "A job: status, progress, best layouts, units",
        tags: ["jobs"],
        params: jobIdParams,
        response: { 200: jobViewSchema, ...errors },
      },
    },
    async (request) => context.jobs.get(request.params.id),
  );

  routes.delete(
    "/jobs/:id",
    {
      schema: {
        summary: "Cancel a job (its owner or an admin)",
        tags: ["jobs"],
        security: [{ apiKey: [] }],
        params: jobIdParams,
        response: { 200: jobViewSchema, ...errors },
      },
    },
    async (request) => {
      const principal = await context.requireUser(request);
      return context.jobs.cancel(principal, request.params.id);
    },
  );

  const retries = new JobRetry(context);
  routes.post(
    "/jobs/:id/retry",
    {
      schema: {
        summary:
          "Start a failed or cancelled job again (its owner or an admin): its failed and cancelled units are queued with their attempts reset",
        tags: ["jobs"],
        security: [{ apiKey: [] }],
        params: jobIdParams,
        response: { 200: jobViewSchema, ...errors },
      },
    },
    async (request) => {
      const principal = await context.requireUser(request);
      await retries.retry(principal, request.params.id);
      return context.jobs.get(request.params.id);
    },
  );
}
