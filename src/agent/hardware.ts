import { readdir, readFile } from "node:fs/promises";
import { arch, availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { type NodeRegistration, telemetrySchema } from "../protocol/node-messages.ts";

export type Hardware = NodeRegistration["hardware"];

/** Where Linux describes the first CPU's caches, one `index<n>` folder per cache. */
export const LINUX_CPU_CACHES = "/sys/devices/system/cpu/cpu0/cache";

/** A sysfs cache size ("32K", "1M", "512") in bytes, or null when it is not one. */
export function cacheBytes(text: string): number | null {
  const match = /^(\d+)\s*([KMG]?)$/i.exec(text.trim());
  if (!match) return null;
  const unit = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2]?.toUpperCase() ?? ""];
  return Number(match[1]) * (unit ?? 1);
}

/**
 * The sizes of the CPU's caches by level ("L1d", "L1i", "L2", "L3"), read from sysfs; empty
 * where the system does not say (another OS, a container hiding it).
 */
export async function cacheSizes(
  folder: string = LINUX_CPU_CACHES,
): Promise<Record<string, number>> {
  let entries: string[];
  try {
    entries = (await readdir(folder)).filter((name) => /^index\d+$/.test(name)).sort();
  } catch {
    return {};
  }
  const caches: Record<string, number> = {};
  for (const entry of entries) {
    try {
      const [level, type, size] = await Promise.all(
        ["level", "type", "size"].map((field) => readFile(join(folder, entry, field), "utf8")),
      );
      const bytes = cacheBytes(size ?? "");
      if (bytes === null) continue;
      const kind = type?.trim() === "Data" ? "d" : type?.trim() === "Instruction" ? "i" : "";
      caches[`L${level?.trim()}${kind}`] = bytes;
    } catch {
      // A cache the system describes only in part is left out.
    }
  }
  return caches;
}

/** Where Linux lists its hardware sensors, one `hwmon<n>` folder per chip. */
export const LINUX_HWMON = "/sys/class/hwmon";

/** Drivers of sensors that measure the CPU itself: Intel's, AMD's, and ARM boards'. */
const CPU_SENSORS = new Set(["coretemp", "k10temp", "zenpower", "cpu_thermal"]);

/**
 * The CPU's temperature in °C: the first reading of its first sensor (Intel's package, AMD's
 * Tctl); undefined where the system shows none (another OS, a VM, a container) or reads
 * something no CPU could be at.
 */
export async function cpuTemperature(folder: string = LINUX_HWMON): Promise<number | undefined> {
  let chips: string[];
  try {
    chips = (await readdir(folder)).filter((name) => /^hwmon\d+$/.test(name)).sort();
  } catch {
    return undefined;
  }
  for (const chip of chips) {
    try {
      const driver = (await readFile(join(folder, chip, "name"), "utf8")).trim();
      if (!CPU_SENSORS.has(driver)) continue;
      const milliDegrees = (await readFile(join(folder, chip, "temp1_input"), "utf8")).trim();
      const reading = telemetrySchema.shape.temperatureC.safeParse(Number(milliDegrees) / 1000);
      return reading.success ? reading.data : undefined;
    } catch {
      // A chip that cannot be read is passed over.
    }
  }
  return undefined;
}

/** What the agent runs on, as it registers with the hive. */
export async function detectHardware(cacheFolder?: string): Promise<Hardware> {
  const model = cpus()[0]?.model.replace(/\s+/g, " ").trim();
  return {
    cpuModel: model || `unknown ${arch()} CPU`,
    cores: availableParallelism(),
    arch: arch(),
    caches: await cacheSizes(cacheFolder),
  };
}
