import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, randomInt } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CALIBRATION_FILE } from "../../src/agent/calibration.ts";
import { ResultOutbox } from "../../src/agent/result-outbox.ts";
import type { Database } from "../../src/infra/db/database.ts";
import { secretEnrolment } from "../../src/infra/node-enrolments.ts";
import { signRegistration } from "../../src/infra/node-signatures.ts";
import { issueNodeToken } from "../../src/infra/node-tokens.ts";
import { freshPostgres, TEST_DATABASE_URL } from "../helpers/databases.ts";
import { eventually } from "../helpers/eventually.ts";
import { freePort } from "../helpers/free-port.ts";
import { type CliResult, type RunningCli, runCli, startCli, stopAll } from "../helpers/run-cli.ts";
import { IsolatedValkey, TEST_VALKEY_URL } from "../helpers/valkey.ts";

/** Node tokens live this long in the drill (an hour in production): the rotation's wait. */
const TOKEN_SECONDS = 15;

const newSecret = () => randomBytes(32).toString("hex");

/** A figure the drill measured, for docs/operations/secrets.md. */
const report = (line: string) => console.log(`drill: ${line}`);

/**
 * The HIVE_SECRET rotation of docs/operations/secrets.md, drilled on the distributed system:
 * two hives on one PostgreSQL schema and one Redis, two agents working through a job while
 * both hives are restarted in turn with a new secret (the old one as HIVE_SECRET_PREVIOUS),
 * then, once every token signed with the old one has expired, restarted again without it.
 * Then API keys and join tokens are revoked through one hive and refused by the other. Every
 * line the processes wrote, every error body and /metrics are kept, and no secret is in them.
 */
