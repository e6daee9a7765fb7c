import assert from "node:assert/strict";
import { before, it } from "node:test";
import { HardwareProfileRepository } from "../../../src/infra/db/hardware-profile-repository.ts";
import { forEachDatabase } from "../../helpers/databases.ts";

forEachDatabase("HardwareProfileRepository", (open) => {
  let profiles: HardwareProfileRepository;
  before(async () => {
    profiles = new HardwareProfileRepository(await open());
  });
  const profile = {
    cpuSignature: "x64:Intel Xeon:2",
    cpuModel: "Intel Xeon",
    arch: "x64",
    cores: 2,
    caches: { L1d: 32768, L2: 1048576 },
    medianIps: null,
  };

  it("stores a profile and replaces it on the next save", async () => {
    assert.equal(await profiles.getProfile(profile.cpuSignature), null);
    await profiles.saveProfile(profile);
    const saved = await profiles.getProfile(profile.cpuSignature);
    assert.deepEqual({ ...saved, updatedAt: undefined }, { ...profile, updatedAt: undefined });
    await profiles.saveProfile({ ...profile, medianIps: 190_000 });
    assert.equal((await profiles.getProfile(profile.cpuSignature))?.medianIps, 190_000);
  });
});
