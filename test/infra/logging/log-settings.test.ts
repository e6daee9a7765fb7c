import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logSettings } from "../../../src/infra/logging/log-settings.ts";
import { assertCleanFailure, runCli } from "../../helpers/run-cli.ts";

const terminal = { isTTY: true };
const pipe = { isTTY: false };

describe("logSettings", () => {
  it("is pretty on a terminal and JSON otherwise, at info", () => {
    assert.deepEqual(logSettings(undefined, {}, terminal), {
      format: "pretty",
      level: "info",
      colour: true,
    });
    assert.deepEqual(logSettings(undefined, {}, pipe), {
      format: "json",
      level: "info",
      colour: false,
    });
    assert.equal(logSettings(undefined, { NO_COLOR: "1" }, terminal).colour, false);
  });

  it("takes --log-format over KEYFORGE_LOG_FORMAT, and KEYFORGE_LOG_LEVEL", () => {
    const env = { KEYFORGE_LOG_FORMAT: "pretty", KEYFORGE_LOG_LEVEL: "debug" };
    assert.equal(logSettings(undefined, env, pipe).format, "pretty");
    assert.equal(logSettings("json", env, terminal).format, "json");
    assert.equal(logSettings(undefined, env, pipe).level, "debug");
    assert.equal(logSettings(undefined, env, pipe, "warn").level, "debug");
    assert.equal(logSettings(undefined, {}, pipe, "warn").level, "warn");
  });

  it("refuses a value that cannot be right, naming the setting", () => {
    assert.throws(() => logSettings("text", {}, pipe), /--log-format must be one of json, pretty/);
    assert.throws(
      () => logSettings(undefined, { KEYFORGE_LOG_FORMAT: "xml" }, pipe),
      /KEYFORGE_LOG_FORMAT must be one of json, pretty \(got "xml"\)/,
    );
    assert.throws(
      () => logSettings(undefined, { KEYFORGE_LOG_LEVEL: "verbose" }, pipe),
      /KEYFORGE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
    );
  });

  it("stops a server command before it starts", () => {
    assertCleanFailure(
      runCli(["assets", "--port", "0"], { env: { KEYFORGE_LOG_LEVEL: "loud" } }),
      /KEYFORGE_LOG_LEVEL must be one of/,
    );
  });
});
