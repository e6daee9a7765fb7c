import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { buildHive } from "../../src/hive/hive-app.ts";
import type { CoordinatorEvent } from "../../src/infra/coord/coordinator.ts";
import { ValkeyCoordinator } from "../../src/infra/coord/valkey-coordinator.ts";
import { AuditLog } from "../../src/infra/db/audit-log.ts";
import { JoinTokenRepository } from "../../src/infra/db/join-token-repository.ts";
import { NodeRepository } from "../../src/infra/db/node-repository.ts";
import { PostgresDatabase } from "../../src/infra/db/postgres-database.ts";
import { UnitRepository } from "../../src/infra/db/unit-repository.ts";
import { signRegistration } from "../../src/infra/node-signatures.ts";
import type { JobView } from "../../src/protocol/job-messages.ts";
import {
  clusterSchema,
  heartbeatReplySchema,
  nodeIdOf,
  nodeRegisteredSchema,
} from "../../src/protocol/node-messages.ts";
import { freshPglite, freshPostgres, TEST_DATABASE_URL } from "../helpers/databases.ts";
import { eventually } from "../helpers/eventually.ts";
import { HIVE_SECRET, startHive, type TestHive } from "../helpers/hive.ts";
import { IsolatedValkey } from "../helpers/valkey.ts";

/** A new agent identity: its private key, and the base64url public key an agent sends. */
function newIdentity(): { privateKey: KeyObject; publicKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { privateKey, publicKey: publicKey.export({ format: "jwk" }).x as string };
}

const newPublicKey = () => newIdentity().publicKey;

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000);

const hardware = { cpuModel: "Test CPU 9000", cores: 4, arch: "x64", caches: { L2: 1_048_576 } };

