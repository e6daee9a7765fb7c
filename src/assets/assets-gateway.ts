import { Readable } from "node:stream";
import fastifyCompress from "@fastify/compress";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import type { Logger } from "pino";
import type { ErrorCode } from "../core/error-codes.ts";
import { KeyForgeError } from "../core/errors.ts";
import { isSafeAssetPath, MAX_ASSET_PATH_LENGTH } from "../infra/asset-path.ts";
import { type Coordinator, CoordinatorUnavailableError } from "../infra/coord/coordinator.ts";
import { ManifestCache } from "../infra/coord/manifest-cache.ts";
import {
  RETRY_AFTER_SECONDS,
  replyToError,
  sendError as sendErrorReply,
  sendNoSuchRoute,
} from "../infra/http-error-replies.ts";
import { silentLogger } from "../infra/logging/logger.ts";
import { echoRequestId, logUnexpectedError, requestLogging } from "../infra/logging/request-log.ts";
import { closeUnusedConnectionsOnClose } from "../infra/unused-connections.ts";
import type { ErrorBody } from "../protocol/error-body.ts";
import { BLOB_CONTENT_TYPE, contentTypeOf } from "./asset-content-type.ts";
import { openBlobBody } from "./blob-body.ts";
import {
  etagOf,
  IMMUTABLE_CACHING,
  matchesIfNoneMatch,
  NO_CACHING,
  SHORT_CACHING,
} from "./http-caching.ts";

export interface AssetsGatewayOptions {
  /** How long one read of the manifest answers requests; 0 reads it for every request. */
  readonly manifestMaxAgeMs?: number;
  /** The gateway's log: one line per request, bugs with their stack (default: none). */
  readonly logger?: Logger;
}

const SHA256 = /^[0-9a-f]{64}$/i;

/** The HTTP status of each error code the gateway raises; anything else is a bug (500). */
const STATUS_OF: Readonly<Partial<Record<ErrorCode, number>>> = {
  ASSET_PATH_INVALID: 400,
  BLOB_HASH_INVALID: 400,
  ASSET_NOT_FOUND: 404,
  BLOB_NOT_FOUND: 404,
  ASSET_CONTENT_MISSING: 503,
  BLOB_INCOMPLETE: 503,
  COORDINATOR_UNAVAILABLE: 503,
};

function errorBody(code: string, message: string): ErrorBody {
  return { code, message };
}

/** An error answer: never with the headers of a success chosen before the error. */
function sendError(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return sendErrorReply(withoutSuccessHeaders(reply), status, body);
}

/** A reply about to carry an error: no ETag of the success it was going to be, never sniffed. */
function withoutSuccessHeaders(reply: FastifyReply): FastifyReply {
  reply.removeHeader("etag");
  return reply.header("x-content-type-options", "nosniff");
}

/** The status of the codes the gateway raises on purpose; anything else is a bug (500). */
const statusOf = (code: string): number | undefined => STATUS_OF[code as ErrorCode];

/**
 * The read-only assets gateway (`keyforge assets`): the manifest, each asset's current version
 * by path, and immutable blobs by SHA-256, all streamed out of the coordinator; no disk, no
 * state beyond a manifest read shared for `manifestMaxAgeMs`. The caller listens and closes;
 * the coordinator stays the caller's to close.
 */
