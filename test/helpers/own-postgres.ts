import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** How clients prove who they are to the cluster (pg_hba.conf's method for loopback TCP). */
export type AuthMethod = "trust" | "password" | "scram-sha-256";

export interface OwnPostgres {
  /** The superuser's URL (user postgres, with its password unless trust), database postgres. */
  readonly url: string;
  readonly port: number;
  /** The superuser's password ("" with trust). */
  readonly superuserPassword: string;
  /** The server's log so far (startup, refused logins). */
  log(): Promise<string>;
  /** Stops the server (fast shutdown) and removes the cluster's folder. */
  stop(): Promise<void>;
}

/** The newest PostgreSQL installed the Debian way (/usr/lib/postgresql/<major>/bin). */
function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors[0] === undefined) throw new Error(`no PostgreSQL server under ${root}`);
  return join(root, majors[0], "bin");
}

/**
 * PostgreSQL refuses to run as root (CI runs as root): then the cluster belongs to, and its
 * programs run as, the `postgres` OS user.
 */
function asServerUser(program: string, args: readonly string[]) {
  const runsAsRoot = process.getuid?.() === 0;
  return runsAsRoot
    ? run("runuser", ["-u", "postgres", "--", program, ...args])
    : run(program, [...args]);
}

/** The uid of OS user `user` (postgres), from /etc/passwd. */
function uidOf(user: string): number {
  const entry = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((line) => line.startsWith(`${user}:`));
  if (!entry) throw new Error(`no OS user ${user}: PostgreSQL will not run as root`);
  return Number(entry.split(":")[2]);
}

/** Hands `path` to the server's OS user when the test runs as root. */
function ownedByServerUser(path: string): void {
  if (process.getuid?.() === 0) chownSync(path, uidOf("postgres"), -1);
}

/**
 * A throw-away PostgreSQL cluster of the test's own: `initdb` into `dir` (made if missing;
 * must not hold a cluster yet), listening on 127.0.0.1:`port` only, clients authenticated by
 * `auth`, the superuser `postgres` with a random password. The machine's shared server is
 * untouched, so a test may change roles, passwords, pg_hba.conf, or drop everything. When
 * the test runs as root, `dir` is handed to the `postgres` OS user, which must be able to
 * reach it: make it directly under os.tmpdir(), not inside a mkdtemp folder (mode 0700).
 */
export async function startOwnPostgres(options: {
  dir: string;
  port: number;
  auth: AuthMethod;
}): Promise<OwnPostgres> {
  const { dir, port, auth } = options;
  const bin = postgresBin();
  const data = join(dir, "data");
  const logFile = join(dir, "server.log");
  mkdirSync(dir, { recursive: true });
  ownedByServerUser(dir);
  const superuserPassword = auth === "trust" ? "" : randomBytes(16).toString("hex");
  const pwfile = join(dir, "superuser-password");
  writeFileSync(pwfile, `${superuserPassword || "unused"}\n`, { mode: 0o600 });
  ownedByServerUser(pwfile);
  await asServerUser(join(bin, "initdb"), [
    ...["-D", data, "-U", "postgres", "--pwfile", pwfile],
    ...["--auth-local", "trust", "--auth-host", auth, "--no-sync", "-E", "UTF8"],
  ]);
  rmSync(pwfile);
  const settings = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c fsync=off",
    "-c log_connections=off",
  ].join(" ");
  await asServerUser(join(bin, "pg_ctl"), [
    "-D",
    data,
    "-l",
    logFile,
    "-o",
    settings,
    "-w",
    "start",
  ]);
  const credentials = superuserPassword ? `postgres:${superuserPassword}@` : "postgres@";
  return {
    url: `postgres://${credentials}127.0.0.1:${port}/postgres`,
    port,
    superuserPassword,
    log: async () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    async stop() {
      await asServerUser(join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]).catch(
        () => {},
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
