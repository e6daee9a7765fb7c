import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  DEPLOY_DIR,
  makeSecrets,
  readSecrets,
  SECRET_FILES,
  type SecretName,
} from "../helpers/deploy.ts";

const REPOSITORY = fileURLToPath(new URL("../../", import.meta.url));
const COMPOSE_FILE = join(DEPLOY_DIR, "compose.yaml");
const ENV_EXAMPLE = join(DEPLOY_DIR, ".env.example");

const MISSING_COMPOSE =
  "docker-compose is not installed. These tests validate deploy/compose.yaml with it: install Debian's docker-compose package (apt-get install -y docker-compose), as CI does.";

/** The part of a service of `docker-compose config` these tests read. */
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  secrets?: { source: string }[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  read_only?: boolean;
  profiles?: string[];
  volumes?: string[];
  network_mode?: string;
  ports?: { published: number; target: number }[];
}

interface ComposeConfig {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  networks: Record<string, { internal?: boolean; ipam?: { config: { subnet: string }[] } }>;
  volumes: Record<string, unknown>;
}

/** The services built from the repository: the KeyForge image, `command` picks the role. */
const KEYFORGE_SERVICES = ["hive-1", "hive-2", "assets", "assetmgr", "agent", "web-root"] as const;

/** The secret files each service is given: its own, and no other. */
const SECRETS_OF: Record<string, string[]> = {
  gateway: [],
  backup: ["database-url"],
  "hive-1": ["database-url", "hive-secret", "hive-secret-previous", "valkey-url-hive"],
  "hive-2": ["database-url", "hive-secret", "hive-secret-previous", "valkey-url-hive"],
  assets: ["valkey-url-assets"],
  assetmgr: ["valkey-url-assetmgr"],
  agent: ["hive-secret"],
  "web-root": [],
  valkey: ["valkey-admin-password", "valkey-url-assetmgr", "valkey-url-assets", "valkey-url-hive"],
  postgres: ["postgres-password"],
};

/** Runs docker-compose on deploy/compose.yaml with `envFile` as the operator's .env, and nothing else. */
function dockerCompose(envFile: string, args: readonly string[]) {
  const result = spawnSync(
    "docker-compose",
    ["-f", COMPOSE_FILE, "--env-file", envFile, ...args],
    // Only the env file sets the stack's variables: none from the environment of the test.
    { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir() } },
  );
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    assert.fail(MISSING_COMPOSE);
  }
  return result;
}

