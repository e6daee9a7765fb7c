import type { FastifyReply } from "fastify";

/**
 * Aborts when the client goes away before its answer is finished (a long poll, an event
 * stream). It watches the response's close: the request's comes as soon as its body has been
 * read, client still there.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return gone.signal;
}
