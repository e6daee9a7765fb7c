import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { delimiter, join } from "node:path";
import pg from "pg";
import { freePort } from "./free-port.ts";

/** The newest PostgreSQL server installed (Debian: /usr/lib/postgresql/<major>/bin). */
function serverBinaries(): string {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) {
    throw new Error(
      "no PostgreSQL server under /usr/lib/postgresql (initdb): install Debian's postgresql package, as .ci/run does",
    );
  }
  return join(root, majors[0] as string, "bin");
}

/** How clients on loopback TCP prove who they are (pg_hba.conf's method). */
export type AuthMethod = "trust" | "scram-sha-256";

/**
 * A PostgreSQL cluster of the test's own: a fresh `initdb` in a temporary folder, its server on a
 * free loopback port, so the machine's shared server is untouched and a test may change roles,
 * passwords or drop everything. PostgreSQL refuses to run as root, so under root (CI) the
 * cluster belongs to, and runs as, the `postgres` OS user. Clients connect as the `postgres`
 * role: by trust, or with its password when the cluster wants one.
 */
export class PrivatePostgres {
  readonly dir: string;
  readonly port: number;
  /** The `postgres` role's password ("" with trust). */
  readonly superuserPassword: string;
  /** The server's binaries (initdb, pg_ctl, pg_dump, psql ...): put in front of PATH for scripts. */
  readonly bin: string;
  private readonly killOnExit = () => this.stopSync("immediate");

  private constructor(dir: string, port: number, bin: string, superuserPassword: string) {
    this.dir = dir;
    this.port = port;
    this.bin = bin;
    this.superuserPassword = superuserPassword;
  }

  static async start(options: { auth?: AuthMethod } = {}): Promise<PrivatePostgres> {
    const auth = options.auth ?? "trust";
    const bin = serverBinaries();
    const dir = mkdtempSync(join(tmpdir(), "keyforge-private-postgres-"));
    const owner = userInfo().uid === 0 ? osUser("postgres") : null;
    const password = auth === "trust" ? "" : randomBytes(16).toString("hex");
    const passwordFile = join(dir, "superuser-password");
    writeFileSync(passwordFile, `${password || "unused"}\n`, { mode: 0o600 });
    if (owner) {
      chownSync(dir, owner.uid, owner.gid);
      chownSync(passwordFile, owner.uid, owner.gid);
    }
    const cluster = new PrivatePostgres(dir, await freePort(), bin, password);
    cluster.asOwner("initdb", [
      ...["-D", join(dir, "data"), "-U", "postgres", "--pwfile", passwordFile],
      ...["--auth-local", "trust", "--auth-host", auth],
      ...["--no-sync", "--encoding", "UTF8", "--locale", "C"],
    ]);
    rmSync(passwordFile);
    cluster.asOwner("pg_ctl", [
      ...["-D", join(dir, "data"), "-l", join(dir, "server.log"), "-w", "-t", "60"],
      ...["-o", `-p ${cluster.port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"],
    ]);
    // Not left running if this test process dies before its `after` hooks run.
    process.once("exit", cluster.killOnExit);
    return cluster;
  }

  /** The URL of `database` on this server, as the `postgres` role. */
  url(database = "postgres"): string {
    const password = this.superuserPassword ? `:${this.superuserPassword}` : "";
    return `postgres://postgres${password}@127.0.0.1:${this.port}/${database}`;
  }

  /** The server's log so far (start-up, refused logins). */
  log(): string {
    const file = join(this.dir, "server.log");
    return existsSync(file) ? readFileSync(file, "utf8") : "";
  }

  /** A PATH with this server's binaries first, so pg_dump and psql match its version. */
  get path(): string {
    return `${this.bin}${delimiter}${process.env.PATH ?? ""}`;
  }

  /** Runs one statement on `database` (the maintenance database by default). */
  async sql(statement: string, database = "postgres"): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return await client.query(statement);
    } finally {
      await client.end();
    }
  }

  /** Stops the server and removes the cluster. */
  async stop(): Promise<void> {
    process.off("exit", this.killOnExit);
    this.stopSync("fast");
    rmSync(this.dir, { recursive: true, force: true });
  }

  private stopSync(mode: "fast" | "immediate"): void {
    const pidFile = join(this.dir, "data", "postmaster.pid");
    if (!existsSync(pidFile)) return;
    spawnSync(
      ...this.ownerCommand("pg_ctl", ["-D", join(this.dir, "data"), "-m", mode, "-w", "stop"]),
      {
        stdio: "ignore",
      },
    );
  }

  /** Runs a server binary as the cluster's owner (postgres under root), failing with its output. */
  private asOwner(tool: string, args: string[]): void {
    const [command, argv] = this.ownerCommand(tool, args);
    try {
      execFileSync(command, argv, { stdio: "pipe", cwd: this.dir });
    } catch (error) {
      const failed = error as { stderr?: Buffer; stdout?: Buffer };
      throw new Error(`${tool} failed: ${failed.stdout ?? ""}${failed.stderr ?? ""}`);
    }
  }

  private ownerCommand(tool: string, args: string[]): [string, string[]] {
    const path = join(this.bin, tool);
    return userInfo().uid === 0
      ? ["runuser", ["-u", "postgres", "--", path, ...args]]
      : [path, args];
  }
}

/** The uid and gid of an OS user, by name. */
function osUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) =>
    Number(execFileSync("id", [flag, name], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error(
      `running as root, the test's PostgreSQL must run as the OS user ${name}, which does not exist (Debian's postgresql package creates it)`,
    );
  }
}
