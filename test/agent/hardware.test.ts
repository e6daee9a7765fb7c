import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  cacheBytes,
  cacheSizes,
  cpuTemperature,
  detectHardware,
} from "../../src/agent/hardware.ts";
import { hardwareSchema } from "../../src/protocol/node-messages.ts";

/** A sysfs-like cache folder with the given (level, type, size) caches. */
function cacheFolder(caches: [string, string, string][]): string {
  const folder = mkdtempSync(join(tmpdir(), "keyforge-caches-"));
  caches.forEach(([level, type, size], i) => {
    const dir = join(folder, `index${i}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "level"), `${level}\n`);
    writeFileSync(join(dir, "type"), `${type}\n`);
    writeFileSync(join(dir, "size"), `${size}\n`);
  });
  return folder;
}

describe("hardware detection", () => {
  it("reads cache sizes by level from sysfs", async () => {
    const folder = cacheFolder([
      ["1", "Data", "32K"],
      ["1", "Instruction", "32K"],
      ["2", "Unified", "512K"],
      ["3", "Unified", "32768K"],
    ]);
    assert.deepEqual(await cacheSizes(folder), {
      L1d: 32 * 1024,
      L1i: 32 * 1024,
      L2: 512 * 1024,
      L3: 32 * 1024 * 1024,
    });
  });

  it("leaves out what it cannot read, and has no caches without sysfs", async () => {
    const folder = cacheFolder([
      ["2", "Unified", "lots"],
      ["3", "Unified", "2M"],
    ]);
    assert.deepEqual(await cacheSizes(folder), { L3: 2 * 1024 * 1024 });
    assert.deepEqual(await cacheSizes(join(folder, "missing")), {});
    assert.deepEqual(["64", "8K", "1m", "x", ""].map(cacheBytes), [64, 8192, 1048576, null, null]);
  });

  it("reads the CPU's temperature from its sensor, and none where there is none", async () => {
    /** A sysfs-like hwmon folder with the given (driver, first reading) chips. */
    const sensors = (chips: [string, string][]) => {
      const folder = mkdtempSync(join(tmpdir(), "keyforge-hwmon-"));
      chips.forEach(([driver, reading], i) => {
        const dir = join(folder, `hwmon${i}`);
        mkdirSync(dir);
        writeFileSync(join(dir, "name"), `${driver}\n`);
        writeFileSync(join(dir, "temp1_input"), `${reading}\n`);
      });
      return folder;
    };
    assert.equal(
      await cpuTemperature(
        sensors([
          ["nvme", "38850"],
          ["coretemp", "61000"],
        ]),
      ),
      61,
    );
    assert.equal(await cpuTemperature(sensors([["k10temp", "54125"]])), 54.125);
    assert.equal(
      await cpuTemperature(
        sensors([
          ["nvme", "38850"],
          ["acpitz", "27800"],
        ]),
      ),
      undefined,
    );
    assert.equal(await cpuTemperature(sensors([["coretemp", "-"]])), undefined);
    assert.equal(await cpuTemperature(sensors([["coretemp", "999000"]])), undefined);
    assert.equal(await cpuTemperature(join(tmpdir(), "keyforge-no-such-folder")), undefined);
  });

  it("describes this machine in the form the hive registers", async () => {
    const hardware = await detectHardware();
    assert.deepEqual(hardwareSchema.parse(hardware), hardware);
    assert.ok(hardware.cores >= 1);
  });
});
