import { chmod, rm } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { join, resolve } from "node:path";
import { KeyForgeError } from "../core/errors.ts";

/**
 * How `keyforge backup` reaches the `keyforge up` that has the data dir's database open: a
 * Unix socket in the data dir, owner-only. Whoever may connect to it may read the data dir
 * anyway; nothing goes over the network and no key is needed. A connection asks for one
 * snapshot; the answer is a line, `ok` or `error: <message>`, then the backup's bytes.
 */
export function backupSocketPath(dir: string): string {
  return join(resolve(dir), "up.sock");
}

const OK = "ok\n";

/**
 * Longest socket path the systems take (macOS 104 bytes with the final NUL, Linux 108). Node
 * cuts a longer one short without a word, and the socket would appear in another folder.
 */
const MAX_SOCKET_PATH_BYTES = 103;

/**
 * Why no socket can be at `path`, or null. Windows has no Unix sockets in Node, and its named
 * pipes are open to every local user: there, `up` is stopped for a backup.
 */
function unusable(path: string): string | null {
  if (process.platform === "win32") return "Windows has no owner-only socket for it";
  if (Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES) return null;
  return `the socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes (a data dir with a shorter path avoids this)`;
}

/**
 * Answers snapshot requests on the data dir's socket until the function returned is called.
 * The caller holds the data dir's lock, so a socket file left there is a dead process's.
 */
export async function serveSnapshots(
  dir: string,
  snapshot: () => Promise<Uint8Array>,
  log: (line: string) => void,
): Promise<() => Promise<void>> {
  const path = backupSocketPath(dir);
  const why = unusable(path);
  if (why !== null) throw new Error(why);
  await rm(path, { force: true });
  const server = createServer((socket) => {
    socket.on("error", () => {});
    snapshot().then(
      (bytes) => {
        socket.write(OK);
        socket.end(bytes);
      },
      (error: Error) => {
        log(`keyforge up: backup failed: ${error.message}`);
        socket.end(`error: ${error.message.replace(/\n/g, " ")}\n`);
      },
    );
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(path, () => {
      server.off("error", fail);
      done();
    });
  });
  await chmod(path, 0o600);
  return () => new Promise<void>((done) => server.close(() => done()));
}

/** What a connection to a socket no process listens on fails with. */
const NO_LISTENER = new Set(["ENOENT", "ECONNREFUSED"]);

/**
 * A snapshot from the `keyforge up` running on `dir`, or null when none runs there. A
 * snapshot that fails is BACKUP_FAILED with up's reason.
 */
export async function snapshotFromRunningUp(dir: string): Promise<Uint8Array | null> {
  const path = backupSocketPath(dir);
  // No `up` can listen there: it said so when it started.
  if (unusable(path) !== null) return null;
  const answer = await new Promise<Buffer | null>((done, fail) => {
    const chunks: Buffer[] = [];
    const socket = connect(path);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => done(Buffer.concat(chunks)));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (NO_LISTENER.has(error.code ?? "")) done(null);
      else
        fail(
          new KeyForgeError(
            "BACKUP_FAILED",
            `cannot reach keyforge up on ${path}: ${error.message}`,
          ),
        );
    });
  });
  if (answer === null) return null;
  if (answer.subarray(0, OK.length).toString() === OK) return answer.subarray(OK.length);
  const reason = answer
    .toString("utf8")
    .split("\n")[0]
    ?.replace(/^error: /, "");
  throw new KeyForgeError(
    "BACKUP_FAILED",
    `keyforge up could not take the backup: ${reason || "it closed the connection"}`,
  );
}
