import type { Database } from "./database.ts";

/** What is known about one CPU model, shared by every node that has it. */
export interface HardwareProfile {
  readonly cpuSignature: string;
  readonly cpuModel: string;
  readonly arch: string;
  readonly cores: number;
  /** Cache sizes in bytes by level name, e.g. { "L2": 1048576 }. */
  readonly caches: Readonly<Record<string, number>>;
  readonly medianIps: number | null;
}

interface ProfileRow {
  cpu_signature: string;
  cpu_model: string;
  arch: string;
  cores: number;
  caches: Record<string, number>;
  median_ips: number | null;
  updated_at: Date;
}

/**
 * Hardware profiles: written at most once a day per CPU model, by the one hive instance the
 * coordinator's write shield lets through.
 */
export class HardwareProfileRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async saveProfile(profile: HardwareProfile): Promise<void> {
    await this.db.query(
      `INSERT INTO hardware_profiles (cpu_signature, cpu_model, arch, cores, caches, median_ips)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (cpu_signature) DO UPDATE SET
         cpu_model = EXCLUDED.cpu_model, arch = EXCLUDED.arch, cores = EXCLUDED.cores,
         caches = EXCLUDED.caches, median_ips = EXCLUDED.median_ips, updated_at = now()`,
      [
        profile.cpuSignature,
        profile.cpuModel,
        profile.arch,
        profile.cores,
        JSON.stringify(profile.caches),
        profile.medianIps,
      ],
    );
  }

  async getProfile(cpuSignature: string): Promise<(HardwareProfile & { updatedAt: Date }) | null> {
    const { rows } = await this.db.query<ProfileRow>(
      "SELECT * FROM hardware_profiles WHERE cpu_signature = $1",
      [cpuSignature],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      cpuSignature: row.cpu_signature,
      cpuModel: row.cpu_model,
      arch: row.arch,
      cores: row.cores,
      caches: row.caches,
      medianIps: row.median_ips,
      updatedAt: row.updated_at,
    };
  }
}