describe("rotating HIVE_SECRET and revoking credentials on a running two-hive system", () => {
  const valkey = new IsolatedValkey();
  const oldSecret = newSecret();
  const currentSecret = newSecret();
  const secretsDir = mkdtempSync(join(tmpdir(), "keyforge-rotation-secrets-"));
  /** Everything the drill saw: process output, error bodies, /metrics. */
  const captured: string[] = [];
  /** Every credential the drill used, for the last check. */
  const credentials: string[] = [oldSecret, currentSecret];
  const processes: RunningCli[] = [];
  let db: Database;
  let dropSchema: () => Promise<void>;
  let env: Record<string, string>;
  let assetsUrl: string;
  const hives: Record<"a" | "b", { port: number; cli: RunningCli }> = {} as never;
  const agents: Record<"one" | "two", { cli: RunningCli; nodeId: string; dataDir: string }> =
    {} as never;
  const hiveUrl = (name: "a" | "b") => `http://127.0.0.1:${hives[name].port}`;

  /** The hives' secret files, as compose mounts them (deploy/make-secrets.sh). */
  function writeHiveSecrets(current: string, previous: string): void {
    writeFileSync(join(secretsDir, "hive-secret"), `${current}\n`, { mode: 0o600 });
    writeFileSync(join(secretsDir, "hive-secret-previous"), previous ? `${previous}\n` : "", {
      mode: 0o600,
    });
  }

  function start(args: string[], extraEnv: Record<string, string> = {}): RunningCli {
    const cli = startCli(args, { env: { ...env, ...extraEnv } });
    processes.push(cli);
    return cli;
  }

  /** Starts hive `name` on its port, reading the secret files as they are now. */
  async function startHive(name: "a" | "b"): Promise<void> {
    const cli = start(
      [
        "hive",
        ...["--port", String(hives[name].port), "--valkey", TEST_VALKEY_URL],
        ...["--node-token-lifetime", String(TOKEN_SECONDS), "--log-format", "json"],
      ],
      {
        HIVE_SECRET_FILE: join(secretsDir, "hive-secret"),
        HIVE_SECRET_PREVIOUS_FILE: join(secretsDir, "hive-secret-previous"),
      },
    );
    hives[name].cli = cli;
    await cli.waitFor(/hive: listening on/, 60_000);
  }

  /** A rolling restart: one hive at a time, the other serving meanwhile. */
  async function restartHives(): Promise<void> {
    for (const name of ["a", "b"] as const) {
      assert.equal((await hives[name].cli.stop("SIGTERM")).status, 0, `hive ${name} stopped`);
      await startHive(name);
    }
  }

  /** The file HIVE_SECRET_FILE names on an agent's machine, and its content now. */
  const agentSecretFile = (dataDir: string) => join(dataDir, "..", "hive-secret");

  async function startAgent(name: "one" | "two", hive: "a" | "b"): Promise<void> {
    const machine = mkdtempSync(join(tmpdir(), `keyforge-rotation-agent-${name}-`));
    const dataDir = join(machine, "agent");
    writeFileSync(agentSecretFile(dataDir), `${oldSecret}\n`, { mode: 0o600 });
    const cli = start(
      [
        "agent",
        ...["--hive", hiveUrl(hive), "--assets", assetsUrl, "--data-dir", dataDir],
        ...["--threads", "1", "--priority", "normal", "--grace", "2", "--name", name],
      ],
      { HIVE_SECRET_FILE: agentSecretFile(dataDir) },
    );
    const [, nodeId] = await cli.waitFor(/agent: node (\w+) registered/, 60_000);
    agents[name] = { cli, nodeId: nodeId as string, dataDir };
  }

  /**
   * `keyforge <args>` run to its end as the operator; its output is captured, but for the
   * standard output of a command that prints a new credential (once, by design).
   */
  function operator(args: string[], options: { printsCredential?: boolean } = {}): string {
    const result = runCli(args, { env });
    captured.push(options.printsCredential ? "" : result.stdout, result.stderr);
    assert.equal(result.status, 0, `keyforge ${args.join(" ")}: ${result.stderr}`);
    return result.stdout.trim();
  }

  /** A request whose body is kept for the secrets check. */
  async function request(url: string, init: RequestInit = {}) {
    const response = await fetch(url, init);
    const text = await response.text();
    captured.push(text);
    return { status: response.status, text };
  }

  async function doneUnits(): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM units WHERE status = 'done'",
    );
    return rows[0]?.n ?? 0;
  }

  /** Jobs of `ids` not completed yet. */
  async function unfinished(ids: readonly string[]): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1) AND status <> 'completed'",
      [ids],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Submits small jobs, through both hives in turn, whenever the queue runs low, so both agents
   * work through the whole rotation however fast this machine is; `stop` returns their ids.
   */
  function keepAgentsBusy(): { stop: () => Promise<string[]> } {
    const jobs: string[] = [];
    const refused: string[] = [];
    let running = true;
    const submitting = (async () => {
      for (let turn = 0; running; turn++) {
        const { rows } = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM units WHERE status = 'queued'",
        );
        if ((rows[0]?.n ?? 0) < 2) {
          const hive = turn % 2 === 0 ? "a" : "b";
          const submitted = await request(`${hiveUrl(hive)}/jobs`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${env.KEYFORGE_API_KEY}`,
              "content-type": "application/json",
            },
            body: JSON.stringify({
              name: `rotation drill ${turn}`,
              board: "corne",
              corpora: [{ id: "en" }],
              search: { units: 4, stepsPerUnit: 100_000, seed: randomInt(2 ** 31) },
            }),
          }).catch(() => null);
          // A hive restarting refuses the connection: the other takes the next job.
          if (submitted && submitted.status < 300) jobs.push(JSON.parse(submitted.text).id);
          else if (submitted) refused.push(`${submitted.status} ${submitted.text}`);
        }
        await sleep(250);
      }
    })();
    return {
      async stop() {
        running = false;
        await submitting;
        assert.deepEqual(refused, [], "no job was refused");
        return jobs;
      },
    };
  }

  before(async () => {
    const store = await freshPostgres({ migrated: false });
    db = store.db;
    dropSchema = store.drop;
    env = {
      DATABASE_URL: TEST_DATABASE_URL,
      KEYFORGE_DATABASE_SCHEMA: store.db.schema,
      KEYFORGE_VALKEY_URL: TEST_VALKEY_URL,
      KEYFORGE_VALKEY_PREFIX: valkey.prefix,
      KEYFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), "keyforge-rotation-operator-")),
      KEYFORGE_LOG_LEVEL: "debug",
    };
    writeHiveSecrets(oldSecret, "");
    hives.a = { port: await freePort(), cli: undefined as never };
    hives.b = { port: await freePort(), cli: undefined as never };
    const assetmgr = start(["assetmgr", "--verify-interval", "60"]);
    const gateway = start(["assets", "--port", "0"]);
    await Promise.all([startHive("a"), startHive("b")]);
    await assetmgr.waitFor(/assetmgr: watching/, 60_000);
    const [, url] = await gateway.waitFor(/assets: listening on (http:\/\/127\.0\.0\.1:\d+)/);
    assetsUrl = url as string;
    env.KEYFORGE_API_KEY = operator(["admin", "key", "create", "--name", "drill user"], {
      printsCredential: true,
    });
    credentials.push(env.KEYFORGE_API_KEY);
    await Promise.all([startAgent("one", "a"), startAgent("two", "b")]);
  });

  after(async () => {
    await stopAll(processes);
    await valkey.close();
    await dropSchema();
  });

  it("rotates HIVE_SECRET by rolling restarts while the agents work, losing nothing", async () => {
    const workload = keepAgentsBusy();
    const doneAt = [
      await eventually("a unit is done", async () => (await doneUnits()) || undefined, 60_000),
    ];

    // 1. The new secret is current, the old one previous; the operator's agents get the new one.
    const rotationStarted = Date.now();
    writeHiveSecrets(currentSecret, oldSecret);
    await restartHives();
    for (const agent of Object.values(agents)) {
      writeFileSync(agentSecretFile(agent.dataDir), `${currentSecret}\n`);
    }
    const rolledSeconds = (Date.now() - rotationStarted) / 1000;
    doneAt.push(await doneUnits());

    // 2. Every token signed with the old secret has expired: it is dropped.
    await sleep(TOKEN_SECONDS * 1000 + 1000);
    writeHiveSecrets(currentSecret, "");
    await restartHives();
    const rotationSeconds = (Date.now() - rotationStarted) / 1000;
    doneAt.push(await doneUnits());
    const jobs = await workload.stop();

    await eventually("every job completes", async () => (await unfinished(jobs)) === 0, 120_000);
    doneAt.push(await doneUnits());
    for (let phase = 1; phase < doneAt.length; phase++) {
      assert.ok(
        (doneAt[phase] as number) > (doneAt[phase - 1] as number),
        `units were done in phase ${phase} of the rotation: ${doneAt.join(" < ")}`,
      );
    }
    const { rows: units } = await db.query<{ status: string; n: number; retried: number }>(
      `SELECT status, count(*)::int AS n, count(*) FILTER (WHERE attempts > 1)::int AS retried
       FROM units GROUP BY status`,
    );
    assert.deepEqual(
      units.map(({ status }) => status),
      ["done"],
      "every unit done, none failed",
    );
    const { rows: nodes } = await db.query<{ enrolment: string }>("SELECT enrolment FROM nodes");
    assert.deepEqual(
      nodes.map((node) => node.enrolment),
      [secretEnrolment(currentSecret), secretEnrolment(currentSecret)],
      "both agents enrolled again, by themselves, with the new secret",
    );
    for (const [name, agent] of Object.entries(agents)) {
      const outbox = new ResultOutbox(agent.dataDir);
      assert.deepEqual(await outbox.pending(), [], `agent ${name}'s outbox is empty`);
      const deadLetters = existsSync(outbox.deadLetterFolder)
        ? readdirSync(outbox.deadLetterFolder)
        : [];
      assert.deepEqual(deadLetters, [], `agent ${name} dead-lettered nothing`);
    }
    report(
      `HIVE_SECRET rotation: rolling restart ${rolledSeconds.toFixed(1)} s, whole rotation ${rotationSeconds.toFixed(1)} s (token lifetime ${TOKEN_SECONDS} s); ${jobs.length} jobs, ${units[0]?.n} units done, ${units[0]?.retried} leased again, 0 failed, 0 dead letters`,
    );
  });

  it("refuses, with a clear message and no stack trace, an agent holding only the old secret", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "keyforge-rotation-stale-")), "agent");
    // Calibrated like agent one (same machine): it asks the hive at once.
    mkdirSync(dataDir);
    copyFileSync(join(agents.one.dataDir, CALIBRATION_FILE), join(dataDir, CALIBRATION_FILE));
    const stale = start(
      [
        "agent",
        ...["--hive", hiveUrl("b"), "--assets", assetsUrl, "--data-dir", dataDir],
        ...["--threads", "1", "--priority", "normal", "--grace", "1"],
      ],
      { HIVE_SECRET: oldSecret },
    );
    await stale.waitFor(/the hive refuses this HIVE_SECRET.*AUTH_INVALID/, 60_000);
    const { stderr } = await stale.stop("SIGTERM");
    assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");

    // A node token the old secret signed, as an agent that missed the rotation still holds.
    const { token } = issueNodeToken(
      { nodeId: agents.one.nodeId, enrolment: secretEnrolment(oldSecret) },
      oldSecret,
      3600,
    );
    for (const hive of ["a", "b"] as const) {
      const refused = await request(`${hiveUrl(hive)}/nodes/${agents.one.nodeId}/heartbeat`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ telemetry: { ips: 0, memoryMb: 1, units: [] } }),
      });
      assert.equal(refused.status, 401);
      assert.equal(JSON.parse(refused.text).code, "AUTH_INVALID");
    }
  });

  /** Milliseconds from the revocation on one hive until `refused` holds on the other. */
  async function refusalDelayMs(revoke: () => void, refused: () => Promise<boolean>) {
    revoke();
    const revokedAt = Date.now();
    await eventually("the other hive refuses", refused, 30_000);
    return Date.now() - revokedAt;
  }

  it("refuses a revoked API key on every hive at once", async () => {
    const key = operator(["admin", "key", "create", "--name", "revocable"], {
      printsCredential: true,
    });
    credentials.push(key);
    const mine = async (hive: "a" | "b") =>
      (
        await request(`${hiveUrl(hive)}/jobs?mine=true`, {
          headers: { authorization: `Bearer ${key}` },
        })
      ).status;
    assert.deepEqual([await mine("a"), await mine("b")], [200, 200]);
    const id = operator(["admin", "key", "list"])
      .split("\n")
      .find((line) => line.includes("revocable"))
      ?.split(/\s+/)[0];
    assert.ok(id, "the key is listed");
    const delay = await refusalDelayMs(
      () => operator(["admin", "key", "revoke", id]),
      async () => (await mine("b")) === 401,
    );
    assert.equal(await mine("a"), 401);
    report(
      `API key revocation: refused by the other hive ${delay} ms after \`admin key revoke\` returned`,
    );
  });

  it("refuses a revoked join token on every hive at once", async () => {
    const joinToken = operator(
      ["admin", "join-token", "create", "--uses", "5", "--name", "revocable"],
      { printsCredential: true },
    );
    credentials.push(joinToken);
    const register = async (hive: "a" | "b") => {
      const { publicKey, privateKey } = generateKeyPairSync("ed25519");
      const key = publicKey.export({ format: "jwk" }).x as string;
      return request(`${hiveUrl(hive)}/nodes/register`, {
        method: "POST",
        headers: { authorization: `Bearer ${joinToken}`, "content-type": "application/json" },
        body: JSON.stringify({
          publicKey: key,
          hardware: { cpuModel: "Drill CPU", cores: 2, arch: "x64" },
          calibratedIps: 100_000,
          threads: 1,
          proof: signRegistration(privateKey, key),
        }),
      });
    };
    assert.equal((await register("a")).status, 200);
    const id = operator(["admin", "join-token", "list"])
      .split("\n")
      .find((line) => line.includes("revocable"))
      ?.split(/\s+/)[0];
    assert.ok(id, "the join token is listed");
    const delay = await refusalDelayMs(
      () => operator(["admin", "join-token", "revoke", id]),
      async () => /JOIN_TOKEN_REVOKED/.test((await register("b")).text),
    );
    assert.match((await register("a")).text, /JOIN_TOKEN_REVOKED/);
    report(
      `join token revocation: refused by the other hive ${delay} ms after \`admin join-token revoke\` returned`,
    );
  });

  it("never shows a secret in a log line, an error body or /metrics", async () => {
    for (const hive of ["a", "b"] as const) {
      const metrics = await request(`${hiveUrl(hive)}/metrics`);
      assert.equal(metrics.status, 200);
    }
    const outputs: CliResult[] = await Promise.all(processes.map((cli) => cli.stop("SIGTERM")));
    for (const { stdout, stderr } of outputs) captured.push(stdout, stderr);
    const everything = captured.join("\n");
    assert.ok(everything.includes("agent: node"), "the agents' logs were captured");
    for (const [index, secret] of credentials.entries()) {
      assert.equal(everything.includes(secret), false, `credential #${index} appears`);
    }
  });
});
