import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { WEB_APP_DIR } from "../src/infra/web-app.ts";
import { runCli } from "../test/helpers/run-cli.ts";
import { buildWebApp, launchChromium, startWebSystem } from "../test/helpers/web-browser.ts";

/**
 * `npm run bench:web`: the web app's budgets. The first page's JavaScript, gzipped (budget
 * 150 KB), and on the Analyse page the time from a key swap to the page showing the new numbers
 * (budget: one frame, 16.7 ms) and to the next frame after that (which waits for the display). BENCH_WEB_SWAPS sets the swaps
 * measured per board (default 130; the first 30 warm the page up and are not counted). Then the
 * Optimise page's search speed beside `keyforge optimize`'s on the same search
 * (BENCH_WEB_SEARCH_STEPS steps, default 4,000,000).
 */
const SWAPS = Number(process.env.BENCH_WEB_SWAPS ?? 130);
const WARM_UP = 30;
/** Steps of the search measured on the Optimise page and by `keyforge optimize`. */
const SEARCH_STEPS = Number(process.env.BENCH_WEB_SEARCH_STEPS ?? 4_000_000);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.NaN;
}

buildWebApp();
/** Gzipped bytes of a built file, at the highest level (what a server would send, about). */
const gzippedSize = (name: string) =>
  gzipSync(readFileSync(join(WEB_APP_DIR, "static", name)), { level: 9 }).byteLength;
// The first page loads the scripts index.html names; the workers and the chart library load when
// a page asks for them.
const page = readFileSync(join(WEB_APP_DIR, "index.html"), "utf8");
const entry = [...page.matchAll(/src="\.\/static\/([^"]+\.js)"/g)].map(
  (match) => match[1] as string,
);
const onDemand = readdirSync(join(WEB_APP_DIR, "static")).filter(
  (name) => name.endsWith(".js") && !entry.includes(name),
);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `web app: first page JavaScript ${kb(entry.reduce((sum, name) => sum + gzippedSize(name), 0))} gzipped (${entry.length} file(s))`,
);
for (const name of onDemand)
  console.log(`web app: ${name}: ${kb(gzippedSize(name))} gzipped, loaded on demand`);

const { up, base } = await startWebSystem();
const browser = await launchChromium();
try {
  for (const board of ["ortho-3x10", "corne"]) {
    const page = await browser.newPage({ viewport: { width: 1300, height: 950 } });
    await page.goto(`${base}/#/analyse?b=${board}&l=qwerty&c=en&w=balanced`);
    await page.waitForSelector('td[data-metric="sfb"]');
    // Keys with a character (tspan legends that are not empty): a swap of two changes the score.
    const keys = await page.$$eval("[data-key]", (elements) =>
      elements
        .filter((element) => (element.querySelector("tspan")?.textContent ?? "") !== "")
        .map((element) => element.getAttribute("data-key") as string),
    );
    // In the page: pick a key, then time from picking the second until the score changes and
    // until the next frame.
    const timings = (await page.evaluate(`(async () => {
      const keys = ${JSON.stringify(keys.slice(0, 30))};
      const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
      const score = () => document.querySelector('[data-metric="score"]').getAttribute("data-value");
      // The moment the score's cell changes, seen by a MutationObserver (no polling delay).
      let changedAt = 0;
      let wake = () => {};
      new MutationObserver(() => {
        changedAt = performance.now();
        wake();
      }).observe(document.querySelector(".metrics"), { subtree: true, attributes: true, characterData: true, childList: true });
      const changed = () => new Promise((done) => { wake = done; setTimeout(done, 50); });
      const out = [];
      for (let i = 0; i < ${SWAPS}; i++) {
        const a = keys[(7 * i) % keys.length];
        const b = keys[(7 * i + 11) % keys.length];
        const before = score();
        // The first pick renders before the second, as between a person's two clicks.
        document.querySelector('[data-key="' + a + '"]').dispatchEvent(new MouseEvent("click", { bubbles: true }));
        await frame();
        const started = performance.now();
        document.querySelector('[data-key="' + b + '"]').dispatchEvent(new MouseEvent("click", { bubbles: true }));
        while (score() === before && performance.now() - started < 5000) await changed();
        const shown = changedAt - started;
        await frame();
        out.push([shown, performance.now() - started]);
      }
      return out;
    })()`)) as [number, number][];
    const counted = timings.slice(WARM_UP);
    const shown = counted.map(([ms]) => ms);
    const framed = counted.map(([, ms]) => ms);
    console.log(
      `web app (${board}): swap to new numbers median ${median(shown).toFixed(1)} ms, 90th percentile ${percentile(shown, 0.9).toFixed(1)} ms; to the next frame median ${median(framed).toFixed(1)} ms (${counted.length} swaps)`,
    );
    await page.close();
  }
  // The Optimise page's search against `keyforge optimize`'s, the same search with the same seed
  // (so the same layout): steps per second over the whole run, compiling included.
  for (const threads of [1, 2]) {
    const flags = `--board ortho-3x10 --corpus en --weights balanced --steps ${SEARCH_STEPS} --threads ${threads} --seed 1`;
    const page = await browser.newPage({ viewport: { width: 1300, height: 950 } });
    await page.goto(
      `${base}/#/optimise?b=ortho-3x10&c=en&w=balanced&steps=${SEARCH_STEPS}&threads=${threads}&seed=1`,
    );
    await page.click("button:has-text('optimise')");
    await page.waitForSelector("code.command", { timeout: 300_000 });
    const pace = (await page.textContent("p[aria-live]")) ?? "";
    const browserRate = Number(/\(([\d,]+) steps\/s\)/.exec(pace)?.[1]?.replaceAll(",", ""));
    await page.close();
    const cli = runCli(["optimize", ...flags.split(" "), "--json"]);
    const cliRate = (JSON.parse(cli.stdout) as { run: { stepsPerSecond: number } }).run
      .stepsPerSecond;
    console.log(
      `web app: optimise ortho-3x10, ${threads} thread(s), ${SEARCH_STEPS.toLocaleString("en-US")} steps: ${Math.round(browserRate).toLocaleString("en-US")} steps/s in the browser, ${Math.round(cliRate).toLocaleString("en-US")} steps/s by keyforge optimize`,
    );
  }
} finally {
  await browser.close();
  await up.stop("SIGINT");
}
