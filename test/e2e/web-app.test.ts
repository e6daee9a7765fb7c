import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { formatLayout } from "../../src/core/layout.ts";
import { loadBoard, loadLayout } from "../../src/infra/system-data.ts";
import { REPO_ROOT, type RunningCli, runCli } from "../helpers/run-cli.ts";
import {
  buildWebApp,
  launchChromium,
  SCREENSHOTS,
  seriousAxeViolations,
  startWebSystem,
} from "../helpers/web-browser.ts";

interface Shown {
  readonly score: number;
  readonly metrics: Record<string, number>;
}

/** The score and every metric as the Analyse page shows them (the exact numbers behind the text). */
async function shownAnalysis(page: Page): Promise<Shown> {
  await page.waitForSelector('td[data-metric="sfb"]');
  const values = await page.$$eval("td[data-metric]", (cells) =>
    cells.map((cell) => [cell.getAttribute("data-metric"), cell.getAttribute("data-value")]),
  );
  const score = await page.$eval('[data-metric="score"]', (cell) =>
    cell.getAttribute("data-value"),
  );
  return {
    score: Number(score),
    metrics: Object.fromEntries(values.map(([key, value]) => [key, Number(value)])),
  };
}

/** `keyforge analyze --json` of a layout (a built-in name or a layout file) on a board. */
function analysed(layout: string, board: string): Shown {
  const result = runCli(["analyze", layout, "--board", board, "--json"]);
  assert.equal(result.status, 0, result.stderr);
  const document = JSON.parse(result.stdout);
  return { score: document.score, metrics: document.metrics };
}

/** A layout file: qwerty on ortho-3x10 with the characters of two keys swapped. */
async function swappedQwerty(keyA: string, keyB: string): Promise<string> {
  const board = await loadBoard("ortho-3x10");
  const start = await loadLayout("qwerty", board);
  const ids = board.keys.map((key) => key.id);
  const chars = [...start.chars];
  const [a, b] = [ids.indexOf(keyA), ids.indexOf(keyB)];
  [chars[a], chars[b]] = [chars[b] ?? null, chars[a] ?? null];
  const file = join(mkdtempSync(join(tmpdir(), "keyforge-web-")), "swapped.txt");
  writeFileSync(file, formatLayout({ ...start, chars }, board));
  return file;
}