/** YAML to plain values, by the Python (and its yaml module) docker-compose itself runs on. */
function parseYaml(text: string): unknown {
  const located = spawnSync("sh", ["-c", "command -v docker-compose"], { encoding: "utf8" });
  assert.equal(located.status, 0, MISSING_COMPOSE);
  const firstLine = readFileSync(located.stdout.trim(), "utf8").split("\n")[0] ?? "";
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(firstLine);
  const python =
    shebang && /python/.test(firstLine)
      ? [shebang[1] as string, ...(shebang[2] ? [shebang[2]] : [])]
      : ["python3"];
  const script = "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)";
  const result = spawnSync(python[0] as string, [...python.slice(1), "-c", script], {
    input: text,
    encoding: "utf8",
  });
  assert.equal(result.status, 0, `parsing the rendered YAML: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** .env.example with `changes` applied (NAME -> value; null drops the line). */
function operatorEnv(changes: Record<string, string | null>): string {
  const lines = readFileSync(ENV_EXAMPLE, "utf8").split("\n");
  return lines
    .flatMap((line) => {
      const name = /^([A-Z0-9_]+)=/.exec(line)?.[1];
      if (name === undefined || !(name in changes)) return [line];
      const value = changes[name];
      return value === null ? [] : [`${name}=${value}`];
    })
    .join("\n");
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("the production stack (deploy/compose.yaml), as docker-compose reads it", () => {
  const domain = "keyforge-test.example";
  let dir: string;
  let envFile: string;
  let secrets: Record<SecretName, string>;
  let rendered: string;
  let config: ComposeConfig;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "keyforge-compose-"));
    const made = makeSecrets(join(dir, "secrets"));
    assert.equal(made.status, 0, made.stderr);
    secrets = readSecrets(join(dir, "secrets"));
    mkdirSync(join(dir, "certs"));
    mkdirSync(join(dir, "extra-assets"));
    envFile = join(dir, ".env");
    writeFileSync(
      envFile,
      operatorEnv({
        KEYFORGE_DOMAIN: domain,
        KEYFORGE_SECRETS_DIR: join(dir, "secrets"),
        KEYFORGE_CERTS_DIR: join(dir, "certs"),
        KEYFORGE_EXTRA_ASSETS: join(dir, "extra-assets"),
      }),
    );
    // The configuration as compose will run it: variables and paths resolved.
    const full = dockerCompose(envFile, ["config"]);
    assert.equal(full.status, 0, full.stderr);
    rendered = full.stdout;
    config = parseYaml(rendered) as ComposeConfig;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("validates (docker-compose config -q) with the settings an operator copies from .env.example", () => {
    const result = dockerCompose(envFile, ["config", "-q"]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(Object.keys(config.services).sort(), [
      "agent",
      "assetmgr",
      "assets",
      "backup",
      "gateway",
      "hive-1",
      "hive-2",
      "postgres",
      "valkey",
      "web-root",
    ]);
  });

  it("stops at once when KEYFORGE_DOMAIN is not set, naming it", () => {
    const withoutDomain = join(dir, "no-domain.env");
    writeFileSync(withoutDomain, operatorEnv({ KEYFORGE_DOMAIN: null }));
    const result = dockerCompose(withoutDomain, ["config", "-q"]);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /set KEYFORGE_DOMAIN in deploy\/\.env/);
  });

  it("documents in .env.example, with a comment, every variable the compose file reads", () => {
    const compose = readFileSync(COMPOSE_FILE, "utf8");
    const read = new Set([...compose.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] as string));
    const example = readFileSync(ENV_EXAMPLE, "utf8").split("\n");
    for (const name of [...read, "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES"]) {
      const at = example.findIndex((line) => line.startsWith(`${name}=`));
      assert.ok(at > 0, `${name} in .env.example`);
      assert.match(example[at - 1] as string, /^# /, `a comment just above ${name}`);
    }
    const documented = example.flatMap((line) => /^([A-Z0-9_]+)=/.exec(line)?.[1] ?? []);
    const unused = documented.filter((name) => !read.has(name) && !name.startsWith("COMPOSE_"));
    assert.deepEqual(unused, [], "no variable the stack does not read");
  });

  it("runs every KeyForge service from the one image, restarting it on failure only", () => {
    const roles: Record<string, string> = {
      "hive-1": "hive",
      "hive-2": "hive",
      assets: "assets",
      assetmgr: "assetmgr",
      agent: "agent",
      "web-root": "web-root",
    };
    for (const name of KEYFORGE_SERVICES) {
      const service = config.services[name] as Service;
      assert.equal(service.image, "keyforge:local", name);
      assert.equal(service.build?.dockerfile, "deploy/Dockerfile", name);
      assert.equal(realpathSync(service.build?.context as string), realpathSync(REPOSITORY), name);
      // A failed migration exits non-zero: started again, never left serving a half schema;
      // a service stopped on purpose stays stopped. web-root runs once per `up`.
      const restart = name === "web-root" ? "no" : "on-failure";
      assert.equal(service.restart, restart, `${name} restarts: ${restart}`);
      assert.equal(service.read_only, true, `${name} has a read-only root`);
      assert.equal(service.command?.[0], roles[name], `${name} runs keyforge ${roles[name]}`);
    }
    for (const name of ["hive-1", "hive-2"]) {
      const command = config.services[name]?.command as string[];
      const subnet = config.networks.edge?.ipam?.config[0]?.subnet;
      assert.equal(command[command.indexOf("--trust-proxy") + 1], subnet, "the gateway's network");
      assert.equal(command[command.indexOf("--cors-origin") + 1], `https://keyforge.${domain}`);
    }
    assert.deepEqual(config.services.agent?.profiles, ["agent"], "the agent is optional");
    assert.ok(
      config.services.assetmgr?.volumes?.some((v) => v.endsWith(":/srv/keyforge/extra-assets:ro")),
      "the extra assets are mounted read-only",
    );
    const assetmgrCommand = config.services.assetmgr?.command as string[];
    assert.equal(
      assetmgrCommand[assetmgrCommand.indexOf("--extra") + 1],
      "/srv/keyforge/extra-assets",
    );
    assert.ok(
      config.services.agent?.volumes?.includes("agent-data:/var/lib/keyforge:rw"),
      "the agent keeps its identity in a volume",
    );
  });

  it("starts in order of health: the stores, then the hives, then the gateway", () => {
    const healthy = (name: string) =>
      Object.fromEntries(
        Object.entries(config.services[name]?.depends_on ?? {}).map(([on, { condition }]) => [
          on,
          condition,
        ]),
      );
    const h = "service_healthy";
    for (const hive of ["hive-1", "hive-2"]) {
      assert.deepEqual(healthy(hive), { postgres: h, valkey: h }, hive);
    }
    assert.deepEqual(healthy("gateway"), {
      "hive-1": h,
      "hive-2": h,
      assets: h,
      "web-root": "service_completed_successfully",
    });
    assert.deepEqual(healthy("web-root"), {});
    assert.deepEqual(healthy("assets"), { valkey: h });
    assert.deepEqual(healthy("assetmgr"), { valkey: h });
    assert.deepEqual(healthy("agent"), { "hive-1": h, assets: h });
    assert.deepEqual(healthy("backup"), { postgres: h });

    const check = (name: string) => config.services[name]?.healthcheck?.test;
    const keyforgeHealth = (port: number) => [
      "CMD",
      "/nodejs/bin/node",
      "/app/dist/cli/main.js",
      "health",
      `http://127.0.0.1:${port}/health`,
    ];
    assert.deepEqual(check("hive-1"), keyforgeHealth(3000));
    assert.deepEqual(check("hive-2"), keyforgeHealth(3000));
    assert.deepEqual(check("assets"), keyforgeHealth(3001));
    assert.equal(check("postgres")?.[1], "pg_isready");
    assert.deepEqual(check("backup"), [
      "CMD",
      "/bin/sh",
      "/usr/local/etc/keyforge/backup/healthcheck.sh",
    ]);
    assert.deepEqual(check("valkey"), [
      "CMD",
      "/bin/sh",
      "/usr/local/etc/keyforge/valkey/healthcheck.sh",
    ]);
    // No HTTP port: no healthcheck, and nothing waits for their health.
    assert.equal(check("assetmgr"), undefined);
    assert.equal(check("agent"), undefined);
    assert.equal(check("web-root"), undefined);
  });

  it("pins every image it pulls by an exact version", () => {
    const pulled = Object.entries(config.services).filter(
      ([name]) => !(KEYFORGE_SERVICES as readonly string[]).includes(name),
    );
    for (const [name, service] of pulled) {
      assert.match(
        service.image as string,
        /^[a-z0-9./-]+:\d+\.\d+(\.\d+)?-alpine(@sha256:[0-9a-f]{64})?$/,
        `${name}: ${service.image}`,
      );
    }
    assert.match(config.services.valkey?.image as string, /^valkey\/valkey:8\.\d+\.\d+-alpine/);
    assert.match(config.services.postgres?.image as string, /^postgres:16\.\d+-alpine/);
    assert.match(config.services.gateway?.image as string, /^httpd:2\.4\.\d+-alpine/);
  });

  it("passes secrets as files only, each service getting its own and no other", () => {
    for (const [name, value] of Object.entries(secrets)) {
      if (value !== "") assert.ok(!rendered.includes(value), `the value of ${name} is not inline`);
    }
    assert.doesNotMatch(rendered, /(redis|valkey|postgres(ql)?):\/\//, "no URL with a password");
    assert.deepEqual(Object.keys(config.secrets).sort(), [...SECRET_FILES].sort());
    for (const [name, secret] of Object.entries(config.secrets)) {
      assert.equal(secret.file, join(dir, "secrets", name), `secret ${name} is a file`);
    }
    for (const [name, service] of Object.entries(config.services)) {
      const given = (service.secrets ?? []).map((s) => s.source).sort();
      assert.deepEqual(given, SECRETS_OF[name], `the secrets of ${name}`);
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|TOKEN|API_KEY|DATABASE_URL|VALKEY_URL/.test(variable)) {
          assert.match(variable, /_FILE$/, `${name}: ${variable} names a file`);
          assert.ok(
            given.includes(value.replace(/^\/run\/secrets\//, "")),
            `${name}: ${variable} is one of its secret files (${value})`,
          );
        }
      }
    }
  });

  it("gives the gateway its settings, the certificate folder and the published ports", () => {
    const gateway = config.services.gateway as Service;
    const env = gateway.environment ?? {};
    assert.equal(env.KEYFORGE_DOMAIN, domain);
    assert.equal(env.KEYFORGE_GATEWAY_HIVE_1, "http://hive-1:3000");
    assert.equal(env.KEYFORGE_GATEWAY_HIVE_2, "http://hive-2:3000");
    assert.equal(env.KEYFORGE_GATEWAY_ASSETS, "http://assets:3001");
    assert.equal(
      env.KEYFORGE_GATEWAY_TLS_CERT,
      "/usr/local/apache2/conf/keyforge-certs/origin.pem",
    );
    assert.equal(env.KEYFORGE_GATEWAY_TLS_KEY, "/usr/local/apache2/conf/keyforge-certs/origin.key");
    assert.deepEqual(gateway.command, [
      "httpd-foreground",
      "-f",
      "/usr/local/apache2/conf/keyforge/httpd.conf",
    ]);
    assert.deepEqual(gateway.volumes, [
      `${join(DEPLOY_DIR, "gateway")}:/usr/local/apache2/conf/keyforge:ro`,
      `${join(dir, "certs")}:/usr/local/apache2/conf/keyforge-certs:ro`,
      "web-root:/usr/local/apache2/keyforge-web:ro",
    ]);
    assert.deepEqual(
      gateway.ports?.map((p) => [p.published, p.target]),
      [
        [80, 80],
        [443, 443],
      ],
    );
    // The stores are on an internal network, reachable from no other.
    assert.equal(config.networks.backend?.internal, true);
  });

  it("writes the web app into the volume the gateway serves, naming the site's API and assets hosts", () => {
    const webRoot = config.services["web-root"] as Service;
    assert.deepEqual(webRoot.command, [
      "web-root",
      "--out",
      "/var/lib/keyforge",
      "--api",
      `https://api.keyforge.${domain}`,
      "--assets",
      `https://assets.keyforge.${domain}`,
    ]);
    // The image's data folder, owned by its user: a new volume there starts writable by it.
    assert.deepEqual(webRoot.volumes, ["web-root:/var/lib/keyforge:rw"]);
    assert.equal(webRoot.network_mode, "none", "it talks to nothing");
    assert.ok("web-root" in config.volumes, "a named volume");
    const gatewayEnv = config.services.gateway?.environment ?? {};
    assert.equal(gatewayEnv.KEYFORGE_GATEWAY_WEB_ROOT, "/usr/local/apache2/keyforge-web");
  });

  it("configures Valkey for what it holds: no eviction, no persistence, protected", () => {
    const valkeyConf = readFileSync(join(DEPLOY_DIR, "valkey", "valkey.conf"), "utf8");
    for (const line of [
      "maxmemory-policy noeviction",
      'save ""',
      "appendonly no",
      "protected-mode yes",
    ]) {
      assert.match(valkeyConf, new RegExp(`^${line}$`, "m"), line);
    }
    assert.match(valkeyConf, /^maxmemory \d+mb$/m);
    const valkey = config.services.valkey as Service;
    assert.deepEqual(valkey.entrypoint, ["/bin/sh", "/usr/local/etc/keyforge/valkey/start.sh"]);
    assert.equal(valkey.environment?.VALKEY_MAXMEMORY, "512mb");
    assert.equal(valkey.environment?.KEYFORGE_VALKEY_PREFIX, "keyforge:v1:");
    assert.equal(valkey.read_only, true);
  });
  it("backs PostgreSQL up daily with the scripts of deploy/backup, on the postgres image, into a volume", () => {
    const backup = config.services.backup as Service;
    assert.equal(backup.image, config.services.postgres?.image, "pg_dump of the server's version");
    assert.deepEqual(backup.entrypoint, ["/bin/sh"]);
    assert.deepEqual(backup.command, ["backup.sh", "--daily"]);
    const env = backup.environment ?? {};
    assert.equal(env.DATABASE_URL_FILE, "/run/secrets/database-url", "the hives' database URL");
    assert.equal(env.BACKUP_DIR, "/backups");
    assert.equal(env.BACKUP_AT, "03:00");
    assert.equal(env.BACKUP_AFTER_HOOK, "", "no off-host copy unless the operator sets one");
    assert.deepEqual(backup.volumes, [
      `${join(DEPLOY_DIR, "backup")}:/usr/local/etc/keyforge/backup:ro`,
      `${join(REPOSITORY, "migrations")}:${env.KEYFORGE_MIGRATIONS_DIR}:ro`,
      "backups:/backups:rw",
    ]);
    assert.ok("backups" in config.volumes, "a named volume");
    assert.equal(backup.restart, "unless-stopped");
    assert.equal(backup.read_only, true);
  });
});

