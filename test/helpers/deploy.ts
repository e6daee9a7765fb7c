import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Valkey } from "iovalkey";
import { KEY_PREFIX } from "../../src/infra/coord/coordinator.ts";
import { eventually } from "./eventually.ts";
import { freePort } from "./free-port.ts";

/** The production stack's folder: compose.yaml, make-secrets.sh, valkey/. */
export const DEPLOY_DIR = fileURLToPath(new URL("../../deploy/", import.meta.url));

/** Every file deploy/make-secrets.sh writes. */
export const SECRET_FILES = [
  "hive-secret",
  "hive-secret-previous",
  "postgres-password",
  "database-url",
  "valkey-url-hive",
  "valkey-url-assets",
  "valkey-url-assetmgr",
  "valkey-admin-password",
] as const;

export type SecretName = (typeof SECRET_FILES)[number];

/** The KeyForge services with a Valkey user of their own. */
export type ValkeyService = "hive" | "assets" | "assetmgr";

/** Runs deploy/make-secrets.sh with `sh` (POSIX only), writing into `dir`. */
export function makeSecrets(dir: string): {
  status: number | null;
  stdout: string;
  stderr: string;
} {
  const result = spawnSync("sh", [join(DEPLOY_DIR, "make-secrets.sh"), dir], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The secret files of `dir`, each without its final newline (as the services read them). */
export function readSecrets(dir: string): Record<SecretName, string> {
  return Object.fromEntries(
    SECRET_FILES.map((name) => [name, readFileSync(join(dir, name), "utf8").replace(/\n$/, "")]),
  ) as Record<SecretName, string>;
}

/**
 * Valkey as the production stack starts it: deploy/valkey/start.sh builds the ACL file from
 * secret files made by deploy/make-secrets.sh, then becomes the server. Here the server is
 * this machine's redis-server (VALKEY_SERVER), on a free loopback port, in a throw-away folder.
 */
export class DeployedValkey {
  readonly dir: string;
  readonly secretsDir: string;
  readonly aclFile: string;
  readonly port: number;
  readonly secrets: Record<SecretName, string>;
  private readonly server: ChildProcess;
  private output = "";
  private readonly killOnExit = () => this.server.kill("SIGKILL");

  private constructor(dir: string, port: number, prefix: string) {
    this.dir = dir;
    this.secretsDir = join(dir, "secrets");
    this.aclFile = join(dir, "users.acl");
    this.port = port;
    const made = makeSecrets(this.secretsDir);
    if (made.status !== 0) throw new Error(`make-secrets.sh failed: ${made.stderr}`);
    this.secrets = readSecrets(this.secretsDir);
    this.server = spawn(
      "sh",
      [join(DEPLOY_DIR, "valkey", "start.sh"), "--port", String(port), "--bind", "127.0.0.1"],
      {
        env: {
          ...process.env,
          VALKEY_SERVER: process.env.KEYFORGE_TEST_REDIS_SERVER ?? "redis-server",
          KEYFORGE_SECRETS_DIR: this.secretsDir,
          KEYFORGE_VALKEY_PREFIX: prefix,
          VALKEY_ACL_FILE: this.aclFile,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    this.server.stdout?.on("data", keep);
    this.server.stderr?.on("data", keep);
    // Not left behind if this test process dies before its `after` hooks run.
    process.once("exit", this.killOnExit);
  }

  /** Starts the server and resolves once the stack's healthcheck (deploy/valkey/healthcheck.sh) passes. */
  static async start(options: { prefix?: string } = {}): Promise<DeployedValkey> {
    const dir = mkdtempSync(join(tmpdir(), "keyforge-deployed-valkey-"));
    const valkey = new DeployedValkey(dir, await freePort(), options.prefix ?? KEY_PREFIX);
    try {
      await eventually(
        "the deployed Valkey's healthcheck to pass",
        async () => {
          if (valkey.server.exitCode !== null) {
            throw new Error(`start.sh exited (${valkey.server.exitCode}): ${valkey.output}`);
          }
          return (await valkey.healthcheck()).ok;
        },
        15_000,
      );
    } catch (error) {
      await valkey.stop();
      throw error;
    }
    return valkey;
  }

  /** Runs deploy/valkey/healthcheck.sh against this server, with redis-cli as VALKEY_CLI. */
  async healthcheck(): Promise<{ ok: boolean; output: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        "sh",
        [join(DEPLOY_DIR, "valkey", "healthcheck.sh")],
        {
          env: {
            ...process.env,
            VALKEY_CLI: process.env.KEYFORGE_TEST_REDIS_CLI ?? "redis-cli",
            VALKEY_PORT: String(this.port),
            KEYFORGE_SECRETS_DIR: this.secretsDir,
          },
        },
      );
      return { ok: true, output: stdout + stderr };
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      return { ok: false, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
    }
  }

  /** The service's Valkey URL from its secret file, pointed at this server instead of valkey:6379. */
  urlOf(service: ValkeyService): string {
    const url = new URL(this.secrets[`valkey-url-${service}`]);
    url.hostname = "127.0.0.1";
    url.port = String(this.port);
    return url.toString();
  }

  /** A plain client: as `service`'s user, as the operator's (`admin`), or with no user at all. */
  client(as: ValkeyService | "admin" | "nobody"): Valkey {
    const options = { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null };
    const valkey =
      as === "admin"
        ? new Valkey({
            ...options,
            host: "127.0.0.1",
            port: this.port,
            username: "keyforge-admin",
            password: this.secrets["valkey-admin-password"],
          })
        : as === "nobody"
          ? // Without a user the ready check (INFO) is refused: no check, so commands can be tried.
            new Valkey({ ...options, host: "127.0.0.1", port: this.port, enableReadyCheck: false })
          : new Valkey(this.urlOf(as), options);
    valkey.on("error", () => {});
    return valkey;
  }

  /** The server's ACL LOG (refused commands, keys, channels and logins), newest first. */
  async refusals(): Promise<Record<string, string>[]> {
    const admin = this.client("admin");
    try {
      await admin.connect();
      // Every entry kept (the server keeps acllog-max-len of them; ACL LOG alone shows 10).
      const entries = (await admin.call("ACL", "LOG", "1000")) as unknown[][];
      return entries.map((fields) => {
        const entry: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) {
          entry[String(fields[i])] = String(fields[i + 1]);
        }
        return entry;
      });
    } finally {
      admin.disconnect();
    }
  }

  /** Stops the server and removes its folder (secrets, ACL file). */
  async stop(): Promise<void> {
    process.off("exit", this.killOnExit);
    if (this.server.exitCode === null && this.server.signalCode === null) {
      const exited = new Promise((resolve) => this.server.once("exit", resolve));
      this.server.kill("SIGKILL");
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
