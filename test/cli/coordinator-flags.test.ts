import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { DEFAULT_VALKEY_URL, valkeyUrlOf } from "../../src/cli/coordinator-flags.ts";

describe("Valkey URL flag", () => {
  const saved = process.env.KEYFORGE_VALKEY_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.KEYFORGE_VALKEY_URL;
    else process.env.KEYFORGE_VALKEY_URL = saved;
  });

  it("takes --valkey, else the KEYFORGE_VALKEY_URL setting, else loopback", () => {
    process.env.KEYFORGE_VALKEY_URL = "rediss://valkey.internal:6380/2";
    assert.equal(valkeyUrlOf("redis://other:6379"), "redis://other:6379");
    assert.equal(valkeyUrlOf(undefined), "rediss://valkey.internal:6380/2");
    delete process.env.KEYFORGE_VALKEY_URL;
    assert.equal(valkeyUrlOf(undefined), DEFAULT_VALKEY_URL);
    assert.equal(valkeyUrlOf("valkey://user:pw@host"), "valkey://user:pw@host");
  });

  it("refuses what the client would misread, without echoing a possible password", () => {
    for (const bad of [
      "localhost",
      "not a url",
      "http://user:hunter2@host",
      "redis://",
      "/tmp/sock",
    ]) {
      assert.throws(
        () => valkeyUrlOf(bad),
        (e: Error & { code?: string }) =>
          e.code === "FLAG_INVALID" &&
          /--valkey must be a URL/.test(e.message) &&
          !e.message.includes("hunter2"),
        bad,
      );
    }
    process.env.KEYFORGE_VALKEY_URL = "tcp://user:hunter2@host";
    assert.throws(
      () => valkeyUrlOf(undefined),
      (e: Error) =>
        /KEYFORGE_VALKEY_URL must be a URL .*, not tcp:\/\/\*\*\*@host$/.test(e.message) &&
        !/user|hunter2/.test(e.message),
    );
  });
});
