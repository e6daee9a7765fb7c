import { readdir, readFile } from "node:fs/promises";
import { arch, availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import type { NodeRegistration } from "../protocol/node-messages.ts";

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
