import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildHive } from "../../src/hive/hive-app.ts";
import type { Database } from "../../src/infra/db/database.ts";
import { HIVE_SECRET, startHive, type TestHive } from "../helpers/hive.ts";

const PROFILE_WRITE = /^\s*INSERT INTO hardware_profiles/i;

/** `db`, counting into `writes` the statements that write a hardware profile. */
function countingProfileWrites(db: Database, writes: { count: number }): Database {
  return new Proxy(db, {
    get: (target, property, receiver) => {
      const value = Reflect.get(target, property, receiver);
      if (property !== "query") return typeof value === "function" ? value.bind(target) : value;
      return (text: string, values?: unknown[]) => {
        if (PROFILE_WRITE.test(text)) writes.count++;
        return target.query(text, values);
      };
    },
  });
}

const newPublicKey = () =>
  generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x as string;

const hardware = { cpuModel: "Shield CPU 1", cores: 8, arch: "x64", caches: { L2: 1_048_576 } };

for (const stack of ["embedded", "server"] as const) {
  describe(`hardware profile write shield (${stack === "server" ? "PostgreSQL + Redis" : "PGlite + in-memory"})`, () => {
    const writes = { count: 0 };
    let hive: TestHive;
    let second: FastifyInstance;
    before(async () => {
      hive = await startHive(stack, { wrapDatabase: (db) => countingProfileWrites(db, writes) });
      second = await buildHive({
        db: countingProfileWrites(hive.db, writes),
        coordinator: hive.anotherCoordinator(),
        secrets: [HIVE_SECRET],
        reaperPeriodMs: 0,
        log: () => {},
      });
    });
    after(async () => {
      await second.close();
      await hive.close();
    });

    it("of two instances registering the same CPU at once, exactly one writes its profile", async () => {
      const register = (app: FastifyInstance) =>
        app.inject({
          method: "POST",
          url: "/nodes/register",
          headers: hive.auth.secret,
          payload: { publicKey: newPublicKey(), hardware, calibratedIps: 200_000 },
        });
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) => register(i % 2 === 0 ? hive.app : second)),
      );
      for (const response of responses) assert.equal(response.statusCode, 200, response.body);
      assert.equal(writes.count, 1, "one profile write");
      const { rows } = await hive.db.query<{ nodes: number }>(
        "SELECT count(*)::int AS nodes FROM nodes WHERE cpu_signature = $1",
        ["x64:8:shield cpu 1"],
      );
      assert.deepEqual(rows, [{ nodes: 6 }], "every node points at the one profile");
    });
  });
}