for (const stack of ["embedded", "server"] as const) {
  describe(`hive nodes API (${stack === "server" ? "PostgreSQL + Redis" : "PGlite + in-memory"})`, () => {
    let hive: TestHive;
    const events: CoordinatorEvent[] = [];
    before(async () => {
      hive = await startHive(stack);
      await hive.coordinator.subscribe((event) => events.push(event));
    });
    after(() => hive.close());

    async function register(publicKey = newPublicKey(), headers = hive.auth.secret) {
      return hive.app.inject({
        method: "POST",
        url: "/nodes/register",
        headers,
        payload: { publicKey, name: "desk", hardware, calibratedIps: 200_000 },
      });
    }
    async function registered() {
      const response = await register();
      assert.equal(response.statusCode, 200, response.body);
      const body = nodeRegisteredSchema.parse(response.json());
      return { ...body, headers: { authorization: `Bearer ${body.token}` } };
    }
    const heartbeat = (
      node: { nodeId: string; headers: object },
      units: { unitId: string; bestScore: number }[] = [],
      ips = 1000,
    ) =>
      hive.app.inject({
        method: "POST",
        url: `/nodes/${node.nodeId}/heartbeat`,
        headers: node.headers as Record<string, string>,
        payload: { telemetry: { ips, units } },
      });

    it("registers an agent with the hive secret, under the id its key gives", async () => {
      const publicKey = newPublicKey();
      const first = nodeRegisteredSchema.parse((await register(publicKey)).json());
      assert.equal(first.nodeId, nodeIdOf(publicKey));
      assert.equal(first.hints.threads, 3);
      assert.ok(first.heartbeatIntervalSeconds < 30);
      const again = nodeRegisteredSchema.parse((await register(publicKey)).json());
      assert.equal(again.nodeId, first.nodeId);
      await eventually("the event", () =>
        events.some((e) => e.type === "node.joined" && e.nodeId === first.nodeId),
      );
      assert.equal(
        events.filter((e) => e.type === "node.joined" && e.nodeId === first.nodeId).length,
        1,
      );
      const { rows } = await hive.db.query("SELECT cpu_signature FROM nodes WHERE id = $1", [
        first.nodeId,
      ]);
      assert.equal(
        rows[0]?.cpu_signature,
        "x64:4:test cpu 9000",
        "the hardware profile was stored",
      );
    });

    it("refuses registration without the right secret", async () => {
      const anonymous = await register(newPublicKey(), {} as never);
      assert.equal(anonymous.statusCode, 401);
      assert.equal((await register(newPublicKey(), hive.auth.alice)).statusCode, 401);
      const bad = await hive.app.inject({
        method: "POST",
        url: "/nodes/register",
        headers: hive.auth.secret,
        payload: { publicKey: "short", hardware, calibratedIps: 1 },
      });
      assert.equal(bad.statusCode, 400);
    });

    it("refuses a speed or a thread count outside the documented limits, naming the field", async () => {
      const attempt = (fields: object) =>
        hive.app.inject({
          method: "POST",
          url: "/nodes/register",
          headers: hive.auth.secret,
          payload: { publicKey: newPublicKey(), hardware, calibratedIps: 200_000, ...fields },
        });
      for (const calibratedIps of [1e-300, 0.001, 99, 1e8 + 1, 1e10]) {
        const refused = await attempt({ calibratedIps });
        assert.equal(refused.statusCode, 400, `${calibratedIps}: ${refused.body}`);
        assert.equal(refused.json().code, "REQUEST_INVALID");
        assert.match(refused.json().message, /calibratedIps/);
      }
      for (const threads of [0, 1.5, 257]) {
        const refused = await attempt({ threads });
        assert.equal(refused.statusCode, 400, `${threads}: ${refused.body}`);
        assert.match(refused.json().message, /threads/);
      }
      for (const fields of [{ calibratedIps: 100 }, { calibratedIps: 1e8, threads: 256 }]) {
        assert.equal((await attempt(fields)).statusCode, 200, JSON.stringify(fields));
      }
    });

    it("renews a token for its own node only", async () => {
      const a = await registered();
      const b = await registered();
      const renewed = await hive.app.inject({
        method: "POST",
        url: `/nodes/${a.nodeId}/token`,
        headers: a.headers,
      });
      assert.equal(renewed.statusCode, 200);
      const other = await hive.app.inject({
        method: "POST",
        url: `/nodes/${a.nodeId}/token`,
        headers: b.headers,
      });
      assert.equal(other.statusCode, 403);
      const byKey = await hive.app.inject({
        method: "POST",
        url: `/nodes/${a.nodeId}/token`,
        headers: hive.auth.alice,
      });
      assert.equal(byKey.statusCode, 401);
      await new NodeRepository(hive.db).removeNode(a.nodeId);
      const removed = await hive.app.inject({
        method: "POST",
        url: `/nodes/${a.nodeId}/token`,
        headers: a.headers,
      });
      assert.equal(removed.statusCode, 403, "a removed node's token is not renewed");
      assert.equal(removed.json().code, "NODE_REMOVED");
    });

    const cluster = async () =>
      clusterSchema.parse((await hive.app.inject({ method: "GET", url: "/cluster" })).json());

    it("counts a heartbeating node in the cluster, with its name, hardware and the age of its heartbeat", async () => {
      const node = await registered();
      const beat = await heartbeat(node, [], 123_456);
      assert.equal(beat.statusCode, 200, beat.body);
      assert.deepEqual(heartbeatReplySchema.parse(beat.json()).commands, []);
      const live = await cluster();
      const shown = live.nodes.find((n) => n.nodeId === node.nodeId);
      assert.equal(shown?.telemetry.ips, 123_456);
      assert.equal(shown?.name, "desk");
      assert.deepEqual(shown?.hardware, { cpuModel: "Test CPU 9000", cores: 4, threads: null });
      // Listed means its telemetry has not expired: its heartbeat is younger than the TTL.
      assert.ok(shown && shown.secondsSinceHeartbeat < 30, JSON.stringify(shown));
      assert.ok(live.totalIps >= 123_456);
    });

    it("forgets a node that says goodbye at once, and only at the node's own word", async () => {
      const node = await registered();
      const other = await registered();
      await heartbeat(node);
      const goodbye = (headers: object) =>
        hive.app.inject({
          method: "POST",
          url: `/nodes/${node.nodeId}/goodbye`,
          headers: headers as Record<string, string>,
        });
      assert.equal((await goodbye(other.headers)).statusCode, 403);
      assert.equal((await goodbye(hive.auth.admin)).statusCode, 401);
      assert.ok((await cluster()).nodes.some((n) => n.nodeId === node.nodeId));
      const left = await goodbye(node.headers);
      assert.equal(left.statusCode, 204, left.body);
      assert.ok(!(await cluster()).nodes.some((n) => n.nodeId === node.nodeId));
      await eventually("the event", () =>
        events.some((e) => e.type === "node.left" && e.nodeId === node.nodeId),
      );
      await heartbeat(node);
      assert.ok(
        (await cluster()).nodes.some((n) => n.nodeId === node.nodeId),
        "a node that comes back is listed again",
      );
    });

    describe("join tokens", () => {
      const tokens = () => new JoinTokenRepository(hive.db);
      const newToken = (maxUses: number, expiresAt = inHours(24)) =>
        tokens().createToken({ name: "test", maxUses, expiresAt });
      /** Registers as a volunteer would: with the join token, and a proof of the node's key. */
      const join = (
        token: string,
        identity = newIdentity(),
        proof: object | null = signRegistration(identity.privateKey, identity.publicKey),
      ) =>
        hive.app.inject({
          method: "POST",
          url: "/nodes/register",
          headers: { authorization: `Bearer ${token}` },
          payload: {
            publicKey: identity.publicKey,
            name: "volunteer",
            hardware,
            calibratedIps: 200_000,
            ...(proof ? { proof } : {}),
          },
        });
      const refusal = (response: { statusCode: number; json(): unknown }) =>
        `${response.statusCode} ${(response.json() as { code: string }).code}`;
      const usesOf = async (token: string) => (await tokens().findToken(token))?.uses;
      const nodeExists = async (publicKey: string) =>
        (await new NodeRepository(hive.db).getNode(nodeIdOf(publicKey))) !== null;

      it("enrols a new node once; the same node registers again without spending a use, also once the token is used up or expired", async () => {
        const { record, token } = await newToken(1);
        const volunteer = newIdentity();
        const joined = await join(token, volunteer);
        assert.equal(joined.statusCode, 200, joined.body);
        const node = nodeRegisteredSchema.parse(joined.json());
        assert.equal(node.nodeId, nodeIdOf(volunteer.publicKey));
        const beat = await heartbeat({
          nodeId: node.nodeId,
          headers: { authorization: `Bearer ${node.token}` },
        });
        assert.equal(beat.statusCode, 200, "its node token works");
        assert.equal(await usesOf(token), 1);

        assert.equal((await join(token, volunteer)).statusCode, 200, "a restart");
        assert.equal(await usesOf(token), 1);
        const another = await join(token);
        assert.equal(refusal(another), "403 JOIN_TOKEN_USED_UP");
        assert.match(
          (another.json() as { message: string }).message,
          /has enrolled the one node it allows: ask the hive's admin for a new one/,
        );

        await hive.db.query("UPDATE join_tokens SET expires_at = now() - interval '1 hour'");
        assert.equal((await join(token, volunteer)).statusCode, 200, "after expiry");
        const audit = await new AuditLog(hive.db).entries({ subject: record.id, limit: 10 });
        assert.deepEqual(
          audit.map((entry) => [entry.action, entry.actor]),
          [["join-token.used", node.nodeId]],
        );
      });

      it("keeps a removed node out against the hive secret; a join token's use lets it back, its record clean", async () => {
        const { token } = await newToken(2);
        const volunteer = newIdentity();
        const nodeId = nodeIdOf(volunteer.publicKey);
        const nodes = new NodeRepository(hive.db);
        assert.equal((await join(token, volunteer)).statusCode, 200);
        await nodes.countRejectedResult(nodeId);
        await nodes.removeNode(nodeId);
        const bySecret = await register(volunteer.publicKey);
        assert.equal(refusal(bySecret), "403 NODE_REMOVED");
        assert.match(bySecret.body, /removed by the hive's admin: only a new join token/);
        assert.notEqual((await nodes.getNode(nodeId))?.removedAt, null, "still removed");
        assert.equal((await join(token, volunteer)).statusCode, 200);
        assert.equal(await usesOf(token), 2);
        const back = await nodes.getNode(nodeId);
        assert.equal(back?.removedAt, null);
        assert.equal(back?.rejectedResults, 0);
      });

      it("refuses an unknown, revoked, expired or used-up token, each with its code", async () => {
        const revoked = await newToken(5);
        await tokens().revokeToken(revoked.record.id);
        const expired = await newToken(5, inHours(-1));
        const usedUp = await newToken(1);
        assert.equal((await join(usedUp.token)).statusCode, 200);
        const unknown = `kfj_${randomBytes(32).toString("base64url")}`;
        const volunteer = newIdentity();
        const tried = [unknown, revoked.token, expired.token, usedUp.token];
        const answers = [];
        for (const token of tried) answers.push(await join(token, volunteer));
        assert.deepEqual(answers.map(refusal), [
          "401 JOIN_TOKEN_INVALID",
          "403 JOIN_TOKEN_REVOKED",
          "403 JOIN_TOKEN_EXPIRED",
          "403 JOIN_TOKEN_USED_UP",
        ]);
        answers.forEach((answer, i) => {
          assert.ok(!answer.body.includes(tried[i] as string), "the token is not echoed");
        });
        assert.equal(await nodeExists(volunteer.publicKey), false, "nothing was registered");
        assert.deepEqual(
          [await usesOf(revoked.token), await usesOf(expired.token), await usesOf(usedUp.token)],
          [0, 0, 1],
        );
      });

      it("refuses a join without a valid proof of the node's key, spending nothing", async () => {
        const { token } = await newToken(5);
        const volunteer = newIdentity();
        const impostor = newIdentity();
        const twentyMinutesAgo = new Date(Date.now() - 20 * 60_000).toISOString();
        const answers = [
          await join(token, volunteer, null),
          await join(token, volunteer, signRegistration(impostor.privateKey, volunteer.publicKey)),
          await join(
            token,
            volunteer,
            signRegistration(volunteer.privateKey, volunteer.publicKey, twentyMinutesAgo),
          ),
        ];
        assert.deepEqual(answers.map(refusal), Array(3).fill("401 NODE_PROOF_INVALID"));
        assert.match(answers[2]?.body ?? "", /more than 15 minutes off the hive's clock/);
        assert.equal(await usesOf(token), 0);
        assert.equal(await nodeExists(volunteer.publicKey), false);
      });

      it("gives a token's last use to one of two new nodes joining at once", async () => {
        const { token } = await newToken(1);
        const [a, b] = [newIdentity(), newIdentity()];
        const answers = await Promise.all([join(token, a), join(token, b)]);
        assert.deepEqual(answers.map((answer) => answer.statusCode).sort(), [200, 403]);
        assert.equal(await usesOf(token), 1);
        const registered = [await nodeExists(a.publicKey), await nodeExists(b.publicKey)];
        assert.deepEqual(registered.sort(), [false, true], "the loser left no node behind");
      });
    });

    describe("secret generations", () => {
      const NEW_SECRET = "the-next-hive-secret-0123456789abcdef";
      const opened: Awaited<ReturnType<typeof buildHive>>[] = [];
      after(() => Promise.all(opened.map((app) => app.close())));
      /** Another instance on the same stores, configured with `secrets`. */
      async function instanceWith(secrets: string[]) {
        const app = await buildHive({
          db: hive.db,
          coordinator: hive.coordinator,
          secrets,
          rateLimits: null,
          log: () => {},
        });
        opened.push(app);
        return app;
      }
      const asNode = (token: string) => ({ authorization: `Bearer ${token}` });
      const call = (
        app: Awaited<ReturnType<typeof buildHive>>,
        url: string,
        headers: object,
        payload: object = {},
      ) => app.inject({ method: "POST", url, headers: headers as never, payload });
      const outcome = (response: { statusCode: number; json(): unknown }) =>
        response.statusCode === 200
          ? "200"
          : `${response.statusCode} ${(response.json() as { code: string }).code}`;
      const beat = { telemetry: { ips: 1000, units: [] } };

      it("evicts the nodes enrolled with a secret once it is retired; they enrol again with the new one", async () => {
        const identity = newIdentity();
        const enrolled = nodeRegisteredSchema.parse((await register(identity.publicKey)).json());
        const { nodeId } = enrolled;
        const heartbeatUrl = `/nodes/${nodeId}/heartbeat`;

        // During the rotation both secrets are accepted: the node goes on, and renews.
        const rotating = await instanceWith([NEW_SECRET, HIVE_SECRET]);
        assert.equal(
          outcome(await call(rotating, heartbeatUrl, asNode(enrolled.token), beat)),
          "200",
        );
        const renewed = await call(rotating, `/nodes/${nodeId}/token`, asNode(enrolled.token));
        assert.equal(renewed.statusCode, 200, renewed.body);
        const renewedToken = (renewed.json() as { token: string }).token;

        // Retired: the renewed token, signed with the new secret, still names the old enrolment.
        const retired = await instanceWith([NEW_SECRET]);
        for (const url of [heartbeatUrl, `/nodes/${nodeId}/token`]) {
          const refused = await call(retired, url, asNode(renewedToken), beat);
          assert.equal(outcome(refused), "401 NODE_ENROLMENT_RETIRED", url);
          assert.match(refused.body, /retired: register again with the current HIVE_SECRET/);
        }
        const registration = {
          publicKey: identity.publicKey,
          hardware,
          calibratedIps: 200_000,
          proof: signRegistration(identity.privateKey, identity.publicKey),
        };
        const withOld = await call(retired, "/nodes/register", asNode(HIVE_SECRET), registration);
        assert.equal(outcome(withOld), "401 AUTH_INVALID");
        // A join token's shape is no way round: a node whose secret is retired spends a real use.
        const unknownJoinToken = `kfj_${randomBytes(32).toString("base64url")}`;
        const withJunk = await call(
          retired,
          "/nodes/register",
          asNode(unknownJoinToken),
          registration,
        );
        assert.equal(outcome(withJunk), "401 JOIN_TOKEN_INVALID");

        const withNew = await call(retired, "/nodes/register", asNode(NEW_SECRET), registration);
        assert.equal(withNew.statusCode, 200, withNew.body);
        const token = nodeRegisteredSchema.parse(withNew.json()).token;
        assert.equal(outcome(await call(retired, heartbeatUrl, asNode(token), beat)), "200");
        const stored = await new NodeRepository(hive.db).getNode(nodeId);
        assert.match(stored?.enrolment ?? "", /^secret:[0-9a-f]{16}$/);
        assert.ok(!stored?.enrolment?.includes(NEW_SECRET));
      });

      it("keeps the nodes that joined with a join token: they register again without a use", async () => {
        const { token } = await new JoinTokenRepository(hive.db).createToken({
          name: "volunteers",
          maxUses: 1,
          expiresAt: inHours(1),
        });
        const volunteer = newIdentity();
        const registration = () => ({
          publicKey: volunteer.publicKey,
          hardware,
          calibratedIps: 200_000,
          proof: signRegistration(volunteer.privateKey, volunteer.publicKey),
        });
        const joined = await call(hive.app, "/nodes/register", asNode(token), registration());
        assert.equal(joined.statusCode, 200, joined.body);
        const retired = await instanceWith([NEW_SECRET]);
        const again = await call(retired, "/nodes/register", asNode(token), registration());
        assert.equal(again.statusCode, 200, again.body);
        const { nodeId, token: nodeToken } = nodeRegisteredSchema.parse(again.json());
        assert.equal(
          outcome(await call(retired, `/nodes/${nodeId}/heartbeat`, asNode(nodeToken), beat)),
          "200",
        );
      });
    });

    it("tells a node to abort units of a cancelled job, and units it does not hold", async () => {
      const job = (
        await hive.app.inject({
          method: "POST",
          url: "/jobs",
          headers: hive.auth.alice,
          payload: {
            name: "to cancel",
            board: "corne",
            corpora: [{ id: "en" }],
            priority: 0,
            search: { units: 2, stepsPerUnit: 50_000, seed: 99 },
          },
        })
      ).json() as JobView;
      const node = await registered();
      const leased = await new UnitRepository(hive.db).leaseUnits(node.nodeId, 10, 60);
      const mine = leased
        .filter((u) => u.jobId === job.id)
        .map((u) => ({ unitId: u.id, bestScore: 10 }));
      assert.ok(mine.length > 0);
      assert.deepEqual(
        heartbeatReplySchema.parse((await heartbeat(node, mine)).json()).commands,
        [],
      );
      await hive.app.inject({ method: "DELETE", url: `/jobs/${job.id}`, headers: hive.auth.alice });
      const unknown = `${"0".repeat(64)}.0`;
      const reply = heartbeatReplySchema.parse(
        (await heartbeat(node, [...mine, { unitId: unknown, bestScore: 1 }])).json(),
      );
      assert.deepEqual(
        reply.commands.map((c) => [c.unitId, c.reason]),
        [...mine.map((u) => [u.unitId, "its job was cancelled"]), [unknown, "unknown unit"]],
      );
    });

    it("refuses heartbeats for another node, or without a node token", async () => {
      const a = await registered();
      const b = await registered();
      assert.equal((await heartbeat({ nodeId: a.nodeId, headers: b.headers })).statusCode, 403);
      assert.equal(
        (await heartbeat({ nodeId: a.nodeId, headers: hive.auth.alice })).statusCode,
        401,
      );
      assert.equal((await heartbeat({ nodeId: a.nodeId, headers: {} })).statusCode, 401);
    });
  });
}

describe("heartbeats and PostgreSQL", () => {
  it("writes nothing to PostgreSQL for heartbeats (its statistics views say so)", async () => {
    const { db: reader, drop } = await freshPostgres();
    const valkey = new IsolatedValkey();
    const coordinator = valkey.coordinator();
    try {
      // A backend reports its counters when it exits: each step runs on a pool of its own,
      // closed before the counters are read, on a schema nothing else writes to.
      const inSession = async (
        work: (app: Awaited<ReturnType<typeof buildHive>>) => Promise<void>,
      ) => {
        const db = new PostgresDatabase(TEST_DATABASE_URL, { schema: reader.schema });
        const app = await buildHive({ db, coordinator, secrets: [HIVE_SECRET], log: () => {} });
        await work(app);
        await app.close();
        await db.close();
        return writesSettled();
      };
      const writesSettled = async () => {
        let last = -1;
        for (;;) {
          const { rows } = await reader.query<{ writes: string }>(
            `SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) AS writes
             FROM pg_stat_user_tables WHERE schemaname = $1`,
            [reader.schema],
          );
          const writes = Number(rows[0]?.writes);
          if (writes === last) return writes;
          last = writes;
          await sleep(300);
        }
      };
      const register = (app: Awaited<ReturnType<typeof buildHive>>, publicKey: string) =>
        app.inject({
          method: "POST",
          url: "/nodes/register",
          headers: { authorization: `Bearer ${HIVE_SECRET}` },
          payload: { publicKey, hardware, calibratedIps: 1000 },
        });
      let node = { nodeId: "", token: "" };
      const before = await inSession(async (app) => {
        node = nodeRegisteredSchema.parse((await register(app, newPublicKey())).json());
      });
      const afterBeats = await inSession(async (app) => {
        for (let i = 0; i < 50; i++) {
          const beat = await app.inject({
            method: "POST",
            url: `/nodes/${node.nodeId}/heartbeat`,
            headers: { authorization: `Bearer ${node.token}` },
            payload: { telemetry: { ips: 1000 + i, units: [] } },
          });
          assert.equal(beat.statusCode, 200);
        }
      });
      assert.equal(afterBeats, before, "no rows written by 50 heartbeats");
      const afterRegistration = await inSession(async (app) => {
        assert.equal((await register(app, newPublicKey())).statusCode, 200);
      });
      assert.ok(afterRegistration > afterBeats, "a registration, by contrast, is counted");
    } finally {
      await valkey.close();
      await drop();
    }
  });
});

describe("hive nodes API while Valkey is down", () => {
  it("answers /cluster with 503 and Retry-After", async () => {
    const { db, drop } = await freshPglite();
    const coordinator = new ValkeyCoordinator("redis://127.0.0.1:1");
    const app = await buildHive({ db, coordinator, secrets: ["s"], log: () => {} });
    try {
      const response = await app.inject({ method: "GET", url: "/cluster" });
      assert.equal(response.statusCode, 503);
      assert.equal(response.headers["retry-after"], "5");
      assert.equal(response.json().code, "COORDINATOR_UNAVAILABLE");
    } finally {
      await app.close();
      await coordinator.close();
      await drop();
    }
  });
});
