import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { capturedLogger } from "../../helpers/captured-log.ts";

describe("createLogger", () => {
  it("writes one JSON object a line, with secret-bearing fields redacted wherever they sit", () => {
    const { logger, written } = capturedLogger("hive");
    logger.info(
      {
        req: { headers: { authorization: "Bearer kf_leaked", host: "hive" } },
        body: { token: "kfj_leaked", secret: "s3cret", name: "lab" },
        password: "hunter2",
      },
      "careless line",
    );
    logger.error({ err: new Error("boom") }, "bug");
    assert.equal(written.length, 2);
    const text = written.join("");
    for (const leaked of ["kf_leaked", "kfj_leaked", "s3cret", "hunter2"]) {
      assert.ok(!text.includes(leaked), leaked);
    }
    const [careless, bug] = written.map((line) => JSON.parse(line));
    assert.equal(careless.req.headers.authorization, "[redacted]");
    assert.equal(careless.req.headers.host, "hive");
    assert.equal(careless.body.name, "lab");
    assert.equal(careless.name, "hive");
    assert.match(bug.err.stack, /^Error: boom\n\s+at /);
    assert.ok(written.every((line) => line.endsWith("\n") && !line.slice(0, -1).includes("\n")));
  });

  it("writes nothing below its level", () => {
    const { logger, lines } = capturedLogger("agent", "warn");
    logger.info("routine");
    logger.warn("odd");
    assert.deepEqual(
      lines().map((line) => line.msg),
      ["odd"],
    );
  });
});
