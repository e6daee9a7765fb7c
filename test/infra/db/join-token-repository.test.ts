import assert from "node:assert/strict";
import { before, it } from "node:test";
import type { Database } from "../../../src/infra/db/database.ts";
import { JoinTokenRepository } from "../../../src/infra/db/join-token-repository.ts";
import { joinTokenSchema } from "../../../src/protocol/node-messages.ts";
import { forEachDatabase } from "../../helpers/databases.ts";

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);

forEachDatabase("JoinTokenRepository", (open) => {
  let db: Database;
  let tokens: JoinTokenRepository;
  before(async () => {
    db = await open();
    tokens = new JoinTokenRepository(db);
  });

  it("creates a token it finds again, and stores only a hash of it", async () => {
    const expiresAt = inDays(7);
    const { record, token } = await tokens.createToken({ name: "lab", maxUses: 3, expiresAt });
    assert.ok(joinTokenSchema.safeParse(token).success, token);
    assert.match(record.id, /^jt_[0-9a-f]{16}$/);
    assert.deepEqual(
      { ...record, createdAt: null },
      {
        id: record.id,
        name: "lab",
        maxUses: 3,
        uses: 0,
        expiresAt,
        createdAt: null,
        revokedAt: null,
        refusal: null,
      },
    );
    assert.deepEqual(await tokens.findToken(token), record);
    assert.equal(await tokens.findToken(`${token.slice(0, -1)}x`), null);
    const { rows } = await db.query("SELECT * FROM join_tokens WHERE id = $1", [record.id]);
    assert.ok(!JSON.stringify(rows).includes(token), "the token is not stored");
  });

  it("counts each use, and refuses the one past its limit as used up", async () => {
    const { record, token } = await tokens.createToken({
      name: null,
      maxUses: 2,
      expiresAt: inDays(1),
    });
    const [first, second] = [await tokens.useToken(token), await tokens.useToken(token)];
    assert.deepEqual(
      [first, second].map((t) => [t?.uses, t?.refusal]),
      [
        [1, null],
        [2, null],
      ],
    );
    const third = await tokens.useToken(token);
    assert.equal(third?.refusal, "JOIN_TOKEN_USED_UP");
    assert.equal(third?.uses, 2);
    assert.equal((await tokens.findToken(token))?.refusal, "JOIN_TOKEN_USED_UP");
    const listed = (await tokens.listTokens()).find((t) => t.id === record.id);
    assert.equal(listed?.uses, 2);
  });

  it("refuses an expired token and a revoked one, and knows no unknown one", async () => {
    const expired = await tokens.createToken({ name: null, maxUses: 5, expiresAt: inDays(-1) });
    assert.equal((await tokens.useToken(expired.token))?.refusal, "JOIN_TOKEN_EXPIRED");
    const revoked = await tokens.createToken({ name: null, maxUses: 5, expiresAt: inDays(1) });
    assert.equal(await tokens.revokeToken(revoked.record.id), true);
    assert.equal(await tokens.revokeToken(revoked.record.id), false, "revoked once");
    const used = await tokens.useToken(revoked.token);
    assert.equal(used?.refusal, "JOIN_TOKEN_REVOKED");
    assert.ok(used?.revokedAt);
    assert.equal(used?.uses, 0, "a refused use is not counted");
    assert.equal(await tokens.useToken(`kfj_${"A".repeat(43)}`), null);
  });

  it("gives the last use to exactly one of many callers racing for it", async () => {
    const { token } = await tokens.createToken({ name: null, maxUses: 3, expiresAt: inDays(1) });
    await tokens.useToken(token);
    await tokens.useToken(token);
    const racers = await Promise.all(
      Array.from({ length: 8 }, () => db.transaction((tx) => tokens.useToken(token, tx))),
    );
    assert.equal(racers.filter((t) => t?.refusal === null).length, 1);
    assert.deepEqual(
      racers.filter((t) => t?.refusal !== null).map((t) => t?.refusal),
      Array(7).fill("JOIN_TOKEN_USED_UP"),
    );
    assert.equal((await tokens.findToken(token))?.uses, 3);
  });
});
