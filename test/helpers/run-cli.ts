import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
/** Resolved here, so the CLI also runs from folders without node_modules. */
const TSX = import.meta.resolve("tsx");

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `keyforge <args>` from source in a child process, as a user would from a shell, with
 * `env` added to the environment. It blocks this process until the CLI exits: a server the CLI
 * talks to must run in another process (use startCli for one in this process).
 */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: Readonly<Record<string, string>> } = {},
): CliResult {
  const result = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input ?? "",
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A failure the user caused: exit code 1, a message that matches, and no stack trace. */
export function assertCleanFailure(result: CliResult, message: RegExp): void {
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
}

/**
 * Starts `keyforge <args>`, sends it SIGINT once its standard error has shown `ready`, and
 * resolves when it exits, as a user pressing Ctrl-C would.
 */
export function interruptCli(args: readonly string[], ready: RegExp): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, MAIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    let interrupted = false;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!interrupted && ready.test(stderr)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

export interface RunningCli {
  /** Resolves with the match once standard error matches `pattern`; fails if the CLI exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves with the outcome when the CLI has exited. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
  /** Resolves with the outcome when the CLI exits by itself. */
  exited(): Promise<CliResult>;
}

/**
 * Starts `keyforge <args>` (a server or daemon) and leaves it running until stopped; `main` runs
 * another copy of the CLI's source than this checkout's.
 */
export function startCli(
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; main?: string } = {},
): RunningCli {
  return watched(
    spawn(process.execPath, ["--import", TSX, options.main ?? MAIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
    }),
  );
}

/**
 * Starts the compiled CLI of a runtime tree (deploy/runtime-tree.sh) as its image would: its
 * own `dist/cli/main.js` and `node_modules`, run from inside the tree with only `env` (and the
 * PATH to this Node.js), so nothing of the checkout, the test's environment or the user's home
 * can stand in for something the tree lacks.
 */
export function startTreeCli(
  tree: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): RunningCli {
  return watched(
    spawn(process.execPath, [join(tree, "dist", "cli", "main.js"), ...args], {
      cwd: tree,
      env: { PATH: dirname(process.execPath), NO_COLOR: "1", ...env },
    }),
  );
}

/**
 * A PATH with a `keyforge` command in front that runs `main` (this checkout's CLI unless
 * another is named) from source, for command lines as a user types them.
 */
export function pathWithKeyforge(main: string = MAIN): string {
  const bin = mkdtempSync(join(tmpdir(), "keyforge-bin-"));
  const command = join(bin, "keyforge");
  writeFileSync(
    command,
    `#!/bin/sh\nexec "${process.execPath}" --import "${TSX}" "${main}" "$@"\n`,
  );
  chmodSync(command, 0o755);
  return `${bin}${delimiter}${process.env.PATH ?? ""}`;
}

/**
 * Starts a command line as a user would type it into bash (`keyforge` on the PATH) and leaves
 * it running. bash runs a lone command in its own place, so signals reach the command itself.
 */
export function startShellLine(
  line: string,
  options: { env?: Readonly<Record<string, string>>; cwd?: string } = {},
): RunningCli {
  return watched(
    spawn("bash", ["-c", line], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1", PATH: pathWithKeyforge(), ...options.env },
    }),
  );
}

/** Follows a started process's output until it exits. */
function watched(child: ChildProcessWithoutNullStreams): RunningCli {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<CliResult>((resolve) =>
    child.on("close", (status) => resolve({ status, stdout, stderr })),
  );
  return {
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = stderr.match(pattern);
          if (!match) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} on standard error within ${timeoutMs} ms:\n${stderr}`));
        }, timeoutMs);
        const onExit = () => {
          done();
          reject(new Error(`keyforge exited before ${pattern}:\n${stderr}`));
        };
        const done = () => {
          clearTimeout(timer);
          child.stderr.off("data", check);
          child.off("close", onExit);
        };
        child.stderr.on("data", check);
        child.once("close", onExit);
        check();
      });
    },
    stop(signal = "SIGINT") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    exited: () => exited,
  };
}

/** Stops every process with SIGTERM, and with SIGKILL one still running after `graceMs`. */
export async function stopAll(processes: readonly RunningCli[], graceMs = 10_000): Promise<void> {
  await Promise.all(
    processes.map(async (cli) => {
      const stopped = await Promise.race([cli.stop("SIGTERM"), sleep(graceMs, null)]);
      if (stopped === null) await cli.stop("SIGKILL");
    }),
  );
}
