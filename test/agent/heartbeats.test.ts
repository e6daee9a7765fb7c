import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cpuTemperature } from "../../src/agent/hardware.ts";
import { startHeartbeats } from "../../src/agent/heartbeats.ts";
import type { NodeSession } from "../../src/agent/node-session.ts";
import type { ResultDelivery } from "../../src/agent/result-delivery.ts";
import type { RunningUnits } from "../../src/agent/running-units.ts";
import type { Telemetry } from "../../src/protocol/node-messages.ts";
import { eventually } from "../helpers/eventually.ts";

/** Heartbeats of an agent whose searches run at `liveRate`, as the hive receives them. */
function heartbeatsAt(liveRate: () => number) {
  const sent: Telemetry[] = [];
  const session = {
    // The calibration figure: never what a heartbeat reports.
    calibratedIps: 999_999,
    heartbeatSeconds: 0.01,
    renewTokenIfDue: async () => {},
    registerAgain: async () => true,
    heartbeat: async (telemetry: Telemetry) => {
      sent.push(telemetry);
      return [];
    },
  };
  const units = { progress: () => [], stepsPerSecond: liveRate, abort: () => {} };
  const delivery = { undeliveredUnits: () => [] };
  const stop = startHeartbeats({
    session: session as unknown as NodeSession,
    units: units as unknown as RunningUnits,
    delivery: delivery as unknown as ResultDelivery,
    log: () => {},
  });
  return { sent, stop };
}

describe("agent heartbeats", () => {
  it("report the live search rate, not the calibration figure, and the CPU temperature where there is one", async () => {
    let rate = 0;
    const { sent, stop } = heartbeatsAt(() => rate);
    try {
      await eventually("an idle heartbeat", () => sent.length > 0);
      rate = 123_456;
      await eventually("a heartbeat while searching", () => sent.at(-1)?.ips === 123_456);
    } finally {
      await stop();
    }
    assert.equal(sent[0]?.ips, 0, "an idle node searches at 0 steps/s");
    const temperature = await cpuTemperature();
    for (const telemetry of sent) assert.equal(telemetry.temperatureC, temperature);
  });
});