describe("the web app in a browser", () => {
  let up: RunningCli;
  let browser: Browser;
  let base: string;
  const problems: string[] = [];

  before(async () => {
    buildWebApp();
    ({ up, base } = await startWebSystem());
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await up?.stop("SIGINT");
  });

  async function open(hash: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1300, height: 950 } });
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
    await page.goto(`${base}/${hash}`);
    return page;
  }

  for (const [board, layout] of [
    ["ansi", "qwerty"],
    ["ortho-3x10", "graphite"],
    ["corne", "colemak-dh"],
  ] as const) {
    it(`shows the numbers keyforge analyze prints: ${layout} on ${board}`, async () => {
      const page = await open(`#/analyse?b=${board}&l=${layout}&c=en&w=balanced`);
      const shown = await shownAnalysis(page);
      const cli = analysed(layout, board);
      assert.equal(shown.score, cli.score, "score");
      assert.deepEqual(shown.metrics, cli.metrics);
      await page.screenshot({ path: join(SCREENSHOTS, `analyse-${board}-${layout}.png`) });
      await page.close();
    });
  }

  it("after a swap (two picks, or a drag), shows the swapped layout's numbers, and a link reproduces the view", async () => {
    const page = await open("#/analyse?b=ortho-3x10&l=qwerty&c=en&w=balanced");
    await page.waitForSelector('td[data-metric="sfb"]');
    await page.click('[data-key="r1c0"]');
    await page.click('[data-key="r0c2"]');
    await page.waitForFunction('location.hash.includes("s=")');
    const shown = await shownAnalysis(page);

    const cli = analysed(await swappedQwerty("r1c0", "r0c2"), "ortho-3x10");
    assert.equal(shown.score, cli.score, "score after the swap");
    assert.deepEqual(shown.metrics, cli.metrics);

    const link = page.url();
    const again = await open(link.slice(base.length + 1));
    assert.deepEqual(await shownAnalysis(again), shown);
    assert.equal(await again.$eval("select", (select) => select.value), "ortho-3x10");

    await page.click("text=undo");
    await page.waitForFunction('!location.hash.includes("s=")');
    assert.deepEqual(await shownAnalysis(page), analysed("qwerty", "ortho-3x10"));
    // Dragging one key onto the other makes the same swap.
    await page.dragAndDrop('[data-key="r1c0"]', '[data-key="r0c2"]');
    await page.waitForFunction('location.hash.includes("s=")');
    assert.deepEqual(await shownAnalysis(page), shown);
    await again.screenshot({ path: join(SCREENSHOTS, "analyse-swapped.png") });
    await Promise.all([page.close(), again.close()]);
  });

  it("moves a weight with its slider, scoring as keyforge analyze --weight does", async () => {
    const page = await open("#/analyse?b=ansi&l=qwerty&c=en&w=balanced");
    await page.waitForSelector('td[data-metric="sfb"]');
    await page.click("summary:has-text('weights')");
    await page.$eval("#weight-sfb", (slider) => {
      const input = slider as unknown as { value: string; dispatchEvent(event: unknown): void };
      input.value = "20";
      input.dispatchEvent(
        new (globalThis as unknown as { Event: new (type: string, init: object) => unknown }).Event(
          "change",
          { bubbles: true },
        ),
      );
    });
    await page.waitForFunction('location.hash.includes("o=sfb%3D20")');
    const result = runCli(["analyze", "qwerty", "--board", "ansi", "--weight", "sfb=20", "--json"]);
    assert.equal(result.status, 0, result.stderr);
    const cli = JSON.parse(result.stdout) as { score: number };
    await page.waitForFunction(
      `document.querySelector('[data-metric="score"]').getAttribute("data-value") === "${cli.score}"`,
    );
    await page.screenshot({ path: join(SCREENSHOTS, "analyse-weights.png"), fullPage: true });
    await page.close();
  });

  it("exports the layout as keyforge export writes it, and says why a format does not apply", async () => {
    const page = await open("#/analyse?b=ansi&l=qwerty&c=en&w=balanced");
    await page.waitForSelector('td[data-metric="sfb"]');
    await page.locator(".exports").screenshot({ path: join(SCREENSHOTS, "analyse-exports.png") });
    const work = mkdtempSync(join(tmpdir(), "keyforge-web-"));
    for (const [button, format] of [
      ["keyboard-layout-editor JSON", "kle"],
      ["SVG heatmap", "svg"],
      ["Linux xkb symbols", "xkb"],
      ["macOS keylayout (ISO)", "keylayout-iso"],
      ["Windows KLC (MSKLC)", "klc"],
    ] as const) {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click(`button:has-text("${button}")`),
      ]);
      const saved = join(work, `web-${download.suggestedFilename()}`);
      await download.saveAs(saved);
      const written = join(work, `cli-${format}`);
      const cli = runCli([
        "export",
        "qwerty",
        "--board",
        "ansi",
        "--format",
        format,
        "--out",
        written,
      ]);
      assert.equal(cli.status, 0, cli.stderr);
      // The same bytes, named as the format's installer expects (the CLI says that name).
      assert.deepEqual(readFileSync(saved), readFileSync(written), format);
      assert.ok(
        cli.stderr.includes(`name elsewhere: ${download.suggestedFilename()})`),
        `${format}: downloaded as ${download.suggestedFilename()}; ${cli.stderr}`,
      );
    }
    await page.click('button:has-text("QMK keymap.json")');
    await page.waitForSelector(".exports [role=alert]");
    assert.match(
      (await page.textContent(".exports [role=alert]")) ?? "",
      /does not say which QMK keyboard/,
    );
    await page.close();
  });

  it("imports a KLE board and counts pasted text as keyforge board import and corpus build do", async () => {
    const work = mkdtempSync(join(tmpdir(), "keyforge-web-"));
    const kle = join(REPO_ROOT, "examples", "boards", "ergodox.kle.json");
    const board = join(work, "ergodox.json");
    const text =
      "The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs!\n".repeat(
        20,
      );
    const textFile = join(work, "mine.txt");
    writeFileSync(textFile, text);
    const corpus = join(work, "mine.json");
    for (const args of [
      ["board", "import", "kle", kle, "--out", board],
      ["corpus", "build", textFile, "--name", "Pasted text", "--out", corpus],
    ]) {
      const made = runCli(args);
      assert.equal(made.status, 0, made.stderr);
    }

    const page = await open("#/analyse?b=ansi&l=qwerty&c=en&w=balanced");
    await page.waitForSelector('td[data-metric="sfb"]');
    await page.click("summary:has-text('import a board')");
    await page.setInputFiles("input[type=file]", kle);
    await page.waitForFunction('location.hash.includes("b=local-ergodox-kle")');
    await page.waitForSelector("[data-key]");
    const imported = await shownAnalysis(page);
    await page.waitForFunction('document.querySelector("select").value === "local-ergodox-kle"');
    assert.deepEqual(imported, analysed("qwerty", board));

    await page.click("summary:has-text('count your own text')");
    await page.fill(".local textarea", text);
    await page.click("button:has-text('count this text')");
    await page.waitForFunction('location.hash.includes("c=local-text")');
    const result = runCli(["analyze", "qwerty", "--board", board, "--corpus", corpus, "--json"]);
    assert.equal(result.status, 0, result.stderr);
    const cli = JSON.parse(result.stdout) as Shown;
    await page.waitForFunction(
      `document.querySelector('[data-metric="score"]')?.getAttribute("data-value") === "${cli.score}"`,
    );
    assert.deepEqual(await shownAnalysis(page), { score: cli.score, metrics: cli.metrics });
    await page.screenshot({ path: join(SCREENSHOTS, "analyse-imported.png"), fullPage: true });
    await page.close();
  });

  it("ranks the library in a worker with the numbers keyforge rank prints, and sets two side by side", async () => {
    const page = await open("#/compare?b=ortho-3x10&c=en&w=balanced&pick=graphite,sturdy");
    await page.waitForSelector("table.ranking tbody tr");
    const shown = await page.$$eval('td[data-metric="score"]', (cells) =>
      cells.map((cell) => [
        cell.getAttribute("data-layout"),
        Number(cell.getAttribute("data-value")),
      ]),
    );
    const ranked = runCli(["rank", "--board", "ortho-3x10", "--json"]);
    assert.equal(ranked.status, 0, ranked.stderr);
    const cli = (JSON.parse(ranked.stdout) as { layout: { name: string }; score: number }[]).map(
      (entry) => [entry.layout.name, entry.score],
    );
    assert.deepEqual(shown, cli, "the same layouts, scores and order");
    const figures = await page.$$eval(".side-by-side figcaption", (captions) =>
      captions.map((caption) => caption.textContent),
    );
    assert.deepEqual(
      figures.map((text) => text?.split(":")[0]),
      ["graphite", "sturdy"],
    );
    await page.screenshot({ path: join(SCREENSHOTS, "compare.png"), fullPage: true });
    await page.close();
  });

  it("keeps an edited layout in the browser and ranks it on Compare with keyforge analyze's numbers", async () => {
    const page = await open("#/analyse?b=ortho-3x10&l=qwerty&c=en&w=balanced");
    await page.waitForSelector('td[data-metric="sfb"]');
    await page.click('[data-key="r2c1"]');
    await page.click('[data-key="r0c4"]');
    await page.waitForFunction('location.hash.includes("s=")');
    await page.fill(".keep-layout input", "graphite");
    await page.click(".keep-layout button");
    await page.waitForSelector(".keep-layout [role=alert]:has-text('published layout')");
    await page.fill(".keep-layout input", "my-draft");
    await page.click(".keep-layout button");
    await page.click(".keep-layout a:has-text('compare it')");
    const cell = '[data-layout="my-draft"][data-metric="score"]';
    await page.waitForSelector(cell);
    const cli = analysed(await swappedQwerty("r2c1", "r0c4"), "ortho-3x10");
    assert.equal(Number(await page.getAttribute(cell, "data-value")), cli.score);
    await page.click("summary:has-text('your layouts (1)')");
    await page.screenshot({ path: join(SCREENSHOTS, "compare-own.png"), fullPage: true });
    await page.click("button[aria-label='drop my-draft']");
    await page.waitForSelector(cell, { state: "detached" });
    await page.close();
  });

  it("optimises in Web Workers to the layout keyforge optimize finds with the same seed and steps", async () => {
    const page = await open(
      "#/optimise?b=ortho-3x10&c=en&w=balanced&pin=aeiou&steps=400000&threads=2&seed=11",
    );
    await page.click("button:has-text('optimise')");
    const link = await page.waitForSelector("a:has-text('Open the best layout in Analyse')", {
      timeout: 60_000,
    });
    const shownLayout = new URLSearchParams(
      ((await link.getAttribute("href")) ?? "").split("?")[1],
    ).get("t");
    const command = ((await page.textContent("code.command")) ?? "").split(" ");
    assert.deepEqual(command.slice(0, 2), ["keyforge", "optimize"]);
    assert.ok(command.includes("--pin") && command.includes("aeiou"), command.join(" "));
    const cli = runCli([...command.slice(1), "--json"]);
    assert.equal(cli.status, 0, cli.stderr);
    const found = JSON.parse(cli.stdout) as { top: { text: string; score: number }[] };
    assert.equal(shownLayout, found.top[0]?.text);
    await page.screenshot({ path: join(SCREENSHOTS, "optimise.png"), fullPage: true });

    await page.click("a:has-text('Open the best layout in Analyse')");
    const shown = await shownAnalysis(page);
    assert.equal(shown.score, found.top[0]?.score, "the best layout's score in Analyse");
    await page.close();
  });

  it("pins the keys picked on the board, starts from the layout, and stops when asked", async () => {
    const page = await open("#/optimise?b=ansi&l=qwerty&c=en&w=balanced&from=1&time=120&threads=1");
    await page.waitForSelector('svg.board g[role="button"]');
    const keyOf = async (char: string) =>
      page.$eval(`svg.board g[role="button"][aria-label^="${char} "]`, (key) =>
        key.getAttribute("data-key"),
      );
    const [e, t] = [await keyOf("e"), await keyOf("t")];
    await page.click(`[data-key="${e}"]`);
    await page.click(`[data-key="${t}"]`);
    await page.waitForFunction('location.hash.includes("pin=et")');
    assert.equal(await page.getAttribute(`[data-key="${e}"]`, "aria-pressed"), "true");

    await page.click("button:has-text('optimise')");
    await page.waitForSelector("p[aria-live]:has-text('best score')", { timeout: 30_000 });
    await page.click("button:has-text('stop')");
    await page.waitForSelector("p[aria-live]:has-text('stopped by signal')", { timeout: 30_000 });
    const legend = (key: string | null) =>
      page.$eval(`[data-key="${key}"] tspan`, (span) => span.textContent);
    assert.deepEqual([await legend(e), await legend(t)], ["e", "t"]);
    await page.close();
  });

  it("passes an accessibility scan with no serious issue, in light and dark", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await browser.newPage({ colorScheme, viewport: { width: 1300, height: 950 } });
      const searched = async () => {
        await page.click("button:has-text('optimise')");
        await page.waitForSelector("a:has-text('Open the best layout in Analyse')");
      };
      for (const [hash, ready] of [
        ["#/analyse?b=corne&l=graphite&c=en&w=balanced", 'td[data-metric="sfb"]'],
        ["#/compare?b=corne&c=en&w=balanced&pick=graphite,sturdy", "table.ranking tbody tr"],
        ["#/optimise?b=corne&c=en&w=balanced&pin=e&steps=50000&threads=1&seed=3", searched],
      ] as const) {
        await page.goto(`${base}/${hash}`);
        if (typeof ready === "string") await page.waitForSelector(ready);
        else await ready();
        const violations = await seriousAxeViolations(page);
        assert.deepEqual(violations, [], `${hash} (${colorScheme})`);
        const name = hash.slice(2).split("?")[0];
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-${colorScheme}.png`) });
      }
      await page.close();
    }
  });

  it("logged no error in any page", () => {
    assert.deepEqual(problems, []);
  });
});
