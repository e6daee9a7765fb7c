import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { ApiKeyRepository } from "../../src/infra/db/api-key-repository.ts";
import { PostgresDatabase } from "../../src/infra/db/postgres-database.ts";
import { DeployedValkey } from "../helpers/deploy.ts";
import { freePort } from "../helpers/free-port.ts";
import { PrivatePostgres } from "../helpers/private-postgres.ts";
import { type RunningCli, startCli } from "../helpers/run-cli.ts";

/** 32 random bytes as 64 hex digits, as deploy/make-secrets.sh makes every password. */
const newPassword = () => randomBytes(32).toString("hex");

/** A figure the drill measured, for docs/operations/secrets.md. */
const report = (line: string) => console.log(`drill: ${line}`);

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A request that failed for a client of the stack, and when (ms since the drill's start). */
interface Failure {
  readonly at: number;
  readonly what: string;
}

/**
 * The store passwords of docs/operations/secrets.md, rotated on a running pair of hives while a
 * client keeps asking them for what needs PostgreSQL (its jobs) and Valkey (the cluster): the
 * hives' PostgreSQL role gets a new password (`ALTER ROLE`, on a cluster of the drill's own
 * with scram-sha-256 authentication), and the hives' Valkey ACL user a new one (added beside
 * the old, the old removed once no hive uses it); each time the hives are restarted one after
 * the other, reading the new URL from their secret file.
 */
describe("rotating the hives' PostgreSQL and Valkey passwords by rolling restarts", () => {
  const secretsDir = mkdtempSync(join(tmpdir(), "keyforge-store-rotation-secrets-"));
  const databaseUrlFile = join(secretsDir, "database-url");
  const valkeyUrlFile = join(secretsDir, "valkey-url-hive");
  const captured: string[] = [];
  const credentials: string[] = [];
  const processes: RunningCli[] = [];
  const hives: Record<"a" | "b", { port: number; cli: RunningCli }> = {} as never;
  const hiveUrl = (name: "a" | "b") => `http://127.0.0.1:${hives[name].port}`;
  const started = Date.now();
  let postgres: PrivatePostgres;
  let valkey: DeployedValkey;
  let apiKey: string;
  /** The hives' PostgreSQL and Valkey passwords now. */
  let databasePassword: string;
  let valkeyPassword: string;
  /** The database password the first drill replaced. */
  let retiredDatabasePassword: string;

  const databaseUrl = (password: string) =>
    `postgres://keyforge:${password}@127.0.0.1:${postgres.port}/keyforge`;

  /** The hive's Valkey URL with `password`. */
  function valkeyUrl(password: string): string {
    const url = new URL(valkey.urlOf("hive"));
    url.password = password;
    return url.toString();
  }

  async function asSuperuser(sql: string): Promise<void> {
    const client = new pg.Client(postgres.url());
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /** The operator's Valkey user runs `args`. */
  async function asValkeyAdmin(...args: string[]): Promise<unknown> {
    const admin = valkey.client("admin");
    await admin.connect();
    try {
      return await admin.call(args[0] as string, ...args.slice(1));
    } finally {
      admin.disconnect();
    }
  }

  async function startHive(name: "a" | "b"): Promise<void> {
    const cli = startCli(["hive", "--port", String(hives[name].port), "--log-format", "json"], {
      env: {
        DATABASE_URL_FILE: databaseUrlFile,
        KEYFORGE_VALKEY_URL_FILE: valkeyUrlFile,
        HIVE_SECRET: credentials[0] as string,
        KEYFORGE_LOG_LEVEL: "debug",
      },
    });
    processes.push(cli);
    hives[name].cli = cli;
    await cli.waitFor(/hive: listening on/, 60_000);
  }

  async function restartHives(): Promise<void> {
    for (const name of ["a", "b"] as const) {
      assert.equal((await hives[name].cli.stop("SIGTERM")).status, 0, `hive ${name} stopped`);
      await startHive(name);
    }
  }

  /**
   * A client behind the gateway's balancer: each request goes to one hive, or to the other if
   * that one refuses the connection (it is restarting). A 5xx, or no hive answering, is a
   * failed request.
   */
  function keepAsking(): { stop: () => Promise<{ requests: number; failures: Failure[] }> } {
    const failures: Failure[] = [];
    let requests = 0;
    let running = true;
    const paths = ["/jobs?mine=true", "/cluster"];
    const asking = (async () => {
      for (let turn = 0; running; turn++) {
        const path = paths[turn % paths.length] as string;
        const order = turn % 4 < 2 ? (["a", "b"] as const) : (["b", "a"] as const);
        requests++;
        let answered = false;
        for (const hive of order) {
          try {
            const response = await fetch(`${hiveUrl(hive)}${path}`, {
              headers: { authorization: `Bearer ${apiKey}` },
              signal: AbortSignal.timeout(10_000),
            });
            const body = await response.text();
            captured.push(body);
            if (response.status >= 500) {
              failures.push({
                at: Date.now() - started,
                what: `${response.status} ${path}: ${body}`,
              });
            }
            answered = true;
            break;
          } catch {
            // Refused: the balancer tries the other hive.
          }
        }
        if (!answered)
          failures.push({ at: Date.now() - started, what: `no hive answered ${path}` });
        await sleep(50);
      }
    })();
    return {
      async stop() {
        running = false;
        await asking;
        return { requests, failures };
      },
    };
  }

  before(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    postgres = await PrivatePostgres.start({ auth: "scram-sha-256" });
    valkey = await DeployedValkey.start();
    databasePassword = newPassword();
    valkeyPassword = new URL(valkey.urlOf("hive")).password;
    credentials.push(
      `hive-secret-${newPassword()}`,
      postgres.superuserPassword,
      valkey.secrets["valkey-admin-password"],
      databasePassword,
      valkeyPassword,
    );
    await asSuperuser(`CREATE ROLE keyforge LOGIN PASSWORD '${databasePassword}'`);
    await asSuperuser("CREATE DATABASE keyforge OWNER keyforge");
    writeFileSync(databaseUrlFile, `${databaseUrl(databasePassword)}\n`, { mode: 0o600 });
    writeFileSync(valkeyUrlFile, `${valkeyUrl(valkeyPassword)}\n`, { mode: 0o600 });
    hives.a = { port: portA, cli: undefined as never };
    hives.b = { port: portB, cli: undefined as never };
    await Promise.all([startHive("a"), startHive("b")]);
    const db = new PostgresDatabase(databaseUrl(databasePassword));
    try {
      apiKey = (await new ApiKeyRepository(db).createKey("drill", "user")).token;
    } finally {
      await db.close();
    }
    credentials.push(apiKey);
  });

  after(async () => {
    await Promise.all(processes.map((cli) => cli.stop("SIGKILL")));
    await valkey?.stop();
    await postgres?.stop();
  });

  it("moves the hives to a new PostgreSQL password, failing no request outside the window", async () => {
    const asking = keepAsking();
    await sleep(1000);
    retiredDatabasePassword = databasePassword;
    const oldUrl = databaseUrl(retiredDatabasePassword);
    const password = newPassword();
    credentials.push(password);
    // The file first, then the role: from ALTER ROLE on, a hive not yet restarted keeps the
    // connections it has, but cannot open new ones, until it is restarted.
    writeFileSync(databaseUrlFile, `${databaseUrl(password)}\n`);
    const altered = Date.now() - started;
    await asSuperuser(`ALTER ROLE keyforge PASSWORD '${password}'`);
    databasePassword = password;
    await restartHives();
    const windowMs = Date.now() - started - altered;
    await sleep(1000);
    const { requests, failures } = await asking.stop();
    const stale = new pg.Client(oldUrl);
    const refusal = await stale.connect().then(
      () => "accepted",
      (error: Error) => error.message,
    );
    await stale.end().catch(() => {});
    assert.match(refusal, /password authentication failed/, "the old password no longer logs in");
    const outside = failures.filter((f) => f.at < altered || f.at > altered + windowMs);
    assert.deepEqual(outside, [], "no request failed outside the window");
    report(
      `PostgreSQL password: window (ALTER ROLE to the last hive restarted) ${(windowMs / 1000).toFixed(1)} s; ${failures.length} of ${requests} requests failed in it${failures[0] ? ` (first: ${failures[0].what.slice(0, 120)})` : ""}`,
    );
  });

  it("stops a hive given the old database password with a message that quotes no password", async () => {
    const staleFile = join(secretsDir, "database-url-stale");
    writeFileSync(staleFile, `${databaseUrl(retiredDatabasePassword)}\n`, { mode: 0o600 });
    const stale = startCli(["hive", "--port", "0", "--log-format", "json"], {
      env: { DATABASE_URL_FILE: staleFile, KEYFORGE_VALKEY_URL_FILE: valkeyUrlFile },
    });
    processes.push(stale);
    const outcome = await Promise.race([stale.exited(), sleep(60_000, null)]);
    assert.ok(outcome, "the hive stopped");
    assert.equal(outcome.status, 1);
    assert.match(outcome.stderr, /password authentication failed/);
    assert.doesNotMatch(outcome.stderr, /\n\s+at /, "no stack trace");
  });

  it("moves the hives to a new Valkey password without a failed request", async () => {
    const asking = keepAsking();
    await sleep(1000);
    const oldPassword = valkeyPassword;
    const password = newPassword();
    credentials.push(password);
    // Valkey users may have several passwords: the new one is added, the hives move to it one
    // by one, and the old one is removed once no hive uses it.
    await asValkeyAdmin("ACL", "SETUSER", "keyforge-hive", `#${sha256(password)}`);
    writeFileSync(valkeyUrlFile, `${valkeyUrl(password)}\n`);
    await restartHives();
    valkeyPassword = password;
    await asValkeyAdmin("ACL", "SETUSER", "keyforge-hive", `!${sha256(oldPassword)}`);
    await sleep(1000);
    const { requests, failures } = await asking.stop();
    assert.deepEqual(failures, [], "no request failed");

    const stale = valkey.client("nobody");
    await stale.connect();
    const refusal = await stale
      .call("AUTH", "keyforge-hive", oldPassword)
      .then(() => "accepted")
      .catch((error: Error) => error.message);
    stale.disconnect();
    assert.match(refusal, /WRONGPASS/, "the old password no longer logs in");
    report(`Valkey password: 0 of ${requests} requests failed during the rolling restart`);
  });

  it("never shows a password in a log line, an error body or /metrics", async () => {
    for (const hive of ["a", "b"] as const) {
      const metrics = await fetch(`${hiveUrl(hive)}/metrics`);
      captured.push(await metrics.text());
    }
    const outputs = await Promise.all(processes.map((cli) => cli.stop("SIGTERM")));
    for (const { stdout, stderr } of outputs) captured.push(stdout, stderr);
    captured.push(postgres.log());
    const everything = captured.join("\n");
    assert.match(everything, /hive: listening on/, "the hives' logs were captured");
    for (const [index, secret] of credentials.entries()) {
      assert.ok(secret.length >= 16, `credential #${index} is a real one`);
      assert.equal(everything.includes(secret), false, `credential #${index} appears`);
    }
  });
});
