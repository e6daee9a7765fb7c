import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  CALIBRATION_FILE,
  calibratedIps,
  measureStepsPerThread,
} from "../../src/agent/calibration.ts";

const hardware = { cpuModel: "Test CPU", cores: 4, arch: "x64", caches: { L2: 1 << 20 } };

describe("agent calibration", () => {
  it("measures once, then reuses the figure until the hardware or the engine changes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyforge-calibration-"));
    let measured = 0;
    const measure = async () => {
      measured++;
      return 100_000;
    };
    const first = await calibratedIps(dir, hardware, 3, { engine: "1.0.0", measure });
    assert.deepEqual(first, { ips: 300_000, measured: true });
    assert.deepEqual(await calibratedIps(dir, hardware, 2, { engine: "1.0.0", measure }), {
      ips: 200_000,
      measured: false,
    });
    await calibratedIps(dir, { ...hardware, cores: 8 }, 3, { engine: "1.0.0", measure });
    await calibratedIps(dir, { ...hardware, cores: 8 }, 3, { engine: "1.1.0", measure });
    writeFileSync(join(dir, CALIBRATION_FILE), "{ broken");
    await calibratedIps(dir, { ...hardware, cores: 8 }, 3, { engine: "1.1.0", measure });
    assert.equal(measured, 4);
  });

  it("measures the real search on the standard problem", async () => {
    const stepsPerThread = await measureStepsPerThread();
    assert.ok(stepsPerThread > 1000, `${stepsPerThread} steps/s`);
  });
});
