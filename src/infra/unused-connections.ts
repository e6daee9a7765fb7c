import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";

/**
 * Makes `app.close()` end every connection as soon as it carries no request. Node's
 * `server.close()` ends the idle keep-alive connections of that moment, but neither those that
 * never sent a request (HTTP clients open them ahead of need) nor those whose request was still
 * running (long polls, event streams): each would hold the close for the headers or keep-alive
 * timeout, a minute later. Requests in flight finish; their connection ends right after.
 */
export function closeUnusedConnectionsOnClose(app: FastifyInstance): void {
  const requestsInFlight = new Map<Socket, number>();
  let closing = false;
  app.server.on("connection", (socket: Socket) => {
    requestsInFlight.set(socket, 0);
    socket.once("close", () => requestsInFlight.delete(socket));
  });
  app.server.on("request", (request, response) => {
    const socket = request.socket;
    requestsInFlight.set(socket, (requestsInFlight.get(socket) ?? 0) + 1);
    response.once("close", () => {
      const count = requestsInFlight.get(socket);
      if (count === undefined) return;
      requestsInFlight.set(socket, count - 1);
      // Ended, not destroyed: the answer just written still reaches the client.
      if (closing && count === 1) socket.end();
    });
  });
  app.addHook("preClose", async () => {
    closing = true;
    for (const [socket, count] of requestsInFlight) if (count === 0) socket.destroy();
  });
}
