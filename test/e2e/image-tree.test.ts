import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freshPostgres, TEST_DATABASE_URL } from "../helpers/databases.ts";
import { freePort } from "../helpers/free-port.ts";
import {
  assertCleanFailure,
  REPO_ROOT,
  type RunningCli,
  startTreeCli,
} from "../helpers/run-cli.ts";
import { IsolatedValkey, TEST_VALKEY_URL } from "../helpers/valkey.ts";

/**
 * The image's runtime stage holds what deploy/runtime-tree.sh builds and nothing else. Built
 * here by the same script, the tree alone (its own node_modules, run from inside it, with a
 * home of its own and no variable of this process) runs every service on PostgreSQL and Redis
 * through a small job: that proves the image is complete, without a container engine.
 */
describe("the image's runtime tree", () => {
  const root = mkdtempSync(join(tmpdir(), "keyforge-image-"));
  const tree = join(root, "app");
  const running: RunningCli[] = [];
  let store: Awaited<ReturnType<typeof freshPostgres>>;
  let valkey: IsolatedValkey;
  let env: Record<string, string>;

  before(async () => {
    const built = spawnSync("sh", [join(REPO_ROOT, "deploy", "runtime-tree.sh"), tree], {
      encoding: "utf8",
    });
    assert.equal(built.status, 0, `${built.stdout}${built.stderr}`);
    store = await freshPostgres({ migrated: false });
    valkey = new IsolatedValkey();
    env = {
      HOME: mkdtempSync(join(root, "home-")),
      DATABASE_URL: TEST_DATABASE_URL,
      KEYFORGE_DATABASE_SCHEMA: store.db.schema,
      KEYFORGE_VALKEY_URL: TEST_VALKEY_URL,
      KEYFORGE_VALKEY_PREFIX: valkey.prefix,
      HIVE_SECRET: "image-tree-test-secret",
      KEYFORGE_LOG_FORMAT: "json",
    };
  });
  after(async () => {
    await Promise.all(running.map((process) => process.stop("SIGTERM")));
    await valkey?.close();
    await store?.drop();
  });

  /** Starts `keyforge <args>` from the tree, stopped at the end whatever happens. */
  function start(args: string[], extra: Record<string, string> = {}): RunningCli {
    const process = startTreeCli(tree, args, { ...env, ...extra });
    running.push(process);
    return process;
  }
  const run = (args: string[], extra: Record<string, string> = {}) =>
    startTreeCli(tree, args, { ...env, ...extra }).exited();

  it("holds the compiled CLI, the assets, the migrations and production dependencies only", () => {
    assert.deepEqual(readdirSync(tree).sort(), [
      "LICENSE",
      "data",
      "dist",
      "migrations",
      "node_modules",
      "package.json",
    ]);
    assert.ok(existsSync(join(tree, "dist", "cli", "main.js")));
    assert.ok(existsSync(join(tree, "dist", "web", "index.html")), "the web app is built");
    assert.ok(existsSync(join(tree, "data", "system", "corpora", "en.json")));
    const shipped = readdirSync(join(REPO_ROOT, "migrations")).sort();
    assert.deepEqual(readdirSync(join(tree, "migrations")).sort(), shipped);
    const manifest = JSON.parse(readFileSync(join(tree, "package.json"), "utf8"));
    // A package the tests use may also be a production dependency's (yaml is @fastify/swagger's):
    // the lock file marks those the production tree needs without the "dev" flag.
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8"));
    for (const dependency of Object.keys(manifest.devDependencies)) {
      if (lock.packages[`node_modules/${dependency}`]?.dev !== true) continue;
      assert.ok(!existsSync(join(tree, "node_modules", dependency)), `${dependency} is left out`);
    }
    assert.ok(!existsSync(join(tree, "node_modules", "@electric-sql")), "no embedded database");
    assert.ok(!existsSync(join(tree, "dist", "cli", "main.ts")));
  });

  it("runs the hive, the assets gateway, the asset manager and an agent through a job", async () => {
    const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
    const assetmgr = start(["assetmgr"]);
    await assetmgr.waitFor(/assetmgr: watching /, 60_000);
    const assetsPort = await freePort();
    const assets = start(["assets", "--port", String(assetsPort)]);
    const hive = start(["hive", "--port", "0", "--assets-url", `http://127.0.0.1:${assetsPort}`]);
    const assetsUrl = (await assets.waitFor(listening, 60_000))[1] as string;
    const hiveUrl = (await hive.waitFor(listening, 60_000))[1] as string;
    for (const url of [hiveUrl, assetsUrl]) {
      const checked = await run(["health", `${url}/health`]);
      assert.equal(checked.status, 0, checked.stderr);
    }
    // The hive serves the web app, pointed at this assets gateway.
    const page = await fetch(`${hiveUrl}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script type="module"[^>]+src="\.\/static\//);
    assert.deepEqual(await (await fetch(`${hiveUrl}/config.json`)).json(), {
      api: "",
      assets: `http://127.0.0.1:${assetsPort}`,
    });

    const key = await run(["admin", "key", "create", "--name", "image test"]);
    assert.equal(key.status, 0, key.stderr);
    const agent = start(["agent", "--hive", hiveUrl, "--assets", assetsUrl, "--threads", "1"], {
      KEYFORGE_DATA_DIR: mkdtempSync(join(root, "agent-")),
    });
    await agent.waitFor(/agent: node [0-9a-f]{32} registered/, 60_000);
    const user = { KEYFORGE_HIVE_URL: hiveUrl, KEYFORGE_API_KEY: key.stdout.trim() };
    const submitted = await run(
      ["submit", "--board", "corne", "--units", "2", "--steps", "20000"],
      user,
    );
    assert.equal(submitted.status, 0, submitted.stderr);
    const watched = await run(["watch", submitted.stdout.trim()], user);
    assert.equal(watched.status, 0, watched.stderr);
    const shown = await run(["job", submitted.stdout.trim()], user);
    assert.match(shown.stdout, /completed/);

    for (const process of [agent, hive, assets, assetmgr]) {
      const stopped = await process.stop("SIGTERM");
      assert.equal(stopped.status, 0, stopped.stderr);
      assert.doesNotMatch(stopped.stderr, /image-tree-test-secret/, "the secret is never logged");
    }
  });

  it("writes its web app out for the gateway with keyforge web-root (the image has no shell)", async () => {
    const webRoot = join(root, "web-root");
    const written = await run([
      "web-root",
      "--out",
      webRoot,
      "--api",
      "https://api.keyforge.example.org",
      "--assets",
      "https://assets.keyforge.example.org",
    ]);
    assert.equal(written.status, 0, written.stderr);
    const served = join(webRoot, "current");
    assert.equal(
      readFileSync(join(served, "index.html"), "utf8"),
      readFileSync(join(tree, "dist", "web", "index.html"), "utf8"),
    );
    assert.deepEqual(
      readdirSync(join(served, "static")),
      readdirSync(join(tree, "dist", "web", "static")),
    );
    assert.deepEqual(JSON.parse(readFileSync(join(served, "config.json"), "utf8")), {
      api: "https://api.keyforge.example.org",
      assets: "https://assets.keyforge.example.org",
    });
  });

  it("says what to set when the hive has no DATABASE_URL (the image has no embedded database)", async () => {
    const { DATABASE_URL: _, ...withoutDatabase } = env;
    const result = await startTreeCli(tree, ["hive", "--port", "0"], withoutDatabase).exited();
    assertCleanFailure(result, /no embedded database .*set DATABASE_URL/);
  });
});
