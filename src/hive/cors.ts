import type { FastifyInstance } from "fastify";
import { KeyForgeError } from "../core/errors.ts";

/** What a page of the web origin may send: its key, JSON, the id it traces a request with. */
const ALLOWED_HEADERS = "authorization, content-type, last-event-id, x-request-id";
/** What such a page may read of an answer beyond the simple headers. */
const EXPOSED_HEADERS = "location, retry-after, x-request-id";
/** The methods of the API's routes. */
const ALLOWED_METHODS = "GET, HEAD, POST, DELETE";
/** How long a browser may reuse a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * The origins of `--cors-origin` ("https://keyforge.example.org", comma-separated for more
 * than one): scheme, host and port only, as browsers send them in `Origin`.
 */
export function corsOrigins(value: string): string[] {
  return value.split(",").map((text) => {
    const origin = text.trim();
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !["http:", "https:"].includes(url.protocol) || url.origin !== origin) {
      throw new KeyForgeError(
        "FLAG_INVALID",
        `--cors-origin takes origins such as https://keyforge.example.org (scheme, host and port; no path or trailing slash), not "${origin}"`,
      );
    }
    return origin;
  });
}

/**
 * Lets pages of the web origins call the API from a browser: their requests are answered with
 * `Access-Control-Allow-Origin` naming the origin, and their preflights (OPTIONS with
 * `Access-Control-Request-Method`) with 204 before anything else runs. Other origins get no
 * CORS header, so browsers keep their pages from reading answers. Credentials are bearer
 * tokens the page sends itself; no cookie is involved, so none are allowed.
 */
export function addCors(app: FastifyInstance, origins: readonly string[]): void {
  const allowed = new Set(origins);
  app.addHook("onRequest", async (request, reply) => {
    // Caches must keep the answers to different origins apart.
    reply.header("vary", "Origin");
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return;
    reply.header("access-control-allow-origin", origin);
    reply.header("access-control-expose-headers", EXPOSED_HEADERS);
    if (request.method === "OPTIONS" && request.headers["access-control-request-method"]) {
      return reply
        .code(204)
        .header("access-control-allow-methods", ALLOWED_METHODS)
        .header("access-control-allow-headers", ALLOWED_HEADERS)
        .header("access-control-max-age", String(PREFLIGHT_MAX_AGE_SECONDS))
        .send();
    }
  });
}
