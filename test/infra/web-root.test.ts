import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { KeyForgeError } from "../../src/core/errors.ts";
import { writeWebRoot } from "../../src/infra/web-root.ts";

const CONFIG = { api: "https://api.keyforge.example.org", assets: "https://assets.example.org" };

/** A build as Vite leaves it: the page and its hashed files under static/. */
function fakeBuild(dir: string, version: string): string {
  const build = join(dir, `build-${version}`);
  mkdirSync(join(build, "static"), { recursive: true });
  writeFileSync(join(build, "index.html"), `<script src="./static/app-${version}.js"></script>`);
  writeFileSync(join(build, "static", `app-${version}.js`), `console.log("${version}")`);
  return build;
}

const rejectsWith = (promise: Promise<unknown>, code: string, message: RegExp) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KeyForgeError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });

describe("writeWebRoot", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "keyforge-web-root-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the build and config.json into a new folder, served through `current`", async () => {
    const root = join(dir, "new", "web");
    const written = await writeWebRoot({ build: fakeBuild(dir, "a"), root, config: CONFIG });
    assert.equal(written.root, root);
    assert.match(written.release, /^releases\/\d{8}T\d{9}Z-[0-9a-f]{6}$/);
    assert.deepEqual(readdirSync(root).sort(), ["current", "releases"]);
    assert.equal(readlinkSync(join(root, "current")), written.release, "a relative link");
    const served = join(root, "current");
    assert.deepEqual(readdirSync(served).sort(), ["config.json", "index.html", "static"]);
    assert.deepEqual(JSON.parse(readFileSync(join(served, "config.json"), "utf8")), CONFIG);
    assert.equal(readFileSync(join(served, "static", "app-a.js"), "utf8"), 'console.log("a")');
  });

  it("makes every file and folder readable by all: the server reads them as its own user", async () => {
    const build = fakeBuild(dir, "private");
    chmodSync(join(build, "index.html"), 0o600);
    chmodSync(join(build, "static"), 0o700);
    const root = join(dir, "modes");
    await writeWebRoot({ build, root, config: CONFIG });
    const mode = (path: string) => statSync(join(root, path)).mode & 0o777;
    assert.equal(mode("."), 0o755);
    assert.equal(mode("current/index.html"), 0o644);
    assert.equal(mode("current/config.json"), 0o644);
    assert.equal(mode("current/static"), 0o755);
    assert.equal(mode("current/static/app-private.js"), 0o644);
  });

  it("switches an earlier web root to a new release, keeping the one it served and no older", async () => {
    const root = join(dir, "updated");
    const first = await writeWebRoot({ build: fakeBuild(dir, "v1"), root, config: CONFIG });
    const second = await writeWebRoot({ build: fakeBuild(dir, "v2"), root, config: CONFIG });
    const moved = { ...CONFIG, api: "https://api.elsewhere.example.org" };
    const third = await writeWebRoot({ build: fakeBuild(dir, "v3"), root, config: moved });
    assert.equal(readlinkSync(join(root, "current")), third.release);
    const releases = readdirSync(join(root, "releases")).map((name) => `releases/${name}`);
    assert.deepEqual(releases.sort(), [second.release, third.release].sort());
    assert.ok(!existsSync(join(root, first.release)), "the oldest release is gone");
    assert.deepEqual(readdirSync(join(root, "current", "static")), ["app-v3.js"]);
    const config = JSON.parse(readFileSync(join(root, "current", "config.json"), "utf8"));
    assert.equal(config.api, "https://api.elsewhere.example.org");
  });

  it("finishes the switch a stopped run left half done", async () => {
    const root = join(dir, "interrupted");
    await writeWebRoot({ build: fakeBuild(dir, "before"), root, config: CONFIG });
    symlinkSync("releases/gone", join(root, "current.next"));
    const written = await writeWebRoot({ build: fakeBuild(dir, "after"), root, config: CONFIG });
    assert.equal(readlinkSync(join(root, "current")), written.release);
    assert.ok(!existsSync(join(root, "current.next")));
  });

  it("refuses a folder holding anything it did not write, and changes nothing there", async () => {
    const occupied = join(dir, "occupied");
    mkdirSync(occupied);
    writeFileSync(join(occupied, "notes.txt"), "the operator's own");
    mkdirSync(join(occupied, "current"));
    await rejectsWith(
      writeWebRoot({ build: fakeBuild(dir, "x"), root: occupied, config: CONFIG }),
      "WEB_ROOT_OCCUPIED",
      /occupied holds files keyforge web-root did not write \(current, notes\.txt\): give an empty or new folder/,
    );
    assert.deepEqual(readdirSync(occupied).sort(), ["current", "notes.txt"]);
    assert.ok(lstatSync(join(occupied, "current")).isDirectory());
  });

  it("says so when the web app is not built, or the web root is not a folder", async () => {
    const empty = join(dir, "no-build");
    mkdirSync(empty);
    await rejectsWith(
      writeWebRoot({ build: empty, root: join(dir, "unused"), config: CONFIG }),
      "WEB_APP_NOT_BUILT",
      /the web app is not built at .*no-build: run npm run build/,
    );
    assert.ok(!existsSync(join(dir, "unused")), "nothing written");
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    await rejectsWith(
      writeWebRoot({ build: fakeBuild(dir, "y"), root: file, config: CONFIG }),
      "FILE_UNWRITABLE",
      /cannot write the web root .*a-file: not a folder/,
    );
  });
});
