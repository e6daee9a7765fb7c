import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";
import http2 from "node:http2";
import https from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import tls from "node:tls";
import type { FastifyInstance } from "fastify";
import { buildAssetsGateway } from "../../src/assets/assets-gateway.ts";
import { SCORING_RULES } from "../../src/core/scoring/model.ts";
import { buildHive } from "../../src/hive/hive-app.ts";
import { leaseReplySchema, nodeRegisteredSchema } from "../../src/protocol/node-messages.ts";
import {
  APACHE_MODULES,
  makeTestCertificates,
  type RunningApache,
  requireApache,
  startApache,
  type TestCertificates,
} from "../helpers/apache-gateway.ts";
import { eventually } from "../helpers/eventually.ts";
import { freePort } from "../helpers/free-port.ts";
import { HIVE_SECRET, startHive, type TestHive } from "../helpers/hive.ts";
import { registerAgent } from "../helpers/hive-agent.ts";
import { runCli } from "../helpers/run-cli.ts";
import { buildWebApp, launchChromium } from "../helpers/web-browser.ts";

const REPOSITORY = resolve(import.meta.dirname, "../..");
const GATEWAY_DIR = join(REPOSITORY, "deploy/gateway");
const DOMAIN = "test.example";
const WEB = `keyforge.${DOMAIN}`;
const API = `api.keyforge.${DOMAIN}`;
const ASSETS = `assets.keyforge.${DOMAIN}`;
/** The address the gateway connects to the services from, which the hives trust. */
const GATEWAY_ADDRESS = "127.0.0.1";
/** Another loopback address for the client, so the services can tell it from the gateway. */
const CLIENT_ADDRESS = "127.0.0.2";
const MIB = 1024 * 1024;
const LONG_POLL_SECONDS = 25;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a service saw of one request. */
interface Seen {
  readonly service: "hive-1" | "hive-2" | "assets";
  readonly method: string;
  readonly url: string;
  /** The client's address as the service took it. */
  readonly ip: string;
  /** The address of the connection's other end (the gateway). */
  readonly peer: string | undefined;
  readonly forwardedFor: string | undefined;
  readonly origin: string | undefined;
  readonly requestId: string;
  readonly sentRequestId: string | undefined;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

describe("the Apache gateway (deploy/gateway/httpd.conf) in front of real services", () => {
  let dir: string;
  let certificates: TestCertificates;
  let hive: TestHive | undefined;
  let secondHive: FastifyInstance | undefined;
  let assets: FastifyInstance | undefined;
  let apache: RunningApache | undefined;
  let httpPort: number;
  let httpsPort: number;
  let webRoot: string;
  const seen: Seen[] = [];
  const closers: (() => void)[] = [];
  /** Two long polls for work (HTTP/1.1 and HTTP/2) started once everything runs. */
  let longPolls: Promise<{ status: number; units: unknown[]; seconds: number }[]>;

  /** Records every request `app` receives. */
  function watch(app: FastifyInstance, service: Seen["service"]): void {
    app.addHook("onRequest", async (request) => {
      const header = (name: string) => request.headers[name] as string | undefined;
      seen.push({
        service,
        method: request.method,
        url: request.url,
        ip: request.ip,
        peer: request.socket.remoteAddress,
        forwardedFor: header("x-forwarded-for"),
        origin: header("origin"),
        requestId: request.id,
        sentRequestId: header("x-request-id"),
      });
    });
  }

  const seenWithId = (id: string) => seen.filter((request) => request.requestId === id);

  /** `keyforge web-root` into the gateway's web root, with the assets host and `api`. */
  function writeWebRoot(api: string): void {
    const written = runCli([
      "web-root",
      "--out",
      webRoot,
      "--api",
      api,
      "--assets",
      `https://${ASSETS}`,
    ]);
    assert.equal(written.status, 0, written.stderr);
  }

  /** A response read to its end. */
  function answerOf(response: http.IncomingMessage): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      response.on("error", reject);
    });
  }

  /** One HTTPS request to the gateway on a new connection, as a client of `host` sends it. */
  function request(
    host: string,
    path: string,
    options: {
      method?: string;
      headers?: OutgoingHttpHeaders;
      body?: string | Buffer;
      localAddress?: string;
      /** The SNI name (default `host`; "" for none). */
      servername?: string;
    } = {},
  ): Promise<Answer> {
    const servername = options.servername ?? host;
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: "127.0.0.1",
          port: httpsPort,
          method: options.method ?? "GET",
          path,
          headers: { host: `${host}:${httpsPort}`, ...options.headers },
          servername,
          ca: certificates.ca,
          // A name the certificate does not hold is still sent, to see what the gateway does.
          checkServerIdentity: () => undefined,
          localAddress: options.localAddress,
          agent: false,
        },
        (response) => answerOf(response).then(resolve, reject),
      );
      req.on("error", reject);
      req.end(options.body);
    });
  }

  /** One plain HTTP request to the gateway's port 80 (here httpPort). */
  function plainRequest(host: string, path: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port: httpPort, path, headers: { host }, agent: false },
        (response) => answerOf(response).then(resolve, reject),
      );
      req.on("error", reject);
      req.end();
    });
  }

  /** An HTTP/2 session with the gateway for `host`. */
  function connectHttp2(host: string): http2.ClientHttp2Session {
    const session = http2.connect(`https://${host}:${httpsPort}`, {
      host: "127.0.0.1",
      servername: host,
      ca: certificates.ca,
    });
    session.on("error", () => {});
    closers.push(() => session.destroy());
    return session;
  }

  /** One request on an HTTP/2 session. */
  function request2(
    session: http2.ClientHttp2Session,
    path: string,
    options: { method?: string; headers?: http2.OutgoingHttpHeaders; body?: string } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const stream = session.request({
        ":method": options.method ?? "GET",
        ":path": path,
        ...options.headers,
      });
      let headers: IncomingHttpHeaders = {};
      stream.on("response", (received) => {
        headers = received as IncomingHttpHeaders;
      });
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () =>
        resolve({
          status: Number(headers[":status"]),
          headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      stream.on("error", reject);
      stream.end(options.body);
    });
  }

  /** A long poll for work through the gateway by a newly registered node. */
  async function longPoll(over: "http/1.1" | "h2") {
    const agent = await registerAgent((hive as TestHive).app, { name: `poller-${over}` });
    const body = JSON.stringify({
      nodeId: agent.nodeId,
      scoring: SCORING_RULES,
      max: 1,
      waitSeconds: LONG_POLL_SECONDS,
    });
    const headers = { ...agent.headers, "content-type": "application/json" };
    const started = performance.now();
    const answer =
      over === "h2"
        ? await request2(connectHttp2(API), "/leases", { method: "POST", headers, body })
        : await request(API, "/leases", { method: "POST", headers, body });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(answer.status, 200, `${over}: ${answer.status} ${answer.body}`);
    return {
      status: answer.status,
      units: leaseReplySchema.parse(JSON.parse(answer.body)).units,
      seconds,
    };
  }

  before(async () => {
    requireApache();
    dir = mkdtempSync(join(tmpdir(), "keyforge-gateway-"));
    // httpd serves requests as `daemon`: it must reach the web root inside this folder.
    chmodSync(dir, 0o755);
    certificates = makeTestCertificates(dir, [WEB, API, ASSETS]);
    // The web root as production makes it: this checkout's build, written by keyforge web-root.
    buildWebApp();
    webRoot = join(dir, "web");
    writeWebRoot(`https://${API}`);
    const run = join(dir, "run");
    mkdirSync(run, { mode: 0o755 });

    // The web host's pages may call the API, as `--cors-origin` lets them in production.
    const corsOrigins = [`https://${WEB}`];
    hive = await startHive("server", { trustProxy: GATEWAY_ADDRESS, corsOrigins });
    secondHive = await buildHive({
      db: hive.db,
      coordinator: hive.anotherCoordinator(),
      secrets: [HIVE_SECRET],
      trustProxy: GATEWAY_ADDRESS,
      corsOrigins,
      rateLimits: null,
      maxStreamsPerClient: Number.POSITIVE_INFINITY,
      keyQuota: { maxOpenJobs: Number.POSITIVE_INFINITY, maxOpenUnits: Number.POSITIVE_INFINITY },
      reaperPeriodMs: 0,
      log: () => {},
    });
    // The assets gateway has no trust-proxy setting: it takes the peer for the client.
    assets = buildAssetsGateway(hive.coordinator);
    watch(hive.app, "hive-1");
    watch(secondHive, "hive-2");
    watch(assets, "assets");
    const listen = (app: FastifyInstance) => app.listen({ host: "127.0.0.1", port: 0 });
    const [hive1Url, hive2Url, assetsUrl] = await Promise.all([
      listen(hive.app),
      listen(secondHive),
      listen(assets),
    ]);

    httpPort = await freePort();
    httpsPort = await freePort();
    const errorLogFile = join(run, "error.log");
    const accessLogFile = join(run, "access.log");
    apache = await startApache({
      configFile: join(GATEWAY_DIR, "httpd.conf"),
      env: {
        KEYFORGE_DOMAIN: DOMAIN,
        KEYFORGE_GATEWAY_MODULES: APACHE_MODULES,
        KEYFORGE_GATEWAY_HTTP_PORT: String(httpPort),
        KEYFORGE_GATEWAY_HTTPS_PORT: String(httpsPort),
        KEYFORGE_GATEWAY_TLS_CERT: certificates.chainFile,
        KEYFORGE_GATEWAY_TLS_KEY: certificates.keyFile,
        KEYFORGE_GATEWAY_WEB_ROOT: webRoot,
        KEYFORGE_GATEWAY_HIVE_1: hive1Url,
        KEYFORGE_GATEWAY_HIVE_2: hive2Url,
        KEYFORGE_GATEWAY_ASSETS: assetsUrl,
        KEYFORGE_GATEWAY_RUN_DIR: run,
        KEYFORGE_GATEWAY_ACCESS_LOG: accessLogFile,
        KEYFORGE_GATEWAY_ERROR_LOG: errorLogFile,
      },
      errorLogFile,
      accessLogFile,
      ready: async () => (await request(WEB, "/")).status === 200,
    });
    // The long polls take 25 s: they run while the other checks do, and the last one awaits them.
    longPolls = Promise.all([longPoll("http/1.1"), longPoll("h2")]);
    longPolls.catch(() => {});
  });

  after(async () => {
    for (const close of closers) close();
    // The services first: they end their event streams, which frees httpd's workers at once
    // (a worker proxying a stream whose client left notices only when it next writes).
    await secondHive?.close();
    await assets?.close();
    await hive?.close();
    await apache?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The headers the gateway puts on every response, whatever answered it. CORS is the
   * services' own: `cors` is the Access-Control-Allow-Origin the service behind sends, if any.
   */
  function assertSecurityHeaders(answer: Answer, what: string, cors?: string): void {
    const h = answer.headers;
    assert.equal(h["strict-transport-security"], "max-age=63072000; includeSubDomains", what);
    assert.equal(h["x-content-type-options"], "nosniff", what);
    assert.equal(h["x-frame-options"], "DENY", what);
    assert.equal(h["referrer-policy"], "strict-origin-when-cross-origin", what);
    const permissions = String(h["permissions-policy"]);
    for (const feature of ["camera", "microphone", "geolocation", "payment", "usb"]) {
      assert.ok(permissions.includes(`${feature}=()`), `${what}: Permissions-Policy ${feature}`);
    }
    assert.match(String(h["content-security-policy"]), /frame-ancestors 'none'/, what);
    // "Apache" at most: no version, no OS, no modules.
    assert.ok(h.server === undefined || h.server === "Apache", `${what}: Server ${h.server}`);
    assert.equal(h["access-control-allow-origin"], cors, `${what}: the service's CORS, as is`);
    if (cors !== undefined) return;
    for (const name of Object.keys(h)) {
      assert.ok(!name.startsWith("access-control-"), `${what}: the gateway adds no CORS (${name})`);
    }
  }

  /** The Access-Control-* headers of an answer. */
  const corsHeaders = (headers: IncomingHttpHeaders | OutgoingHttpHeaders) =>
    Object.fromEntries(
      Object.entries(headers).filter(([name]) => name.startsWith("access-control-")),
    );

  it("passes `apache2 -t`, and starts with OCSP stapling on a certificate that names no responder", () => {
    const { syntaxCheck, errorLog } = apache as RunningApache;
    assert.match(syntaxCheck, /Syntax OK/);
    // Stapling is on: httpd notes that this certificate names no OCSP responder, and serves.
    assert.match(errorLog(), /AH02218: ssl_stapling_init_cert: no OCSP URI/);
    assert.match(errorLog(), /resuming normal operations/);
  });

  /** The page and config.json the web root serves now. */
  const servedFile = (name: string) => readFileSync(join(webRoot, "current", name), "utf8");

  it("serves the web app keyforge web-root wrote on keyforge.<domain>, with a strict CSP", async () => {
    const page = await request(WEB, "/");
    assert.equal(page.status, 200);
    assert.equal(page.body, servedFile("index.html"));
    assert.match(page.body, /<script type="module" crossorigin src="\.\/static\/[^"]+\.js">/);
    assert.match(String(page.headers["content-type"]), /^text\/html; charset=utf-8$/);
    assert.equal(page.headers["cache-control"], "no-cache", "a new release shows at once");
    assertSecurityHeaders(page, "web page");
    const csp = String(page.headers["content-security-policy"]);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "worker-src 'self'",
      "style-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "connect-src 'self' https://api.keyforge.test.example https://assets.keyforge.test.example",
    ]) {
      assert.ok(csp.split("; ").includes(directive), `CSP has ${directive}: ${csp}`);
    }

    const config = await request(WEB, "/config.json");
    assert.equal(config.status, 200);
    assert.match(String(config.headers["content-type"]), /^application\/json/);
    assert.equal(config.headers["cache-control"], "no-cache");
    assert.deepEqual(JSON.parse(config.body), {
      api: `https://${API}`,
      assets: `https://${ASSETS}`,
    });

    // The page's own script and style sheet: hashed names, kept for good, typed exactly.
    for (const [pattern, type] of [
      [/src="\.\/(static\/[^"]+\.js)"/, /^text\/javascript; charset=utf-8$/],
      [/href="\.\/(static\/[^"]+\.css)"/, /^text\/css; charset=utf-8$/],
    ] as const) {
      const path = pattern.exec(page.body)?.[1];
      assert.ok(path, `index.html names a file matching ${pattern}`);
      const file = await request(WEB, `/${path}`);
      assert.equal(file.status, 200, path);
      assert.equal(file.body, servedFile(path));
      assert.match(String(file.headers["content-type"]), type, path);
      assert.equal(file.headers["cache-control"], "public, max-age=31536000, immutable", path);
      assertSecurityHeaders(file, path);
    }
    const missing = await request(WEB, "/static/no-such-file.js");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers["cache-control"], undefined, "a 404 is not kept for good");
    assertSecurityHeaders(missing, "web 404");
    // Only the release is served: not the web root's other folders, nor a listing.
    for (const path of ["/releases/", "/current/index.html", "/static/"]) {
      assert.ok([403, 404].includes((await request(WEB, path)).status), path);
    }
  });

  it("runs the web app in Chromium through the gateway: assets and API hosts, workers, no CSP violation", async () => {
    // The browser asks for the public names on the default port; they lead to this gateway.
    const rules = [WEB, API, ASSETS].map((host) => `MAP ${host} 127.0.0.1:${httpsPort}`);
    const browser = await launchChromium([`--host-resolver-rules=${rules.join(", ")}`]);
    try {
      // The throw-away CA is not one the browser knows.
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const problems: string[] = [];
      // (Scripts for the page are text: this file is not compiled with the DOM's types.)
      await context.addInitScript(`
        document.addEventListener("securitypolicyviolation", (event) =>
          console.error("CSP violation: " + event.violatedDirective + " " + event.blockedURI +
            " at " + event.sourceFile + ":" + event.lineNumber));
      `);
      const page = await context.newPage();
      const report = (where: string) => (message: { type(): string; text(): string }) => {
        if (message.type() === "error") problems.push(`${where}: ${message.text()}`);
      };
      page.on("console", report("page"));
      page.on("worker", (worker) => worker.on("console", report("worker")));
      page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
      page.on("requestfailed", (failed) => problems.push(`request: ${failed.url()}`));

      await page.goto(`https://${WEB}/#/analyse?b=corne&l=qwerty&c=en&w=balanced`);
      const cell = await page.waitForSelector('[data-metric="score"][data-value]');
      const cli = runCli(["analyze", "qwerty", "--board", "corne", "--json"]);
      assert.equal(cli.status, 0, cli.stderr);
      assert.equal(Number(await cell.getAttribute("data-value")), JSON.parse(cli.stdout).score);
      // The Compare page ranks the library in a module Web Worker loaded from /static/, which
      // reads the assets host itself.
      await page.goto(`https://${WEB}/#/compare?b=corne&c=en&w=balanced`);
      await page.locator("table.ranking tbody tr").nth(1).waitFor();
      // The Cluster page reads the API host (CORS) and follows its event stream.
      await page.goto(`https://${WEB}/#/cluster`);
      await page.waitForSelector('[data-total="nodes"]');
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });

  it("serves a new release once keyforge web-root writes one, with no restart", async () => {
    const before = readlinkSync(join(webRoot, "current"));
    writeWebRoot(`https://${API}/v2`);
    assert.notEqual(readlinkSync(join(webRoot, "current")), before);
    const config = await request(WEB, "/config.json");
    assert.equal(JSON.parse(config.body).api, `https://${API}/v2`);
    const page = await request(WEB, "/");
    assert.equal(page.status, 200);
    assert.equal(page.body, servedFile("index.html"));
  });

  it("proxies api.keyforge.<domain> to both hive instances, and health-checks them", async () => {
    const before = seen.length;
    for (let i = 0; i < 8; i++) {
      const health = await request(API, "/health");
      assert.equal(health.status, 200, health.body);
      assert.equal(JSON.parse(health.body).status, "ok");
      assertSecurityHeaders(health, "api /health");
    }
    const served = seen.slice(before).filter((request) => request.url === "/health");
    assert.ok(
      served.some((request) => request.service === "hive-1"),
      "hive-1 served none",
    );
    assert.ok(
      served.some((request) => request.service === "hive-2"),
      "hive-2 served none",
    );
    // mod_proxy_hcheck's own GET /health reaches each member (no client request id on it).
    await eventually(
      "a health check of each hive by the gateway",
      () =>
        ["hive-1", "hive-2"].every((service) =>
          seen.some(
            (request) =>
              request.service === service &&
              request.url === "/health" &&
              request.sentRequestId === undefined,
          ),
        ),
      15_000,
    );
    const notFound = await request(API, "/no-such-route");
    assert.equal(notFound.status, 404);
    assert.equal(JSON.parse(notFound.body).code, "NOT_FOUND", "the hive's own 404");
    assertSecurityHeaders(notFound, "api 404");
    const jobs = await request(API, "/jobs", { headers: (hive as TestHive).auth.alice });
    assert.equal(jobs.status, 200, jobs.body);
  });

  it("passes Origin to the hive and its CORS answer back as is, adding none of its own", async () => {
    const origin = `https://${WEB}`;
    const id = `origin-${randomBytes(6).toString("hex")}`;
    const answer = await request(API, "/health", { headers: { origin, "x-request-id": id } });
    assert.equal(answer.status, 200);
    assertSecurityHeaders(answer, "api with Origin", origin);
    assert.equal(seenWithId(id)[0]?.origin, origin);
    const direct = await (hive as TestHive).app.inject({
      url: "/health",
      headers: { origin, "x-request-id": `${id}-direct` },
    });
    assert.deepEqual(corsHeaders(answer.headers), corsHeaders(direct.headers));
    // An origin the hive does not allow gets no CORS, from the hive or the gateway.
    const other = await request(API, "/health", { headers: { origin: "https://evil.example" } });
    assertSecurityHeaders(other, "api with another Origin");
  });

  it("proxies assets.keyforge.<domain> to the assets gateway", async () => {
    const manifest = await request(ASSETS, "/manifest");
    assert.equal(manifest.status, 200);
    assertSecurityHeaders(manifest, "assets manifest", "*");
    const entries = JSON.parse(manifest.body) as { path: string; sha256: string; size: number }[];
    const corne = entries.find((entry) => entry.path === "boards/corne.json");
    assert.ok(corne, "the manifest lists boards/corne.json");
    const blob = await request(ASSETS, `/blobs/${corne.sha256}`);
    assert.equal(blob.status, 200);
    assert.equal(Buffer.byteLength(blob.body), corne.size);
    const byPath = await request(ASSETS, "/assets/boards/corne.json");
    assert.equal(byPath.status, 200);
    assert.equal(byPath.body, blob.body);
    assert.match(String(byPath.headers["content-security-policy"]), /sandbox/);
    const post = await request(ASSETS, "/manifest", { method: "POST" });
    assert.equal(post.status, 405, "the assets gateway's own answer");
    assertSecurityHeaders(post, "assets 405", "*");
  });

  it("refuses every other host name (421), on both ports, and never reaches a service", async () => {
    const before = seen.length;
    const appPage = servedFile("index.html");
    const answers: [string, Answer][] = [
      ["other name", await request("evil.example", "/health")],
      ["no SNI, an IP address", await request("127.0.0.1", "/health", { servername: "" })],
      [
        "SNI of a known name, Host of another",
        await request("evil.example", "/health", { servername: API }),
      ],
      ["a sub-domain", await request(`x.${API}`, "/")],
      ["plain HTTP, other name", await plainRequest("evil.example", "/health")],
    ];
    for (const [what, answer] of answers) {
      assert.equal(answer.status, 421, what);
      assert.notEqual(answer.body, appPage, what);
      assert.doesNotMatch(answer.body, /postgres|KeyForge/, what);
      assertSecurityHeaders(answer, what);
    }
    // (The gateway's own health checks go on meanwhile: they carry no request id.)
    const fromClients = (requests: Seen[]) => requests.filter((r) => r.sentRequestId);
    assert.deepEqual(fromClients(seen.slice(before)), [], "no service saw any of these requests");
  });

  it("redirects plain HTTP to HTTPS (301), same host, path and query", async () => {
    for (const host of [WEB, API, ASSETS]) {
      const answer = await plainRequest(host, "/jobs/x?limit=5");
      assert.equal(answer.status, 301, host);
      assert.equal(answer.headers.location, `https://${host}:${httpsPort}/jobs/x?limit=5`);
      assertSecurityHeaders(answer, `redirect of ${host}`);
    }
  });

  it("speaks HTTP/2 (ALPN h2) and TLS 1.2+ with forward-secret AEAD ciphers only", async () => {
    const session = connectHttp2(WEB);
    const page = await request2(session, "/");
    assert.equal(session.alpnProtocol, "h2");
    assert.equal(page.status, 200);
    assertSecurityHeaders(page, "web page over HTTP/2");
    const api = await request2(connectHttp2(API), "/health");
    assert.equal(api.status, 200);

    const handshake = (options: tls.ConnectionOptions) =>
      new Promise<tls.TLSSocket>((resolve, reject) => {
        const socket = tls.connect({
          host: "127.0.0.1",
          port: httpsPort,
          servername: WEB,
          ca: certificates.ca,
          ...options,
        });
        socket.once("secureConnect", () => resolve(socket));
        socket.once("error", reject);
      });
    const tls13 = await handshake({});
    assert.equal(tls13.getProtocol(), "TLSv1.3");
    tls13.destroy();
    const tls12 = await handshake({ maxVersion: "TLSv1.2" });
    assert.equal(tls12.getProtocol(), "TLSv1.2");
    assert.match(
      tls12.getCipher().name,
      /^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/,
    );
    tls12.destroy();
    await assert.rejects(handshake({ minVersion: "TLSv1", maxVersion: "TLSv1.1" }));
    // Without forward secrecy (RSA key exchange), and CBC mode: no cipher in common.
    await assert.rejects(handshake({ maxVersion: "TLSv1.2", ciphers: "AES128-SHA:AES256-SHA256" }));
  });

  it("streams Server-Sent Events unbuffered: an event reaches clients within a second", async () => {
    type Stream = { chunks: { at: number; text: string }[]; headers: IncomingHttpHeaders };
    const arrival = (stream: Stream, text: string) => {
      let received = "";
      for (const chunk of stream.chunks) {
        received += chunk.text;
        if (received.includes(text)) return chunk.at;
      }
      return undefined;
    };
    // One stream over HTTP/1.1, one over HTTP/2 (what browsers use).
    const overHttp1: Stream = { chunks: [], headers: {} };
    const req = https.request(
      {
        host: "127.0.0.1",
        port: httpsPort,
        path: "/events",
        headers: { host: `${API}:${httpsPort}`, accept: "text/event-stream" },
        servername: API,
        ca: certificates.ca,
        agent: false,
      },
      (response) => {
        overHttp1.headers = response.headers;
        response.on("data", (chunk: Buffer) =>
          overHttp1.chunks.push({ at: performance.now(), text: chunk.toString("utf8") }),
        );
      },
    );
    req.on("error", () => {});
    req.end();
    closers.push(() => req.destroy());
    const overHttp2: Stream = { chunks: [], headers: {} };
    const stream2 = connectHttp2(API).request({
      ":path": "/events",
      accept: "text/event-stream",
      "accept-encoding": "gzip, br",
    });
    stream2.on("response", (headers) => {
      overHttp2.headers = headers as IncomingHttpHeaders;
    });
    stream2.on("data", (chunk: Buffer) =>
      overHttp2.chunks.push({ at: performance.now(), text: chunk.toString("utf8") }),
    );
    stream2.on("error", () => {});
    for (const stream of [overHttp1, overHttp2]) {
      await eventually("the stream's snapshot", () => arrival(stream, "event: snapshot"));
      assert.match(String(stream.headers["content-type"]), /^text\/event-stream/);
      assert.equal(stream.headers["content-encoding"], undefined);
    }

    // An event: a node registers through the gateway (on either instance; Redis carries it).
    const { publicKey } = generateKeyPairSync("ed25519");
    const sent = performance.now();
    const registered = await request(API, "/nodes/register", {
      method: "POST",
      headers: { authorization: `Bearer ${HIVE_SECRET}`, "content-type": "application/json" },
      body: JSON.stringify({
        publicKey: publicKey.export({ format: "jwk" }).x,
        name: "sse-probe",
        threads: 1,
        calibratedIps: 100_000,
        hardware: { cpuModel: "Test agent CPU", cores: 2, arch: "x64" },
      }),
    });
    assert.equal(registered.status, 200, registered.body);
    const { nodeId } = nodeRegisteredSchema.parse(JSON.parse(registered.body));
    for (const [what, stream] of [
      ["HTTP/1.1", overHttp1],
      ["HTTP/2", overHttp2],
    ] as const) {
      const at = await eventually(`node.joined over ${what}`, () => arrival(stream, nodeId), 2000);
      assert.ok(at - sent < 1000, `${what}: the event took ${Math.round(at - sent)} ms`);
      assert.match(
        stream.chunks.map((chunk) => chunk.text).join(""),
        new RegExp(`event: node.joined\ndata: .*"${nodeId}"`),
      );
    }
  });

  it("refuses a body over the hive's 1 MiB limit with 413 at the gateway", async () => {
    const bodyOf = (bytes: number) => {
      const frame = '{"name":""}';
      return `{"name":"${"x".repeat(bytes - frame.length)}"}`;
    };
    const tooLarge = `too-large-${randomBytes(6).toString("hex")}`;
    const refused = await request(API, "/jobs", {
      method: "POST",
      headers: {
        ...(hive as TestHive).auth.alice,
        "content-type": "application/json",
        "x-request-id": tooLarge,
      },
      body: bodyOf(MIB + 1),
    });
    assert.equal(refused.status, 413, refused.body);
    assertSecurityHeaders(refused, "413");
    assert.deepEqual(seenWithId(tooLarge), [], "the hive never saw it");
    // 1 MiB exactly is within both limits: the hive reads it (and answers about its content).
    const atLimit = `at-limit-${randomBytes(6).toString("hex")}`;
    const read = await request(API, "/jobs", {
      method: "POST",
      headers: {
        ...(hive as TestHive).auth.alice,
        "content-type": "application/json",
        "x-request-id": atLimit,
      },
      body: bodyOf(MIB),
    });
    assert.notEqual(read.status, 413, read.body);
    assert.equal(seenWithId(atLimit).length, 1);
    // A body that states no length (chunked) cannot be judged up front: it goes through, and
    // the hive's own limit refuses it.
    const chunked = await request(API, "/jobs", {
      method: "POST",
      headers: {
        ...(hive as TestHive).auth.alice,
        "content-type": "application/json",
        "transfer-encoding": "chunked",
      },
      body: bodyOf(MIB + 1),
    });
    assert.equal(chunked.status, 413, chunked.body);
    assertSecurityHeaders(chunked, "413 of the hive");
  });

  it("refuses path traversal on the assets and web hosts, and TRACE everywhere", async () => {
    const paths = [
      "/../../etc/passwd",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/%2E%2E/%2E%2E/etc/passwd",
      "/assets/../../../etc/passwd",
      "/assets/..%2f..%2f..%2fetc%2fpasswd",
      "/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "/blobs/..%2F..%2Fetc%2Fpasswd",
    ];
    for (const host of [ASSETS, WEB]) {
      for (const path of paths) {
        const answer = await request(host, path);
        assert.ok([400, 403, 404].includes(answer.status), `${host}${path}: ${answer.status}`);
        assert.doesNotMatch(answer.body, /root:/, `${host}${path}`);
      }
    }
    for (const host of [WEB, API, ASSETS]) {
      const trace = await request(host, "/", { method: "TRACE" });
      assert.equal(trace.status, 405, host);
    }
  });

  it("lets the hive see the real client address, never one the client claims", async () => {
    const id = `client-address-${randomBytes(6).toString("hex")}`;
    const headers = { "x-forwarded-for": "203.0.113.9", "x-request-id": id };
    const answer = await request(API, "/health", { localAddress: CLIENT_ADDRESS, headers });
    assert.equal(answer.status, 200);
    const [atHive] = seenWithId(id);
    assert.ok(atHive, "the hive saw the request");
    assert.equal(atHive.ip, CLIENT_ADDRESS, "the hive took the client's address");
    assert.equal(atHive.forwardedFor, CLIENT_ADDRESS, "the forged X-Forwarded-For was dropped");
    // Without trusting the gateway, a service takes the gateway's address: the peer.
    assert.equal(atHive.peer, GATEWAY_ADDRESS);
    const assetsId = `${id}-assets`;
    await request(ASSETS, "/health", {
      localAddress: CLIENT_ADDRESS,
      headers: { ...headers, "x-request-id": assetsId },
    });
    const [atAssets] = seenWithId(assetsId);
    assert.ok(atAssets, "the assets gateway saw the request");
    assert.equal(atAssets.ip, GATEWAY_ADDRESS, "the assets gateway trusts no proxy");
    assert.equal(atAssets.forwardedFor, CLIENT_ADDRESS);
  });

  it("gives every request an id the service and the access log share", async () => {
    const answerId = async (headers: OutgoingHttpHeaders) => {
      const answer = await request(API, "/health", { headers });
      assert.equal(answer.status, 200);
      return String(answer.headers["x-request-id"]);
    };
    const made = await answerId({});
    assert.doesNotMatch(made, UUID, "the gateway's id, not one the hive made up");
    assert.match(made, /^[A-Za-z0-9@_-]{16,}$/);
    const chosen = `chosen-${randomBytes(6).toString("hex")}`;
    assert.equal(await answerId({ "x-request-id": chosen }), chosen, "a sane id is kept");
    const replaced = await answerId({ "x-request-id": "not a sane id!" });
    assert.notEqual(replaced, "not a sane id!");
    assert.doesNotMatch(replaced, UUID, "the gateway replaced it, not the hive");
    for (const id of [made, chosen, replaced]) {
      await eventually(`access log line of ${id}`, () =>
        (apache as RunningApache).accessLog().includes(`rid=${id} `),
      );
      assert.equal(seenWithId(id).length, 1);
    }
    const line = (apache as RunningApache)
      .accessLog()
      .split("\n")
      .find((l) => l.includes(made));
    assert.match(
      String(line),
      /^127\.0\.0\.1 api\.keyforge\.test\.example:\d+ "GET \/health HTTP\/1\.1" 200 \d+ \d+us rid=\S+ upstream=http:\/\/127\.0\.0\.1:\d+$/,
    );
  });

  it("keeps a 25 s long poll for work open until the hive answers it, over HTTP/1.1 and HTTP/2", async () => {
    for (const poll of await longPolls) {
      assert.equal(poll.status, 200);
      assert.deepEqual(poll.units, []);
      assert.ok(poll.seconds >= LONG_POLL_SECONDS - 1, `answered after ${poll.seconds} s`);
    }
  });
});
