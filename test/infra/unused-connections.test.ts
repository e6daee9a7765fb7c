import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify from "fastify";
import { closeUnusedConnectionsOnClose } from "../../src/infra/unused-connections.ts";

describe("closeUnusedConnectionsOnClose", () => {
  it("ends connections without a request at close, and those with one once it is answered", async () => {
    const app = Fastify();
    closeUnusedConnectionsOnClose(app);
    let release = () => {};
    let entered = () => {};
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    app.get(
      "/slow",
      () =>
        new Promise((resolve) => {
          release = () => resolve("done");
          entered();
        }),
    );
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = new URL(address);
    const unused = connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => unused.once("connect", resolve));
    const unusedClosed = new Promise((resolve) => unused.once("close", resolve));
    const slow = fetch(`${address}/slow`);
    await inHandler;

    const closing = app.close();
    // Without the hook the unused connection holds the close for the headers timeout (60 s).
    await Promise.race([
      unusedClosed,
      sleep(10_000, undefined, { ref: false }).then(() => assert.fail("still open")),
    ]);
    release();
    assert.equal(await (await slow).text(), "done", "the request in flight got its answer");
    // Without the hook its keep-alive connection holds the close for the keep-alive timeout.
    await Promise.race([
      closing,
      sleep(10_000, undefined, { ref: false }).then(() => assert.fail("the close still waits")),
    ]);
  });
});
