import assert from "node:assert/strict";
import { before, it } from "node:test";
import { ApiKeyRepository } from "../../../src/infra/db/api-key-repository.ts";
import type { Database } from "../../../src/infra/db/database.ts";
import { forEachDatabase } from "../../helpers/databases.ts";

forEachDatabase("ApiKeyRepository", (open) => {
  let db: Database;
  let keys: ApiKeyRepository;
  before(async () => {
    db = await open();
    keys = new ApiKeyRepository(db);
  });

  it("finds a key by its token, and stores only a hash of it", async () => {
    const { key, token } = await keys.createKey("alice", "user");
    assert.match(token, /^kf_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await keys.findByToken(token), key);
    assert.equal(await keys.findByToken(`${token}x`), null);
    const { rows } = await db.query("SELECT * FROM api_keys WHERE id = $1", [key.id]);
    assert.ok(!JSON.stringify(rows).includes(token), "the token is not stored");
  });

  it("stops accepting a revoked key", async () => {
    const { key, token } = await keys.createKey("bob", "admin");
    assert.equal(await keys.revokeKey(key.id), true);
    assert.equal(await keys.revokeKey(key.id), false);
    assert.equal(await keys.findByToken(token), null);
    const listed = (await keys.listKeys()).find((k) => k.id === key.id);
    assert.ok(listed?.revokedAt);
  });

  it("refuses an unknown role", async () => {
    await assert.rejects(keys.createKey("eve", "root" as never));
  });
});
