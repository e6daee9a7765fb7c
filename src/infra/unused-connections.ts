import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";

/**
 * Makes `app.close()` end the connections that carry no request. Node's `server.close()` ends
 * idle keep-alive connections, but not those that never sent a request (HTTP clients open them
 * ahead of need); each would hold the close until the headers timeout, a minute later.
 * Connections with a request in flight (long polls, event streams) are left to end it.
 */
export function closeUnusedConnectionsOnClose(app: FastifyInstance): void {
  const requestsInFlight = new Map<Socket, number>();
  app.server.on("connection", (socket: Socket) => {
    requestsInFlight.set(socket, 0);
    socket.once("close", () => requestsInFlight.delete(socket));
  });
  app.server.on("request", (request, response) => {
    const socket = request.socket;
    requestsInFlight.set(socket, (requestsInFlight.get(socket) ?? 0) + 1);
    response.once("close", () => {
      const count = requestsInFlight.get(socket);
      if (count !== undefined) requestsInFlight.set(socket, count - 1);
    });
  });
  app.addHook("preClose", async () => {
    for (const [socket, count] of requestsInFlight) if (count === 0) socket.destroy();
  });
}