describe("deploy/make-secrets.sh", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "keyforge-make-secrets-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes every secret, the ones that must agree agreeing, readable in a folder only its owner opens", () => {
    const folder = join(dir, "one", "secrets");
    const made = makeSecrets(folder);
    assert.equal(made.status, 0, made.stderr);
    assert.deepEqual(readdirSync(folder).sort(), [...SECRET_FILES].sort());
    assert.equal(modeOf(folder), 0o700, "the folder keeps other users of the host out");
    for (const name of SECRET_FILES) {
      // Each file alone is mounted into its containers, which run as other users.
      assert.equal(modeOf(join(folder, name)), 0o444, `${name} is readable by the containers`);
    }
    const secrets = readSecrets(folder);
    const random = /^[0-9a-f]{64}$/;
    assert.match(secrets["hive-secret"], random);
    assert.equal(secrets["hive-secret-previous"], "", "no previous secret until a rotation");
    assert.match(secrets["postgres-password"], random);
    assert.match(secrets["valkey-admin-password"], random);

    const database = new URL(secrets["database-url"]);
    assert.deepEqual(
      [database.protocol, database.username, database.password, database.host, database.pathname],
      ["postgres:", "keyforge", secrets["postgres-password"], "postgres:5432", "/keyforge"],
    );
    const passwords = [secrets["hive-secret"], secrets["postgres-password"]];
    for (const service of ["hive", "assets", "assetmgr"] as const) {
      const url = new URL(secrets[`valkey-url-${service}`]);
      assert.deepEqual(
        [url.protocol, url.username, url.host],
        ["redis:", `keyforge-${service}`, "valkey:6379"],
      );
      assert.match(url.password, random);
      passwords.push(url.password);
    }
    passwords.push(secrets["valkey-admin-password"]);
    assert.equal(new Set(passwords).size, passwords.length, "every password is its own");
  });

  it("never overwrites: a second run fails, naming the files, and changes nothing", () => {
    const folder = join(dir, "two");
    assert.equal(makeSecrets(folder).status, 0);
    const first = readSecrets(folder);
    const again = makeSecrets(folder);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already holds:.*hive-secret.*database-url/);
    assert.deepEqual(readSecrets(folder), first);
  });

  it("writes none when any one exists, so a set never mixes old and new values", () => {
    const folder = join(dir, "three");
    mkdirSync(folder, { mode: 0o700 });
    writeFileSync(join(folder, "postgres-password"), "the operator's own\n");
    const made = makeSecrets(folder);
    assert.equal(made.status, 1);
    assert.match(made.stderr, /postgres-password/);
    assert.deepEqual(readdirSync(folder), ["postgres-password"]);
  });
});
