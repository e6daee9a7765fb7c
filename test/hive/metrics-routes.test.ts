import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startHive, type TestHive } from "../helpers/hive.ts";

describe("GET /metrics", () => {
  let hive: TestHive;
  before(async () => {
    hive = await startHive("embedded");
  });
  after(() => hive.close());

  it("exposes requests, queue depth and event fan-out in the Prometheus text format", async () => {
    await hive.app.inject({ method: "GET", url: "/jobs" });
    await hive.app.inject({ method: "GET", url: `/jobs/${"a".repeat(64)}` });
    const response = await hive.app.inject({ method: "GET", url: "/metrics" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /text\/plain/);
    assert.match(
      response.body,
      /keyforge_hive_requests_total\{method="GET",route="\/jobs",status="200"\} 1/,
    );
    assert.match(
      response.body,
      /keyforge_hive_requests_total\{method="GET",route="\/jobs\/:id",status="404"\} 1/,
    );
    assert.match(response.body, /keyforge_hive_queued_units 0/);
    assert.match(response.body, /keyforge_hive_events_delivered \d+/);
    assert.match(response.body, /keyforge_hive_units_leased_total 0/);
  });
});
