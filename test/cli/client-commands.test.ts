import assert from "node:assert/strict";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildAssetsGateway } from "../../src/assets/assets-gateway.ts";
import { apiKeyFor, apiKeysFile, requireApiKey, saveApiKey } from "../../src/cli/api-keys.ts";
import { ServerSentEventParser } from "../../src/cli/server-sent-events.ts";
import type { KeyForgeError } from "../../src/core/errors.ts";
import { UnitRepository } from "../../src/infra/db/unit-repository.ts";
import { SYSTEM_DATA_DIR } from "../../src/infra/system-data.ts";
import { type JobView, jobListSchema } from "../../src/protocol/job-messages.ts";
import { eventually } from "../helpers/eventually.ts";
import { closedPortUrl } from "../helpers/free-port.ts";
import { startHive, type TestHive } from "../helpers/hive.ts";
import { registerAgent } from "../helpers/hive-agent.ts";
import { assertCleanFailure, type CliResult, startCli } from "../helpers/run-cli.ts";
import { registeredNode } from "../helpers/store-fixtures.ts";
import { startTestAgent } from "../helpers/test-agent.ts";

const tempDir = () => mkdtempSync(join(tmpdir(), "keyforge-client-"));

/** A loopback URL where nothing listens. */
describe("ServerSentEventParser", () => {
  it("parses events cut anywhere, with CRLF, CR or LF line ends, comments and multi-line data", () => {
    const stream =
      ': keep-alive\r\n\r\nevent: snapshot\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: job.progress\rdata: x\r\rdata\n\n';
    for (const size of [1, 2, 3, 7, stream.length]) {
      const parser = new ServerSentEventParser();
      const messages = [];
      for (let i = 0; i < stream.length; i += size) {
        messages.push(...parser.push(stream.slice(i, i + size)));
      }
      assert.deepEqual(
        messages,
        [
          { kind: "comment", text: "keep-alive" },
          { kind: "event", event: "snapshot", data: '{"a":\n1}' },
          { kind: "event", event: "job.progress", data: "x" },
          { kind: "event", event: "message", data: "" },
        ],
        `chunks of ${size}`,
      );
    }
  });

  it("dispatches nothing for an event without data or one the stream cut short", () => {
    const parser = new ServerSentEventParser();
    assert.deepEqual(parser.push("event: job.cancelled\n\nid: 7\nevent: unit.done\ndata:1"), []);
    assert.deepEqual(parser.push("\n\n"), [
      { kind: "event", event: "unit.done", data: "1", id: "7" },
    ]);
  });
});

describe("API keys (api-keys.ts)", () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.KEYFORGE_API_KEY;
    delete process.env.KEYFORGE_API_KEY;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.KEYFORGE_API_KEY;
    else process.env.KEYFORGE_API_KEY = saved;
  });

  it("saves keys per hive, owner-only, and reads them back; KEYFORGE_API_KEY comes first", async () => {
    const dir = join(tempDir(), "data");
    assert.equal(await apiKeyFor("http://hive.example", dir), undefined);
    await saveApiKey("http://hive.example/", "kf_one", dir);
    await saveApiKey("http://127.0.0.1:3000", "kf_two", dir);
    assert.equal(await apiKeyFor("http://hive.example", dir), "kf_one");
    assert.equal(await apiKeyFor("http://127.0.0.1:3000/", dir), "kf_two");
    assert.equal(await apiKeyFor("http://elsewhere", dir), undefined);
    assert.equal(statSync(apiKeysFile(dir)).mode & 0o777, 0o600);
    await saveApiKey("http://hive.example", "kf_three", dir);
    assert.equal(await apiKeyFor("http://hive.example", dir), "kf_three");
    assert.equal(await apiKeyFor("http://127.0.0.1:3000", dir), "kf_two");
    process.env.KEYFORGE_API_KEY = "kf_env";
    assert.equal(await apiKeyFor("http://hive.example", dir), "kf_env");
  });

  it("names a corrupt file and where to get a key, never quoting a key", async () => {
    const dir = tempDir();
    writeFileSync(apiKeysFile(dir), '{ "format": "keyforge-api-keys/1", "keys": { "kf_secret');
    for (const attempt of [
      () => apiKeyFor("http://hive.example", dir),
      () => saveApiKey("http://hive.example", "kf_new", dir),
    ]) {
      await assert.rejects(attempt, (error: KeyForgeError) => {
        assert.equal(error.code, "API_KEYS_INVALID");
        assert.ok(error.message.includes(apiKeysFile(dir)), error.message);
        assert.doesNotMatch(error.message, /kf_secret|kf_new/);
        return true;
      });
    }
    writeFileSync(apiKeysFile(dir), JSON.stringify({ format: "x", keys: { a: "kf_secret" } }));
    await assert.rejects(() => apiKeyFor("http://a", dir), /is not a keyforge-api-keys\/1 file/);
    await assert.rejects(
      () => requireApiKey("http://hive.example", tempDir()),
      /no API key for the hive at http:\/\/hive\.example .*KEYFORGE_API_KEY.*keyforge up/,
    );
  });
});

