import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { sendError } from "./http-error-replies.ts";

/** Where `npm run build` writes the web app (web/). */
export const WEB_APP_DIR = fileURLToPath(new URL("../../dist/web/", import.meta.url));

/** What the page reads from config.json: where the hive's API and the assets gateway are. */
export interface WebAppConfig {
  /** "" for the origin that serves the page. */
  readonly api: string;
  readonly assets: string;
}

export interface WebAppOptions {
  /** The built app; WEB_APP_DIR unless a test gives another. */
  readonly dir?: string;
  /**
   * Asked on every request for config.json, with the protocol and host name the page was asked
   * for: a server on all interfaces names its other ports on the host the browser used.
   */
  readonly config: (page: { readonly protocol: string; readonly hostname: string }) => WebAppConfig;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/** The built files, read once: the page, and the hashed scripts and styles under static/. */
function builtFiles(dir: string): { page: Buffer | null; statics: Map<string, Buffer> } {
  const pagePath = join(dir, "index.html");
  const staticDir = join(dir, "static");
  const statics = new Map<string, Buffer>();
  if (existsSync(staticDir)) {
    for (const name of readdirSync(staticDir))
      statics.set(name, readFileSync(join(staticDir, name)));
  }
  return { page: existsSync(pagePath) ? readFileSync(pagePath) : null, statics };
}

/**
 * Serves the web app from the same origin as the API: the page at /, its configuration at
 * /config.json and its files at /static/<name>. Only the files the build wrote are served, each
 * by its exact name, so no path reaches anything else on disk. The file names carry their
 * content hash, so they are cached for good; the page and its configuration are not.
 */
export function addWebApp(app: FastifyInstance, options: WebAppOptions): void {
  const { page, statics } = builtFiles(options.dir ?? WEB_APP_DIR);
  app.get("/", { schema: { hide: true } }, async (_request, reply) => {
    if (page === null) {
      return sendError(reply, 404, {
        code: "WEB_APP_NOT_BUILT",
        message: "the web app is not built here: run npm run build",
      });
    }
    return reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-cache")
      .header("x-content-type-options", "nosniff")
      .send(page);
  });
  app.get("/config.json", { schema: { hide: true } }, async (request, reply) =>
    reply
      .header("cache-control", "no-store")
      .send(options.config({ protocol: request.protocol, hostname: request.hostname })),
  );
  app.get("/static/:name", { schema: { hide: true } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const body = statics.get(name);
    if (body === undefined) {
      return sendError(reply, 404, { code: "NOT_FOUND", message: `no such file: /static/${name}` });
    }
    return reply
      .type(CONTENT_TYPES[extname(name)] ?? "application/octet-stream")
      .header("cache-control", "public, max-age=31536000, immutable")
      .header("x-content-type-options", "nosniff")
      .send(body);
  });
}
