import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { jobViewSchema } from "../../src/protocol/job-messages.ts";
import type { RunningCli } from "../helpers/run-cli.ts";
import {
  buildWebApp,
  launchChromium,
  SCREENSHOTS,
  seriousAxeViolations,
  startWebSystem,
  upApiKey,
} from "../helpers/web-browser.ts";

const VIEWPORT = { width: 1300, height: 950 };
/** A job the local agent (one thread) runs in a few seconds, a unit at a time. */
const SMALL_JOB = { units: "4", steps: "300000", seed: "7" };

describe("the web app's Jobs and Cluster pages in a browser", () => {
  let up: RunningCli;
  let browser: Browser;
  let base: string;
  let apiKey: string;
  let finishedJob = "";
  const problems: string[] = [];

  before(async () => {
    buildWebApp();
    ({ up, base } = await startWebSystem());
    apiKey = await upApiKey(up);
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await up?.stop("SIGINT");
  });

  /** A page at `hash`; console errors matching `expected` are the test's own doing. */
  async function open(
    hash: string,
    colorScheme: "light" | "dark" = "light",
    expected?: RegExp,
  ): Promise<Page> {
    const page = await browser.newPage({ viewport: VIEWPORT, colorScheme });
    page.on("console", (message) => {
      if (message.type() === "error" && !expected?.test(message.text()))
        problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
    await page.goto(`${base}/${hash}`);
    return page;
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.getByLabel("API key").fill(key);
    await page.click("button:has-text('sign in')");
  }

  async function submit(page: Page, job: typeof SMALL_JOB): Promise<string> {
    await page.getByLabel("units of steps").check();
    await page.getByLabel("units", { exact: true }).fill(job.units);
    await page.getByLabel("steps per unit").fill(job.steps);
    await page.getByLabel("seed").fill(job.seed);
    await page.click("button:has-text('submit job')");
    await page.waitForFunction("/job=[0-9a-f]{64}/.test(location.hash)");
    return /job=([0-9a-f]{64})/.exec(page.url())?.[1] ?? "";
  }

  /** The hive's own view of a job. */
  async function hiveJob(id: string) {
    return jobViewSchema.parse(await (await fetch(`${base}/jobs/${id}`)).json());
  }

  it("reads without a key, refuses a wrong key, and signs in with the right one for the tab", async () => {
    // The browser reports the hive's refusal of the wrong key as a failed load.
    const page = await open("#/jobs?b=ortho-3x10&c=en&w=balanced&l=qwerty", "light", /\b401\b/);
    await page.waitForSelector("text=No job yet.");
    assert.ok(await page.isDisabled("button:has-text('submit job')"));
    await page.waitForSelector("text=Sign in with an API key to submit.");
    await signIn(page, "kf_not-a-key-of-this-hive");
    await page.waitForSelector(".sign-in [role=alert]");
    assert.match((await page.textContent(".sign-in [role=alert]")) ?? "", /^cannot sign in: /);
    await signIn(page, apiKey);
    await page.waitForSelector("text=Signed in with the API key");
    assert.equal(
      await page.evaluate('sessionStorage.getItem("keyforge.apiKey")'),
      apiKey,
      "kept in the tab's session storage",
    );
    await page.click("button:has-text('sign out')");
    await page.waitForSelector("text=Sign in with an API key to submit.");
    assert.equal(await page.evaluate('sessionStorage.getItem("keyforge.apiKey")'), null);
    await page.close();
  });

  it("submits a job, and watches it progress and complete live on its page", async () => {
    const page = await open("#/jobs?b=ortho-3x10&c=en&w=balanced&l=qwerty");
    await signIn(page, apiKey);
    await page.waitForSelector("text=Signed in with the API key");
    const id = await submit(page, SMALL_JOB);
    await page.waitForSelector('[data-units="done"]');
    // Every count the page shows, as it changes, with no reload in between.
    await page.evaluate(`{
      const cell = document.querySelector('[data-units="done"]');
      window.seenDone = [cell.textContent];
      new MutationObserver(() => window.seenDone.push(cell.textContent)).observe(cell, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    }`);
    await page.waitForFunction("window.seenDone.some((text) => /^[123] of 4$/.test(text))", null, {
      timeout: 120_000,
    });
    await page.screenshot({ path: join(SCREENSHOTS, "job-running.png"), fullPage: true });
    await page.waitForSelector('[data-status="completed"]', { timeout: 120_000 });
    await page.waitForSelector('[data-units="done"]:has-text("4 of 4")');
    const seen = (await page.evaluate("window.seenDone")) as string[];
    assert.ok(
      seen.some((text) => /^[123] of 4$/.test(text)),
      `the page showed units finishing one by one: ${seen.join(", ")}`,
    );

    const view = await hiveJob(id);
    assert.equal(view.status, "completed");
    assert.equal(view.units.done, 4);
    await page.waitForFunction(
      `document.querySelector("[data-best-score]")?.getAttribute("data-best-score") === "${view.bestScore}"`,
    );
    await page.waitForSelector(".score-chart canvas");
    // The best layout is analysed in the page with the job's corpus and weights: the hive's score.
    await page.waitForSelector('.job-metrics td[data-metric="score"]');
    const analysed = await page.$eval('.job-metrics td[data-metric="score"]', (cell) =>
      Number(cell.getAttribute("data-value")),
    );
    assert.ok(
      Math.abs(analysed - (view.top[0]?.score ?? Number.NaN)) < 1e-9,
      `${analysed} in the page, ${view.top[0]?.score} from the hive`,
    );
    const layouts = new Set(view.top.map((entry) => entry.layout));
    assert.equal(
      await page.locator(".layout-drawings svg.board").count(),
      Math.min(3, layouts.size),
      "each layout drawn once",
    );
    finishedJob = id;
    await page.screenshot({ path: join(SCREENSHOTS, "job-completed.png"), fullPage: true });

    await page.click("text=← all jobs");
    await page.waitForSelector(`tr[data-job="${id}"] td.completed`);
    await page.screenshot({ path: join(SCREENSHOTS, "jobs.png"), fullPage: true });
    await page.close();
  });

  it("submits a time-budgeted job with convergence, and says on its page what ended it", async () => {
    const page = await open("#/jobs?b=ortho-3x10&c=en&w=balanced&l=qwerty");
    await signIn(page, apiKey);
    await page.waitForSelector("text=Signed in with the API key");
    assert.ok(await page.getByLabel("a search time").isChecked(), "a time budget by default");
    assert.equal(await page.getByLabel("search time", { exact: true }).inputValue(), "10m");
    assert.equal(await page.getByLabel("units", { exact: true }).count(), 0, "no step fields");
    await page.getByLabel("search time", { exact: true }).fill("soon");
    await page.click("button:has-text('submit job')");
    await page.waitForSelector("text=search time: not a duration");
    await page.getByLabel("search time", { exact: true }).fill("10s");
    await page.getByLabel("end early when no better layout for").fill("10 s");
    await page.getByLabel("seed").fill("9");
    await page.click("button:has-text('submit job')");
    await page.waitForFunction("/job=[0-9a-f]{64}/.test(location.hash)");
    const id = /job=([0-9a-f]{64})/.exec(page.url())?.[1] ?? "";

    const stored = (await hiveJob(id)).content.search;
    assert.equal(stored.timeSeconds, 10);
    assert.equal(stored.convergeSeconds, 10);
    assert.equal(stored.units, undefined, "only the time budget's fields");
    assert.equal(stored.stepsPerUnit, undefined);
    assert.equal(stored.topDistance, undefined, "the default distance is left out");
    await page.waitForSelector('[data-budget]:has-text("10 s of search")');
    await page.waitForSelector('[data-converge]:has-text("10 s")');
    await page.waitForSelector("text=at least 6 keys");
    assert.match(
      (await page.textContent("[data-time-left]")) ?? "",
      /^(waiting for an agent|~\d+s left|finishing…)$/,
    );
    await page.screenshot({ path: join(SCREENSHOTS, "job-time-running.png"), fullPage: true });

    await page.waitForSelector('[data-status="completed"]', { timeout: 120_000 });
    const view = await hiveJob(id);
    assert.ok(
      view.endedBy === "time" || view.endedBy === "convergence",
      `ended by ${view.endedBy}`,
    );
    await page.waitForSelector(`.job-end[data-ended-by="${view.endedBy}"]`);
    assert.equal(
      await page.textContent(".job-end"),
      view.endedBy === "time"
        ? "The search ended: its time budget was spent."
        : "The search ended: its best stopped improving for 10s.",
    );
    assert.equal(await page.locator("[data-time-left]").count(), 0, "no time left once ended");
    await page.waitForSelector('.job-metrics td[data-metric="score"]');
    await page.screenshot({ path: join(SCREENSHOTS, "job-time-completed.png"), fullPage: true });

    await page.click("text=← all jobs");
    await page.waitForSelector(`tr[data-job="${id}"] td.completed`);
    assert.match((await page.textContent(`tr[data-job="${id}"]`)) ?? "", /10 s/);
    await page.close();
  });

  it("shows the local agent on the Cluster page, with its hardware and heartbeat", async () => {
    const page = await open("#/cluster");
    await page.waitForSelector("table.nodes tbody tr");
    const row = await page.textContent("table.nodes tbody tr");
    assert.match(row ?? "", /keyforge up/);
    assert.match(row ?? "", /\d+ cores, 1 search threads/);
    assert.match(row ?? "", /\d+s ago/);
    assert.equal(await page.textContent('[data-total="nodes"]'), "1");
    await page.screenshot({ path: join(SCREENSHOTS, "cluster.png"), fullPage: true });
    await page.close();
  });

  it("cancels a running job with the key, and only offers it when signed in", async () => {
    const page = await open("#/jobs?b=ortho-3x10&c=en&w=balanced&l=qwerty");
    await signIn(page, apiKey);
    await page.waitForSelector("text=Signed in with the API key");
    const id = await submit(page, { units: "6", steps: "1000000000", seed: "8" });
    await page.waitForSelector('[data-status="running"], [data-status="queued"]');

    const reader = await open(`#/jobs?job=${id}`);
    await reader.waitForSelector("text=Sign in with the job's API key to cancel it.");
    assert.ok(await reader.isDisabled("button:has-text('cancel this job')"));
    await reader.close();

    await page.click("button:has-text('cancel this job')");
    await page.waitForSelector('[data-status="cancelled"]');
    assert.equal((await hiveJob(id)).status, "cancelled");
    await page.screenshot({ path: join(SCREENSHOTS, "job-cancelled.png"), fullPage: true });
    await page.close();
  });

  it("passes an accessibility scan with no serious issue, in light and dark", async () => {
    assert.ok(finishedJob, "the job of the earlier test");
    for (const colorScheme of ["light", "dark"] as const) {
      for (const [name, hash, ready] of [
        ["jobs", "#/jobs?b=ortho-3x10&c=en&w=balanced&l=qwerty", "table.jobs-table tbody tr"],
        ["job", `#/jobs?job=${finishedJob}`, ".job-metrics td"],
        ["cluster", "#/cluster", "table.nodes tbody tr"],
      ] as const) {
        const page = await open(hash, colorScheme);
        await page.waitForSelector(ready);
        const violations = await seriousAxeViolations(page);
        assert.deepEqual(violations, [], `${name} (${colorScheme})`);
        await page.screenshot({
          path: join(SCREENSHOTS, `${name}-${colorScheme}.png`),
          fullPage: true,
        });
        await page.close();
      }
    }
  });

  it("logged no error in any page", () => {
    assert.deepEqual(problems, []);
  });
});
