import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { type AddressInfo, createServer } from "node:net";
import { Valkey } from "iovalkey";
import { ValkeyCoordinator } from "../../src/infra/coord/valkey-coordinator.ts";
import { eventually } from "./eventually.ts";

/** The Redis-protocol server of the integration tests (started by .ci/run when down). */
export const TEST_VALKEY_URL = process.env.KEYFORGE_TEST_VALKEY_URL ?? "redis://127.0.0.1:6379";

/**
 * A world of its own on the shared test server: every key under a prefix no other test uses,
 * so test files running side by side never see (or delete) each other's manifest and blobs.
 */
export class IsolatedValkey {
  readonly prefix = `keyforge:test:${randomUUID()}:`;
  private readonly opened: ValkeyCoordinator[] = [];

  /** A new client on this world, as another process would open it. */
  coordinator(): ValkeyCoordinator {
    const coordinator = new ValkeyCoordinator(TEST_VALKEY_URL, { keyPrefix: this.prefix });
    this.opened.push(coordinator);
    return coordinator;
  }

  /** Deletes the keys matching `pattern` under the prefix: "*" is a restart with no persistence. */
  async wipe(pattern = "*"): Promise<number> {
    const valkey = new Valkey(TEST_VALKEY_URL);
    try {
      let deleted = 0;
      let cursor = "0";
      do {
        const [next, found] = await valkey.scan(
          cursor,
          "MATCH",
          `${this.prefix}${pattern}`,
          "COUNT",
          1000,
        );
        cursor = next;
        if (found.length > 0) deleted += await valkey.del(...found);
      } while (cursor !== "0");
      return deleted;
    } finally {
      valkey.disconnect();
    }
  }

  /** Closes every client and removes every key of this world. */
  async close(): Promise<void> {
    for (const coordinator of this.opened.splice(0)) await coordinator.close();
    await this.wipe();
  }
}

/**
 * A Redis server of the test's own on a free loopback port, without persistence, so a test can
 * stop it and start it again empty (a restart after a crash) without touching the shared one.
 */
export class PrivateRedis {
  readonly port: number;
  private process: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<PrivateRedis> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const redis = new PrivateRedis(port);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again, empty) and resolves once it answers. */
  async restart(): Promise<void> {
    await this.stop();
    this.process = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    await eventually("the private Redis to answer", async () => {
      const client = new Valkey(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      client.on("error", () => {});
      try {
        await client.connect();
        return (await client.ping()) === "PONG";
      } catch {
        return false;
      } finally {
        client.disconnect();
      }
    });
  }

  /** Kills the server at once, as a crash would. */
  async stop(): Promise<void> {
    const running = this.process;
    this.process = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  }
}
