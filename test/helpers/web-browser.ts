import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { WEB_APP_DIR } from "../../src/infra/web-app.ts";
import { freePort } from "./free-port.ts";
import { REPO_ROOT, type RunningCli, startCli } from "./run-cli.ts";

/** Where the browser tests write the pages' screenshots, for a developer to look at. */
export const SCREENSHOTS = join(REPO_ROOT, "scratch", "screenshots");

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** Debian's chromium; KEYFORGE_CHROMIUM names another. */
const CHROMIUM = process.env.KEYFORGE_CHROMIUM ?? "/usr/bin/chromium";

/** Builds this checkout's web app into dist/web (a second or two), so the page is current. */
export function buildWebApp(): void {
  const built = spawnSync("npx", ["vite", "build", "--config", "web/vite.config.ts"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  assert.equal(built.status, 0, built.stderr);
  assert.ok(existsSync(join(WEB_APP_DIR, "index.html")));
}

/** `keyforge up` on embedded storage in a fresh data dir, with the URL of its page. */
export async function startWebSystem(): Promise<{ up: RunningCli; base: string }> {
  const [port, assetsPort] = [await freePort(), await freePort()];
  const up = startCli(
    ["up", "--port", `${port}`, "--assets-port", `${assetsPort}`, "--threads", "1"],
    {
      env: {
        KEYFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), "keyforge-web-")),
        DATABASE_URL: "",
        KEYFORGE_VALKEY_URL: "",
        HIVE_SECRET: "",
        KEYFORGE_API_KEY: "",
      },
    },
  );
  await up.waitFor(/API key\s+kf_/, 90_000);
  return { up, base: `http://127.0.0.1:${port}` };
}

/** The API key `keyforge up` printed when it became ready. */
export async function upApiKey(up: RunningCli): Promise<string> {
  const [, key] = await up.waitFor(/API key\s+(kf_\S+)/);
  assert.ok(key);
  return key;
}

/** Debian's Chromium, headless; `args` adds command-line switches (e.g. --host-resolver-rules). */
export function launchChromium(args: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", ...args] });
}

/** The serious and critical accessibility issues axe-core finds on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return (await page.evaluate(`axe.run().then((result) =>
    result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => v.id + " (" + v.impact + "): " + v.nodes.map((n) => n.target).join(", ")))`)) as string[];
}