export function buildAssetsGateway(
  coordinator: Coordinator,
  options: AssetsGatewayOptions = {},
): FastifyInstance {
  const manifests = new ManifestCache(coordinator, options.manifestMaxAgeMs ?? 1000);
  const app = Fastify({
    ...requestLogging(options.logger ?? silentLogger()),
    // Room for the longest valid asset path, so a long one gets our 400 rather than a 414.
    routerOptions: { maxParamLength: MAX_ASSET_PATH_LENGTH * 2 },
    // Malformed percent-encoding and overlong URLs: the same error shape as every other 4xx.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
        sendError(reply, 414, errorBody("URL_TOO_LONG", "the URL is too long"));
      } else {
        sendError(reply, 400, errorBody("URL_INVALID", "the URL is not validly encoded"));
      }
    },
  });
  closeUnusedConnectionsOnClose(app);
  echoRequestId(app);

  app.addHook("onRequest", async (_request, reply) => {
    // Browsers must take the Content-Type at its word, never sniff a script out of an asset.
    reply.header("x-content-type-options", "nosniff");
    // Public, read-only data without credentials: any page may read it (the web app is served
    // by the hive or another host, never by the gateway).
    reply.header("access-control-allow-origin", "*");
  });

  app.setErrorHandler((error: FastifyError | KeyForgeError, request, reply) => {
    return replyToError(error, withoutSuccessHeaders(reply), {
      statusOf,
      server: "gateway",
      logBug: (bug) => logUnexpectedError(request, bug),
    });
  });

  app.setNotFoundHandler((request, reply) => {
    // The gateway only reads: any other method is refused as such, saying which are allowed.
    if (request.method !== "GET" && request.method !== "HEAD") {
      reply.header("allow", "GET, HEAD");
      return sendError(
        reply,
        405,
        errorBody(
          "METHOD_NOT_ALLOWED",
          `the assets gateway only reads: use GET or HEAD, not ${request.method}`,
        ),
      );
    }
    return sendNoSuchRoute(reply, request.method, request.url);
  });

  /** A blob's bytes as the answer (or 304, or its headers alone for HEAD). */
  async function sendBlob(
    request: FastifyRequest,
    reply: FastifyReply,
    sha256: string,
    type: string,
    caching: string,
    whenMissing: () => KeyForgeError,
  ): Promise<FastifyReply> {
    const etag = etagOf(sha256);
    reply.header("etag", etag).header("cache-control", caching).header("vary", "accept-encoding");
    if (matchesIfNoneMatch(request.headers["if-none-match"], etag)) {
      return reply.code(304).send();
    }
    const info = await coordinator.getBlobInfo(sha256);
    if (info === null) throw whenMissing();
    const body =
      request.method === "HEAD" ? undefined : await openBlobBody(coordinator, sha256, info.chunks);
    if (body instanceof Readable) {
      // After the headers, a failure can only cut the response short; say so in the log.
      body.on("error", (error) => request.log.warn({ err: error, sha256 }, "blob cut short"));
    }
    // Always the full length, so a response cut short is seen as incomplete.
    reply.type(type).header("content-length", String(info.size));
    return reply.send(body);
  }

  app.register(fastifyCompress, {
    // Only when the client asks (Accept-Encoding); brotli at the plugin's fast default quality.
    encodings: ["br", "gzip"],
  });

  app.register(async (routes) => {
    routes.route({
      method: ["GET", "HEAD"],
      url: "/manifest",
      handler: async (request, reply) => {
        const manifest = await manifests.get();
        reply
          .header("etag", manifest.etag)
          .header("cache-control", SHORT_CACHING)
          .header("vary", "accept-encoding");
        if (matchesIfNoneMatch(request.headers["if-none-match"], manifest.etag)) {
          return reply.code(304).send();
        }
        reply.type("application/json; charset=utf-8");
        if (request.method === "HEAD") {
          return reply.header("content-length", String(manifest.body.byteLength)).send();
        }
        return reply.send(manifest.body);
      },
    });

    routes.route({
      method: ["GET", "HEAD"],
      url: "/assets/*",
      handler: async (request, reply) => {
        const path = (request.params as { "*": string })["*"];
        if (!isSafeAssetPath(path)) {
          throw new KeyForgeError(
            "ASSET_PATH_INVALID",
            `an asset path is names of letters, digits, '.', '_' and '-' joined by '/', none starting with '.', at most ${MAX_ASSET_PATH_LENGTH} characters in all`,
          );
        }
        // Path to hash first, then the immutable blob of that hash: the body always matches
        // the ETag, even when the asset changes meanwhile.
        const entry = (await manifests.get()).byPath.get(path);
        if (entry === undefined) {
          throw new KeyForgeError("ASSET_NOT_FOUND", `no asset ${path}`);
        }
        return sendBlob(
          request,
          reply,
          entry.sha256,
          contentTypeOf(path),
          SHORT_CACHING,
          () =>
            new KeyForgeError(
              "ASSET_CONTENT_MISSING",
              `the content of ${path} is missing from the store; the asset manager restores it`,
            ),
        );
      },
    });

    routes.route({
      method: ["GET", "HEAD"],
      url: "/blobs/:sha256",
      handler: async (request, reply) => {
        const given = (request.params as { sha256: string }).sha256;
        if (!SHA256.test(given)) {
          throw new KeyForgeError("BLOB_HASH_INVALID", "a blob is named by 64 hex digits");
        }
        const sha256 = given.toLowerCase();
        return sendBlob(
          request,
          reply,
          sha256,
          BLOB_CONTENT_TYPE,
          IMMUTABLE_CACHING,
          () => new KeyForgeError("BLOB_NOT_FOUND", `no blob ${sha256}`),
        );
      },
    });

    routes.get("/health", async (_request, reply) => {
      reply.header("cache-control", NO_CACHING);
      try {
        await coordinator.ping();
        return { status: "ok", coordinator: "up" };
      } catch (error) {
        if (!(error instanceof CoordinatorUnavailableError)) throw error;
        reply.header("retry-after", String(RETRY_AFTER_SECONDS)).code(503);
        return { status: "down", coordinator: "unavailable" };
      }
    });
  });

  return app;
}
