import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { addWebApp } from "../../src/infra/web-app.ts";

function builtApp(): string {
  const dir = mkdtempSync(join(tmpdir(), "keyforge-web-"));
  mkdirSync(join(dir, "static"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>KeyForge</title>");
  writeFileSync(join(dir, "static", "index-abc123.js"), "console.log(1)");
  writeFileSync(join(dir, "static", "index-abc123.css"), "body{}");
  writeFileSync(join(dir, "secret.txt"), "not for the web");
  return dir;
}

function server(dir: string) {
  const app = Fastify();
  addWebApp(app, {
    dir,
    config: (page) => ({ api: "", assets: `${page.protocol}://${page.hostname}:3001` }),
  });
  return app;
}

describe("the web app served by the hive", () => {
  it("serves the page, its configuration and its hashed files", async () => {
    const app = server(builtApp());
    const page = await app.inject({ url: "/" });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers["content-type"] as string, /^text\/html/);
    assert.equal(page.headers["cache-control"], "no-cache");
    const config = await app.inject({ url: "/config.json", headers: { host: "box.local:3000" } });
    assert.deepEqual(config.json(), { api: "", assets: "http://box.local:3001" });
    assert.equal(config.headers["cache-control"], "no-store");
    const script = await app.inject({ url: "/static/index-abc123.js" });
    assert.equal(script.statusCode, 200);
    assert.match(script.headers["content-type"] as string, /^text\/javascript/);
    assert.match(script.headers["cache-control"] as string, /immutable/);
    const style = await app.inject({ url: "/static/index-abc123.css" });
    assert.match(style.headers["content-type"] as string, /^text\/css/);
  });

  it("serves nothing else from the folder, however the path is spelled", async () => {
    const app = server(builtApp());
    for (const url of [
      "/static/secret.txt",
      "/static/..%2fsecret.txt",
      "/static/../secret.txt",
      "/secret.txt",
      "/static/",
    ]) {
      const reply = await app.inject({ url });
      assert.equal(reply.statusCode, 404, url);
      assert.doesNotMatch(reply.body, /not for the web/, url);
    }
  });

  it("says how to build the app when it is not built", async () => {
    const app = server(mkdtempSync(join(tmpdir(), "keyforge-web-empty-")));
    const reply = await app.inject({ url: "/" });
    assert.equal(reply.statusCode, 404);
    assert.deepEqual(reply.json(), {
      code: "WEB_APP_NOT_BUILT",
      message: "the web app is not built here: run npm run build",
    });
  });
});