describe("keyforge submit, jobs, job, watch, cancel and cluster against a hive", () => {
  let hive: TestHive;
  let gateway: FastifyInstance;
  let hiveUrl: string;
  let assetsUrl: string;
  let aliceKey: string;
  const dataDir = tempDir();
  before(async () => {
    hive = await startHive("embedded");
    hiveUrl = await hive.app.listen({ host: "127.0.0.1", port: 0 });
    gateway = buildAssetsGateway(hive.coordinator);
    assetsUrl = await gateway.listen({ host: "127.0.0.1", port: 0 });
    aliceKey = hive.auth.alice.authorization.slice("Bearer ".length);
  });
  after(async () => {
    await gateway.close();
    // The stopped agent's HTTP pool may hold a connection that never carried a request, which
    // the server would otherwise wait out (its headers timeout, a minute).
    hive.app.server.closeAllConnections();
    await hive.close();
  });

  /** Runs `keyforge <args>` as a user of the hive (alice's key) would; `env` changes that. */
  const keyforge = (args: readonly string[], env: Record<string, string> = {}) =>
    startCli(args, {
      env: {
        KEYFORGE_HIVE_URL: hiveUrl,
        KEYFORGE_ASSETS_URL: assetsUrl,
        KEYFORGE_API_KEY: aliceKey,
        KEYFORGE_DATA_DIR: dataDir,
        ...env,
      },
    });
  const run = (args: readonly string[], env?: Record<string, string>): Promise<CliResult> =>
    keyforge(args, env).exited();
  const jobView = async (id: string) =>
    (await hive.app.inject({ url: `/jobs/${id}` })).json() as JobView;
  /** A job of alice's, submitted straight to the hive; its id. */
  const submitAsAlice = async (name: string, units: number, seed: number) => {
    const submitted = await hive.app.inject({
      method: "POST",
      url: "/jobs",
      headers: hive.auth.alice,
      payload: {
        name,
        board: "corne",
        corpora: [{ id: "en" }],
        search: { units, stepsPerUnit: 50_000, seed },
      },
    });
    return (submitted.json() as JobView).id;
  };

  const SUBMIT = ["submit", "--board", "corne", "--units", "2", "--steps", "20000"];
  let jobId = "";

  it("submits a job and prints its id; the same job again gives the same id", async () => {
    const first = await run([...SUBMIT, "--seed", "41", "--name", "cli job"]);
    assert.equal(first.status, 0, first.stderr);
    jobId = first.stdout.trim();
    assert.match(jobId, /^[0-9a-f]{64}$/);
    assert.match(first.stderr, /submitted job [0-9a-f]{12} "cli job": 2 units of 20,000 steps/);
    const view = await jobView(jobId);
    assert.equal(view.name, "cli job");
    assert.equal(view.units.total, 2);
    assert.equal(view.status, "queued");

    const again = await run([...SUBMIT, "--seed", "41", "--name", "another name"]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout.trim(), jobId);
    assert.match(again.stderr, /was submitted before .*queued, 0\/2 units done/);
  });

  it("lists the job, also with --mine and the key from api-keys.json", async () => {
    const keysDir = tempDir();
    await saveApiKey(hiveUrl, aliceKey, keysDir);
    const [listed, mine] = await Promise.all([
      run(["jobs"]),
      run(["jobs", "--mine", "--json"], { KEYFORGE_API_KEY: "", KEYFORGE_DATA_DIR: keysDir }),
    ]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^id\s+name\s+status\s+units\s+best\s+created \(UTC\)$/m);
    assert.match(
      listed.stdout,
      new RegExp(`^${jobId.slice(0, 12)}\\s+cli job\\s+queued\\s+2\\s+-`, "m"),
    );
    assert.equal(mine.status, 0, mine.stderr);
    assert.deepEqual(
      jobListSchema.parse(JSON.parse(mine.stdout)).jobs.map((job) => job.id),
      [jobId],
    );
  });

  it("watches the job an agent completes, then shows it, its layout and metrics, and the cluster", async () => {
    const watching = keyforge(["watch", jobId.slice(0, 10)]);
    await watching.waitFor(
      /watching job [0-9a-f]{12} "cli job": queued, 0\/2 done, 0 running, 2 queued; Ctrl-C/,
    );
    const { agent, lines, stop } = startTestAgent({ hiveUrl, assetsUrl }, undefined, {
      name: "cli desk",
    });
    try {
      const watched = await watching.exited();
      assert.equal(watched.status, 0, `${watched.stderr}\n${lines.join("\n")}`);
      const view = await jobView(jobId);
      assert.equal(view.status, "completed");
      const best = view.best as NonNullable<JobView["best"]>;
      assert.match(watched.stdout, /completed after \S+: 2\/2 units done/);
      assert.ok(watched.stdout.includes(`best score ${best.score.toFixed(3)}`), watched.stdout);
      assert.ok(watched.stdout.includes(best.layout.trimEnd()), watched.stdout);
      // Off a terminal, a line at each new best: the units, the time left (or why it is not
      // known yet), the pace when the cluster shows it, the best score and the time so far.
      assert.match(
        watched.stderr,
        /^job [0-9a-f]{12}: \d\/2 done, \d running, \d queued · (estimating…|waiting for an agent|finishing…|~\S+ left)( · [\d,]+ steps\/s)? · new best \d+\.\d{3} · \d+s$/m,
      );

      await eventually("the agent's heartbeat", async () => {
        const cluster = (await (await fetch(`${hiveUrl}/cluster`)).json()) as { liveNodes: number };
        return cluster.liveNodes === 1;
      });
      const [shown, undrawn, json, cluster] = await Promise.all([
        run(["job", jobId.slice(0, 8)]),
        run(["job", jobId, "--assets", await closedPortUrl()]),
        run(["job", jobId, "--json"]),
        run(["cluster"]),
      ]);
      assert.equal(shown.status, 0, shown.stderr);
      assert.match(shown.stdout, /^status\s+completed, priority 0$/m);
      assert.match(shown.stdout, /^progress\s+100%: 2\/2 units done$/m);
      assert.match(shown.stdout, new RegExp(`^best\\s+${best.score.toFixed(3)}$`, "m"));
      assert.match(shown.stdout, /^scoring\s+board corne, corpora en ×1, weights balanced$/m);
      assert.match(shown.stdout, /best layout \(score [\d.]+, unit [0-9a-f]{12}\.\d\):\n\s*\[/);
      assert.match(shown.stdout, /same-finger bigrams \(SFB\)\s+\d+\.\d\d%/);
      assert.match(
        shown.stdout,
        /top results:\n#\s+score\s+unit\s+layout \(the keys where they differ\)\n1\s+[\d.]+\s+[0-9a-f]{12}\.\d\s+\S/,
      );
      assert.doesNotMatch(shown.stdout, /not drawn/);
      for (const line of `${shown.stdout}${undrawn.stdout}`.split("\n")) {
        assert.ok([...line].length <= 100, `wider than 100 columns: ${line}`);
      }
      assert.equal(undrawn.status, 0, undrawn.stderr);
      assert.match(
        undrawn.stdout,
        /not drawn: cannot reach the assets gateway at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
      );
      assert.ok(undrawn.stdout.includes(best.layout.trimEnd()), undrawn.stdout);
      assert.equal(json.status, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout), view);
      assert.match(json.stdout, /"unitId": "[0-9a-f]{64}\.\d"/, "full unit ids in JSON");
      assert.equal(cluster.status, 0, cluster.stderr);
      assert.match(cluster.stdout, /^1 live node, [\d,]+ steps\/s in all$/m);
      assert.match(
        cluster.stdout,
        new RegExp(
          `^${agent.nodeId?.slice(0, 12)}\\s+cli desk\\s+[\\d,]+\\s+\\d\\s+\\S+\\s+\\d+s ago\\s+\\d+ MB$`,
          "m",
        ),
      );
    } finally {
      await stop();
    }
  });

  it("cancels a job, and watching it then ends at once with exit 1", async () => {
    const id = await submitAsAlice("to cancel", 3, 7);
    const cancelled = await run(["cancel", id.slice(0, 12)]);
    assert.equal(cancelled.status, 0, cancelled.stderr);
    assert.match(
      cancelled.stdout,
      /^job [0-9a-f]{12} cancelled: 0\/3 units done \(3 cancelled\)$/m,
    );
    assert.equal((await jobView(id)).status, "cancelled");
    const watched = await run(["watch", id]);
    assertCleanFailure(watched, /keyforge: job [0-9a-f]{12} was cancelled/);
    assert.match(watched.stdout, /"to cancel" cancelled after/);
  });

  it("retries a failed job with `keyforge job retry`, and `keyforge job <id>` still shows it", async () => {
    const id = await submitAsAlice("to retry", 2, 8);
    // Both units fail for good (their agent could not fetch an asset), and the job with them.
    await hive.db.query("UPDATE units SET priority = 100 WHERE job_id = $1", [id]);
    const units = new UnitRepository(hive.db);
    const node = await registeredNode(hive.db);
    for (const unit of await units.leaseUnits(node, 2, 60)) {
      await units.failUnit(unit.id, node, "the assets gateway has no blob", 1);
    }
    assert.equal((await jobView(id)).status, "failed");

    const retried = await run(["job", "retry", id.slice(0, 12)]);
    assert.equal(retried.status, 0, retried.stderr);
    assert.match(retried.stdout, /^job [0-9a-f]{12} queued again: 0\/2 units done/m);
    assert.match(retried.stderr, /follow it with keyforge watch [0-9a-f]{12}/);
    assert.equal((await jobView(id)).units.queued, 2);
    const shown = await run(["job", id.slice(0, 12)]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /^status\s+queued, priority 0$/m);
    const again = await run(["job", "retry", id]);
    assertCleanFailure(again, /JOB_NOT_RETRYABLE: job [0-9a-f]{64} is queued/);
  });

  it("shows the cluster within 100 columns, with a CPU temperature column only when a node reports one", async () => {
    const beat = async (name: string, telemetry: Record<string, unknown>) => {
      const node = await registerAgent(hive.app, { name });
      const response = await hive.app.inject({
        method: "POST",
        url: `/nodes/${node.nodeId}/heartbeat`,
        headers: node.headers,
        payload: { telemetry: { units: [], ...telemetry } },
      });
      assert.equal(response.statusCode, 200, response.body);
      return node.nodeId;
    };
    const cool = await beat("a volunteer who gave a very long name indeed", { ips: 1_234_567 });
    const before = await run(["cluster"]);
    assert.equal(before.status, 0, before.stderr);
    assert.doesNotMatch(before.stdout, /temp/, "no node reports a temperature");
    const warm = await beat("lab", { ips: 5, temperatureC: 64.6, memoryMb: 2048 });
    const [shown, json] = await Promise.all([run(["cluster"]), run(["cluster", "--json"])]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(
      shown.stdout,
      /^node\s+name\s+steps\/s\s+units\s+best\s+heartbeat\s+CPU temp\s+memory$/m,
    );
    assert.match(
      shown.stdout,
      new RegExp(
        `^${cool.slice(0, 12)}\\s+a volunteer who gav…\\s+1,234,567\\s+0\\s+-\\s+\\d+s ago\\s+-\\s+-$`,
        "m",
      ),
    );
    assert.match(
      shown.stdout,
      new RegExp(`^${warm.slice(0, 12)}\\s+lab\\s+5\\s+.*65 °C\\s+2048 MB$`, "m"),
    );
    for (const line of shown.stdout.split("\n")) {
      assert.ok([...line].length <= 100, `wider than 100 columns: ${line}`);
    }
    const nodes = JSON.parse(json.stdout).nodes as { nodeId: string; name: string }[];
    assert.deepEqual(
      nodes
        .filter((node) => node.nodeId === cool || node.nodeId === warm)
        .map((node) => node.name)
        .sort(),
      ["a volunteer who gave a very long name indeed", "lab"],
      "--json has whole ids and names",
    );
  });

  it("fails cleanly: no hive, no key, a wrong key, a bad flag, an unknown job", async () => {
    const nowhere = await closedPortUrl();
    const [noHive, noKey, wrongKey, badFlag, badStatus, unknown] = await Promise.all([
      run(["jobs"], { KEYFORGE_HIVE_URL: nowhere }),
      run(SUBMIT, { KEYFORGE_API_KEY: "", KEYFORGE_DATA_DIR: tempDir() }),
      run(["cancel", jobId], { KEYFORGE_API_KEY: "kf_wrong-key" }),
      run([...SUBMIT.slice(0, 5), "--steps", "10", "--units", "20000"], {
        KEYFORGE_HIVE_URL: nowhere,
      }),
      run(["jobs", "--status", "done"]),
      run(["job", "0".repeat(64)]),
    ]);
    assertCleanFailure(
      noHive,
      /cannot reach the hive at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): is `keyforge up` running\?/,
    );
    assertCleanFailure(noKey, /no API key for the hive at .*set KEYFORGE_API_KEY/);
    assertCleanFailure(wrongKey, /AUTH_INVALID: .*; set KEYFORGE_API_KEY, run `keyforge up`/);
    assert.doesNotMatch(wrongKey.stderr, /kf_wrong-key/);
    assertCleanFailure(badFlag, /--units: .*the limit \(units\) is 10,000; --steps: .*>=10000/);
    assertCleanFailure(badStatus, /--status must be one of queued, running, completed/);
    assertCleanFailure(unknown, /JOB_NOT_FOUND: no job 0{64}/);
  });
  it("takes optimize's flags: --pin, --weight and --steps, and still the former --pins and --set", async () => {
    const base = ["submit", "--board", "corne", "--units", "2", "--seed", "90"];
    const current = await run([...base, "--steps", "20000", "--pin", "etn", "--weight", "sfb=12"]);
    assert.equal(current.status, 0, current.stderr);
    assert.match(
      current.stderr,
      /submitted job [0-9a-f]{12} "corne, en": 2 units of 20,000 steps;/,
    );
    const id = current.stdout.trim();
    const { content } = await jobView(id);
    assert.equal(content.search.stepsPerUnit, 20_000);
    assert.equal([...content.search.pins].sort().join(""), "ent");
    assert.deepEqual(content.weightOverrides, { sfb: 12 });

    const former = await run([...base, "--steps", "20000", "--pins", "etn", "--set", "sfb=12"]);
    assert.equal(former.status, 0, former.stderr);
    assert.equal(former.stdout.trim(), id, "the same job");
    assert.match(former.stderr, /was submitted before/);
    assertCleanFailure(await run([...base, "--steps", "5000"]), /--steps: .*>=10000/);
  });

  it("submits a time-budgeted job with --time and --converge, and refuses --time with --units or --steps", async () => {
    const base = ["submit", "--board", "corne", "--seed", "92"];
    const timed = await run([...base, "--time", "2m", "--converge", "30s", "--top-distance", "4"]);
    assert.equal(timed.status, 0, timed.stderr);
    assert.match(
      timed.stderr,
      /submitted job [0-9a-f]{12} "corne, en": 2m 00s of search from its first lease, on every agent that takes it;/,
    );
    const id = timed.stdout.trim();
    const view = await jobView(id);
    assert.equal(view.content.search.timeSeconds, 120);
    assert.equal(view.content.search.convergeSeconds, 30);
    assert.equal(view.content.search.topDistance, 4);
    assert.equal(view.content.search.units, undefined);
    assert.equal(view.units.total, 0, "its units are cut as agents lease it");
    assert.equal(view.endsAt, null, "its clock starts with its first lease");
    const shown = await run(["job", id]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /2m 00s of search/);
    assert.match(shown.stdout, /ends early after 30s without a better layout/);

    assertCleanFailure(
      await run([...base, "--time", "2m", "--units", "4"]),
      /give --time, or --units and --steps, not both/,
    );
    assertCleanFailure(
      await run([...base, "--time", "2m", "--steps", "20000"]),
      /give --time, or --units and --steps, not both/,
    );
    assertCleanFailure(await run([...base, "--time", "5s"]), /--time: .*>=10/);
  });

  it("takes optimize's --place, --exclude and --stay-close, and checks a board file's keys before asking the hive", async () => {
    const base = ["submit", "--board", "corne", "--units", "2", "--steps", "20000", "--seed", "91"];
    const posed = await run([
      ...base,
      ...["--place", "tsae", "--exclude", "r1c4,r0c1", "--stay-close", "0.5"],
    ]);
    assert.equal(posed.status, 0, posed.stderr);
    const { content } = await jobView(posed.stdout.trim());
    assert.equal(content.search.place, "aest");
    assert.deepEqual(content.search.exclude, ["r0c1", "r1c4"]);
    assert.equal(content.search.stayClose, 0.5);
    const shown = await run(["job", posed.stdout.trim()]);
    assert.match(
      shown.stdout,
      /^search\s+2 units × 20,000 steps, seed 91, start qwerty, moving only "aest", the 3x10 letter block,\s+keys r0c1, r1c4 left alone, stay close 0\.5$/m,
    );

    assertCleanFailure(
      await run([...base, "--exclude", "nokey"]),
      /FLAG_INVALID: --exclude names keys board corne does not have: nokey/,
    );
    const nowhere = await closedPortUrl();
    const boardFile = join(SYSTEM_DATA_DIR, "boards", "ortho-3x10.json");
    const offline = ["submit", "--board", boardFile, "--steps", "20000"];
    const [exclude, pin, stayClose] = await Promise.all([
      run([...offline, "--exclude", "r0c1,nokey"], { KEYFORGE_HIVE_URL: nowhere }),
      run(
        [
          ...offline,
          "--start-layout",
          "q w e r t y u i o p\na s d f g h j k l ;\nz x c v b n m , . /",
          "--pin",
          "☃",
        ],
        {
          KEYFORGE_HIVE_URL: nowhere,
        },
      ),
      run([...offline, "--stay-close", "-1"], { KEYFORGE_HIVE_URL: nowhere }),
    ]);
    assertCleanFailure(exclude, /--exclude names keys board ortho-3x10 does not have: nokey/);
    assertCleanFailure(pin, /cannot pin "☃": the layout does not have it/);
    assertCleanFailure(stayClose, /option '--stay-close <penalty>' argument '-1' is invalid/);
  });
});
