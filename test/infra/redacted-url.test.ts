import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { redactedUrl } from "../../src/infra/redacted-url.ts";

describe("redactedUrl", () => {
  it("hides everything between the scheme and the last @", () => {
    assert.equal(redactedUrl("mysql://kf:hunter2@db:3306/kf"), "mysql://***@db:3306/kf");
    assert.equal(redactedUrl("pg://u:p@ss/w@rd@host/db"), "pg://***@host/db");
    assert.equal(redactedUrl("sqlite:u:pw@file"), "sqlite:***@file");
    assert.equal(redactedUrl(":hunter2@host"), "***@host");
  });

  it("leaves a URL without user information as it is", () => {
    assert.equal(redactedUrl("postgress://db.internal/kf"), "postgress://db.internal/kf");
    assert.equal(redactedUrl("localhost"), "localhost");
  });
});
