import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Debian's httpd binary (package apache2), which runs the gateway's configuration in tests. */
export const APACHE_BINARY = "/usr/sbin/apache2";
/** Debian's directory of httpd modules. */
export const APACHE_MODULES = "/usr/lib/apache2/modules";

/** Fails, saying what to install, when Debian's httpd is missing (the test must not skip). */
export function requireApache(): void {
  if (!existsSync(APACHE_BINARY)) {
    throw new Error(
      `${APACHE_BINARY} is missing: the gateway test runs the gateway's configuration under Debian's httpd; install it with \`apt-get install apache2\``,
    );
  }
}

/** A throw-away CA and a certificate it signed for `names`, as PEM files in `dir`. */
export interface TestCertificates {
  /** The CA's certificate: what clients trust. */
  readonly ca: Buffer;
  /** The server's certificate followed by the CA's (the chain the server sends). */
  readonly chainFile: string;
  readonly keyFile: string;
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** Makes a CA and a server certificate for `names` (its subject alternative names) with openssl. */
export function makeTestCertificates(dir: string, names: readonly string[]): TestCertificates {
  const file = (name: string) => join(dir, name);
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  const caName = ["-subj", "/CN=KeyForge test CA", "-days", "2"];
  openssl([
    "req",
    "-x509",
    ...newKey,
    ...caName,
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  ]);
  const request = ["-subj", `/CN=${names[0]}`];
  openssl(["req", ...newKey, ...request, "-keyout", file("server.key"), "-out", file("csr.pem")]);
  writeFileSync(
    file("server.ext"),
    [
      `subjectAltName=${names.map((name) => `DNS:${name}`).join(",")}`,
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
    ].join("\n"),
  );
  const signing = ["-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial"];
  const extensions = ["-extfile", file("server.ext"), "-days", "2"];
  openssl([
    "x509",
    "-req",
    ...signing,
    ...extensions,
    "-in",
    file("csr.pem"),
    "-out",
    file("server.pem"),
  ]);
  const caPem = readFileSync(file("ca.pem"));
  writeFileSync(file("chain.pem"), Buffer.concat([readFileSync(file("server.pem")), caPem]));
  return { ca: caPem, chainFile: file("chain.pem"), keyFile: file("server.key") };
}

/** An httpd started by startApache: its logs, and stop. */
export interface RunningApache {
  readonly pid: number;
  /** What `apache2 -t` printed on the configuration (it ends with "Syntax OK"). */
  readonly syntaxCheck: string;
  /** The error log so far (and what httpd wrote to its standard error). */
  errorLog(): string;
  accessLog(): string;
  /** Stops httpd and every process it started; resolves once none is left. */
  stop(): Promise<void>;
}

/**
 * Checks `configFile` with `apache2 -t`, then runs httpd on it in the foreground with `env` (the
 * configuration's variables), in a process group of its own so that stop() ends its children
 * too. Fails, with the error log, when the check fails or httpd exits while starting.
 * `env` must send the error and access logs to `errorLogFile` and `accessLogFile`.
 */
export async function startApache(options: {
  configFile: string;
  env: Record<string, string>;
  errorLogFile: string;
  accessLogFile: string;
  /** Resolves once httpd answers (a probe request). */
  ready: () => Promise<boolean>;
}): Promise<RunningApache> {
  requireApache();
  const env = { ...process.env, ...options.env };
  const args = ["-f", options.configFile];
  const check = spawnSync(APACHE_BINARY, ["-t", ...args], { env, encoding: "utf8" });
  if (check.status !== 0 || !`${check.stdout}${check.stderr}`.includes("Syntax OK")) {
    throw new Error(`apache2 -t failed (${check.status}):\n${check.stdout}${check.stderr}`);
  }
  const output = openSync(`${options.errorLogFile}.stderr`, "w");
  const child: ChildProcess = spawn(APACHE_BINARY, [...args, "-DFOREGROUND"], {
    env,
    detached: true,
    stdio: ["ignore", output, output],
  });
  closeSync(output);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  child.once("exit", () => {
    running = false;
  });
  const read = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : "");
  const errorLog = () =>
    `${read(options.errorLogFile)}${read(`${options.errorLogFile}.stderr`)}`.trim();
  const pid = child.pid as number;
  /** Whether any process of the group is left. */
  const groupAlive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  /** SIGTERM (httpd's immediate stop), then SIGKILL for whatever is left after 5 s. */
  const stop = async () => {
    signalGroup("SIGTERM");
    const deadline = Date.now() + 5000;
    while (groupAlive() && Date.now() < deadline) await sleep(50);
    signalGroup("SIGKILL");
    while (groupAlive()) await sleep(50);
    if (running) await exited;
  };
  const apache: RunningApache = {
    pid,
    syntaxCheck: `${check.stdout}${check.stderr}`,
    errorLog,
    accessLog: () => read(options.accessLogFile),
    stop,
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (!running) throw new Error(`httpd exited while starting:\n${errorLog()}`);
    if (await options.ready().catch(() => false)) return apache;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`httpd did not answer within 20 s:\n${errorLog()}`);
    }
    await sleep(50);
  }
}
