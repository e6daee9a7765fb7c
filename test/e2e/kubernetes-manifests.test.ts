import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { DEPLOY_DIR } from "../helpers/deploy.ts";
import { freePort } from "../helpers/free-port.ts";
import {
  KUSTOMIZATIONS,
  type KubeObject,
  type Kustomization,
  type ManifestField,
  renderKustomizations,
  SCHEMA_KUBERNETES_VERSION,
  schemaProblems,
} from "../helpers/kubernetes-manifests.ts";
import { type Endpoint, reaches } from "../helpers/network-reach.ts";

/** A pod as a workload (Deployment, StatefulSet, DaemonSet, CronJob) makes it. */
interface PodTemplate {
  readonly owner: KubeObject;
  readonly labels: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: read by path, like the objects it comes from
  readonly spec: any;
}

function podTemplates(objects: readonly KubeObject[]): PodTemplate[] {
  return objects.flatMap((owner) => {
    const template =
      owner.kind === "CronJob" ? owner.spec.jobTemplate.spec.template : owner.spec?.template;
    if (!template?.spec?.containers) return [];
    return [{ owner, labels: template.metadata?.labels ?? {}, spec: template.spec }];
  });
}

/** The KeyForge role of a pod: its `app.kubernetes.io/name`. */
const roleOf = (pod: PodTemplate) => pod.labels["app.kubernetes.io/name"] as string;

const allContainers = (pod: PodTemplate) => [
  ...(pod.spec.initContainers ?? []),
  ...pod.spec.containers,
];

function only<T>(items: readonly T[], what: string): T {
  assert.equal(items.length, 1, `exactly one ${what}`);
  return items[0] as T;
}

const find = (objects: readonly KubeObject[], kind: string, name: string) =>
  only(
    objects.filter((object) => object.kind === kind && object.metadata.name === name),
    `${kind} ${name}`,
  );

const podOf = (objects: readonly KubeObject[], role: string) =>
  only(
    podTemplates(objects).filter((pod) => roleOf(pod) === role),
    `${role} pod template`,
  );

/** A generated ConfigMap, by the name before kustomize's content hash. */
const configMap = (objects: readonly KubeObject[], name: string) =>
  only(
    objects.filter(
      (object) => object.kind === "ConfigMap" && object.metadata.name.startsWith(`${name}-`),
    ),
    `ConfigMap ${name}`,
  );

const NAMESPACE = "keyforge";

/** Every string in `value`, at any depth. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null) return [];
  return Object.values(value).flatMap(strings);
}

/** The installation's pods, as network endpoints. */
function endpointsOf(objects: readonly KubeObject[]): Map<string, Endpoint> {
  return new Map(
    podTemplates(objects).map((pod) => [
      roleOf(pod),
      {
        namespace: NAMESPACE,
        namespaceLabels: { "kubernetes.io/metadata.name": NAMESPACE },
        labels: pod.labels,
        namedPorts: Object.fromEntries(
          allContainers(pod).flatMap((container) =>
            (container.ports ?? []).map((port: { name: string; containerPort: number }) => [
              port.name,
              port.containerPort,
            ]),
          ),
        ),
      },
    ]),
  );
}

/** Another workload of the cluster, and an ingress controller's pod, and the Internet. */
const STRANGER: Endpoint = {
  namespace: "default",
  namespaceLabels: { "kubernetes.io/metadata.name": "default" },
  labels: { "app.kubernetes.io/name": "hive" },
};
const INGRESS_CONTROLLER: Endpoint = {
  namespace: "ingress-nginx",
  namespaceLabels: { "kubernetes.io/metadata.name": "ingress-nginx" },
  labels: { "app.kubernetes.io/name": "ingress-nginx" },
};
const OUTSIDE: Endpoint = { outside: true };

/** The kinds of the stack that belong to no namespace. */
const CLUSTER_SCOPED = ["Namespace", "PriorityClass"];

/** Every port a component of the stack listens on, and PostgreSQL's. */
const STACK_PORTS = [80, 443, 3000, 3001, 5432, 6379];

/** Who may connect to whom, by the NetworkPolicies among `objects`. */
function network(objects: readonly KubeObject[]) {
  const endpoints = endpointsOf(objects);
  const everyone = new Map<string, Endpoint>([
    ...endpoints,
    ["stranger", STRANGER],
    ["ingress controller", INGRESS_CONTROLLER],
    ["outside", OUTSIDE],
  ]);
  const named = (entries: [string, Endpoint][]) => entries.map(([who]) => who).sort();
  return {
    endpoints,
    /** Who may connect to `to` on `port`. */
    senders: (to: Endpoint, port: number) =>
      named([...everyone].filter(([, from]) => reaches(objects, from, to, port))),
    /** To whom `from` may connect on a port of the stack. */
    receivers: (from: Endpoint) =>
      named(
        [...everyone].filter(
          ([, to]) => to !== from && STACK_PORTS.some((port) => reaches(objects, from, to, port)),
        ),
      ),
  };
}

describe("the Kubernetes manifests (deploy/kubernetes)", () => {
  let rendered: Map<Kustomization, KubeObject[]>;
  const each = (check: (objects: KubeObject[], name: Kustomization) => void) => {
    for (const [name, objects] of rendered) {
      try {
        check(objects, name);
      } catch (error) {
        (error as Error).message = `${name}: ${(error as Error).message}`;
        throw error;
      }
    }
  };

  before(() => {
    rendered = renderKustomizations();
  });

  it(`render for the base and every overlay, each object valid against the Kubernetes ${SCHEMA_KUBERNETES_VERSION} API schemas`, async () => {
    assert.deepEqual([...rendered.keys()], [...KUSTOMIZATIONS]);
    for (const [name, objects] of rendered) {
      assert.ok(objects.length > 20, `${name} renders the stack (${objects.length} objects)`);
      assert.deepEqual(await schemaProblems(objects), [], `${name} passes the API schemas`);
      const namespaced = objects.filter((object) => !CLUSTER_SCOPED.includes(object.kind));
      for (const object of namespaced) {
        assert.equal(
          object.metadata.namespace,
          NAMESPACE,
          `${object.kind} ${object.metadata.name}`,
        );
      }
    }
  });

  it("finds what the API server would refuse: a misspelt field, a wrong type, a missing one", async () => {
    const objects = structuredClone(rendered.get("base") as KubeObject[]);
    const hive = find(objects, "Deployment", "hive");
    const container = hive.spec.template.spec.containers[0];
    container.readinesProbe = container.readinessProbe;
    find(objects, "Service", "hive").spec.ports[0].port = "three thousand";
    delete find(objects, "CronJob", "backup").spec.schedule;
    const problems = await schemaProblems(objects);
    const report = problems.join("\n");
    assert.match(
      report,
      /Deployment\/hive: .*'"readinesProbe"' does not exist in type 'IContainer'/,
    );
    assert.match(report, /Service\/hive: .*port must be integer/);
    assert.match(report, /CronJob\/backup: data\/spec must have required property schedule/);
    for (const problem of problems) {
      assert.match(problem, /^(Deployment\/hive|Service\/hive|CronJob\/backup): /, report);
    }
  });

  it("run every container non-root, read-only, unprivileged, without capabilities, under RuntimeDefault seccomp, with requests and limits", () => {
    const restricted = readFileSync(join(DEPLOY_DIR, "kubernetes/base/namespace.yaml"), "utf8");
    assert.match(restricted, /pod-security\.kubernetes\.io\/enforce: restricted/);
    each((objects) => {
      for (const pod of podTemplates(objects)) {
        const where = `${pod.owner.kind} ${pod.owner.metadata.name}`;
        assert.equal(pod.spec.securityContext?.runAsNonRoot, true, `${where}: runAsNonRoot`);
        assert.ok(pod.spec.securityContext?.runAsUser > 0, `${where}: a non-root uid`);
        assert.equal(pod.spec.securityContext?.seccompProfile?.type, "RuntimeDefault", where);
        assert.equal(pod.spec.automountServiceAccountToken, false, `${where}: no API token`);
        for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
          assert.ok(!pod.spec[field], `${where}: ${field}`);
        }
        for (const volume of pod.spec.volumes ?? []) {
          assert.ok(!volume.hostPath, `${where}: volume ${volume.name} is no hostPath`);
        }
        for (const container of allContainers(pod)) {
          const name = `${where} container ${container.name}`;
          const context = container.securityContext ?? {};
          assert.equal(context.allowPrivilegeEscalation, false, `${name}: privilege escalation`);
          assert.equal(context.readOnlyRootFilesystem, true, `${name}: read-only root`);
          assert.deepEqual(context.capabilities, { drop: ["ALL"] }, `${name}: capabilities`);
          assert.ok(!context.privileged && !context.runAsUser, `${name}: the pod's user`);
          for (const kind of ["requests", "limits"]) {
            for (const resource of ["cpu", "memory"]) {
              assert.ok(container.resources?.[kind]?.[resource], `${name}: ${kind}.${resource}`);
            }
          }
          for (const port of container.ports ?? []) {
            assert.ok(!port.hostPort, `${name}: no host port`);
          }
        }
      }
    });
  });

  it("hold no secret: the operator's Secrets, documented, mounted as the files *_FILE names", () => {
    const documented = new Set(
      readFileSync(join(DEPLOY_DIR, "kubernetes/README.md"), "utf8").match(
        /(?<=^\| `)keyforge-[a-z-]+(?=`)/gm,
      ),
    );
    assert.ok(documented.size >= 8, "the README's table of Secrets");
    each((objects, name) => {
      const text = JSON.stringify(objects);
      assert.doesNotMatch(text, /\bkfj?_[A-Za-z0-9_-]{20,}|PRIVATE KEY-----/, "no key or token");
      // Settings (one line each; the files in ConfigMaps document URLs with placeholders).
      for (const setting of strings(objects).filter((value) => !value.includes("\n"))) {
        assert.doesNotMatch(setting, /:\/\/[^/\s@:]+:[^/\s@]+@/, "no password in a URL");
      }
      assert.equal(objects.filter((object) => object.kind === "Secret").length, 0);
      for (const pod of podTemplates(objects)) {
        const secretVolumes = new Map<string, string[]>(
          (pod.spec.volumes ?? []).flatMap(
            // biome-ignore lint/suspicious/noExplicitAny: a volume, read by path
            (volume: any): [string, string[]][] => {
              const secrets = volume.secret
                ? [volume.secret.secretName]
                : (volume.projected?.sources ?? []).flatMap(
                    (source: { secret?: { name: string } }) =>
                      source.secret ? [source.secret.name] : [],
                  );
              return secrets.length > 0 ? [[volume.name, secrets]] : [];
            },
          ),
        );
        for (const secretNames of secretVolumes.values()) {
          for (const secret of secretNames) {
            assert.ok(documented.has(secret), `${name}: Secret ${secret} is in the README's table`);
          }
        }
        for (const container of allContainers(pod)) {
          const where = `${name} ${roleOf(pod)}/${container.name}`;
          assert.ok(
            !(container.envFrom ?? []).some((source: object) => "secretRef" in source),
            `${where}: no Secret as environment`,
          );
          for (const variable of container.env ?? []) {
            assert.ok(!variable.valueFrom?.secretKeyRef, `${where}: ${variable.name} is a file`);
            if (!variable.name.endsWith("_FILE")) continue;
            const mount = (container.volumeMounts ?? []).find((candidate: { mountPath: string }) =>
              variable.value.startsWith(`${candidate.mountPath}/`),
            );
            assert.ok(
              mount && secretVolumes.has(mount.name) && mount.readOnly,
              `${where}: ${variable.name}=${variable.value} is in a Secret mounted read-only`,
            );
          }
        }
      }
    });
  });

  it("roll hives one at a time: ready on /health, alive on any answer, migrated before listening", async () => {
    each((objects) => {
      const hive = find(objects, "Deployment", "hive");
      assert.ok(hive.spec.replicas >= 2, "two or more hives");
      assert.equal(hive.spec.strategy.type, "RollingUpdate");
      assert.equal(hive.spec.strategy.rollingUpdate.maxUnavailable, 0);
      assert.ok(hive.spec.strategy.rollingUpdate.maxSurge >= 1);
      const container = only<ManifestField>(hive.spec.template.spec.containers, "hive container");
      assert.equal(container.args[0], "hive");
      const port = only<ManifestField>(container.ports, "hive port");
      assert.deepEqual(container.readinessProbe.httpGet, { path: "/health", port: port.name });
      assert.equal(container.startupProbe.tcpSocket.port, port.name, "listening ends startup");
      const startupSeconds =
        container.startupProbe.periodSeconds * container.startupProbe.failureThreshold;
      assert.ok(startupSeconds >= 600, `migrations get ${startupSeconds} s before a restart`);
      assert.ok(container.livenessProbe.exec, "an exec liveness probe (httpGet fails on a 503)");
      const budget = find(objects, "PodDisruptionBudget", "hive");
      assert.deepEqual(budget.spec.selector, hive.spec.selector);
      assert.equal(budget.spec.maxUnavailable, 1);
    });
  });

  it("keep a hive alive through its dependencies' outage (503) and restart one that answers nothing", async () => {
    const hive = find(rendered.get("base") as KubeObject[], "Deployment", "hive");
    const container = hive.spec.template.spec.containers[0];
    const [node, flag, script] = container.livenessProbe.exec.command as [string, string, string];
    assert.equal(node, "/nodejs/bin/node", "the image's Node.js");
    assert.equal(flag, "-e");
    const url = `http://127.0.0.1:${container.ports[0].containerPort}/health`;
    assert.ok(script.includes(url), `the probe asks ${url}`);
    /** The probe's exit status against a server on `port` (run aside: the server is here). */
    const probe = (port: number) =>
      promisify(execFile)(process.execPath, [
        "-e",
        script.replace(url, `http://127.0.0.1:${port}/health`),
      ]).then(
        () => 0,
        (error: { code?: number }) => error.code,
      );
    const server = createServer((_request, response) => {
      response.writeHead(503, { "content-type": "application/json" });
      response.end('{"status":"unavailable"}');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      assert.equal(await probe(port), 0, "a 503 keeps the pod alive");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    assert.equal(await probe(port), 1, "no answer restarts it");
  });

  it("run exactly one assetmgr, the only Valkey writer, and give every service only its own Valkey user", () => {
    each((objects) => {
      const assetmgr = find(objects, "Deployment", "assetmgr");
      assert.equal(assetmgr.spec.replicas, 1);
      assert.equal(assetmgr.spec.strategy.type, "Recreate", "never two, even during a rollout");
      const valkeyUsers = (role: string) =>
        JSON.stringify(podOf(objects, role).spec.volumes).match(/valkey-url-\w+/g) ?? [];
      for (const role of ["hive", "assets", "assetmgr"]) {
        assert.deepEqual([...new Set(valkeyUsers(role))], [`valkey-url-${role}`], role);
      }
      assert.deepEqual(valkeyUsers("agent"), [], "agents have no Valkey user");
      assert.deepEqual(valkeyUsers("gateway"), [], "the gateway has no Valkey user");
    });
  });

  it("let only hive, assets and assetmgr reach Valkey, only hive and backups PostgreSQL, and agents only the gateway", () => {
    each((objects, name) => {
      const { endpoints, senders, receivers } = network(objects);
      const policies = objects.filter((object) => object.kind === "NetworkPolicy");
      const deny = only(
        policies.filter(
          (policy) =>
            Object.keys(policy.spec.podSelector).length === 0 &&
            !policy.spec.egress &&
            !policy.spec.ingress,
        ),
        "default deny",
      );
      assert.deepEqual(deny.spec.policyTypes, ["Ingress", "Egress"]);

      assert.deepEqual(senders(endpoints.get("valkey") as Endpoint, 6379), [
        "assetmgr",
        "assets",
        "hive",
      ]);
      assert.deepEqual(senders(endpoints.get("hive") as Endpoint, 3000), ["gateway"]);
      assert.deepEqual(senders(endpoints.get("assets") as Endpoint, 3001), ["gateway"]);
      // The small overlay's pod; or a managed PostgreSQL outside, which others may reach too.
      const postgres = endpoints.get("postgres");
      const postgresClients = postgres
        ? senders(postgres, 5432)
        : senders(OUTSIDE, 5432).filter((who) => endpoints.has(who));
      assert.deepEqual(postgresClients, ["backup", "hive"], "PostgreSQL's clients");
      const agentReaches =
        name === "overlays/ingress" ? ["gateway", "ingress controller"] : ["gateway"];
      assert.deepEqual(receivers(endpoints.get("agent") as Endpoint), agentReaches);
      for (const port of [80, 443]) {
        assert.ok(
          reaches(objects, OUTSIDE, endpoints.get("gateway") as Endpoint, port),
          `gateway:${port} public`,
        );
      }
    });
  });

  it("notices a policy that lets agents out or lets others into Valkey", () => {
    const objects = structuredClone(rendered.get("base") as KubeObject[]);
    find(objects, "NetworkPolicy", "agent").spec.egress = [{}];
    find(objects, "NetworkPolicy", "valkey").spec.ingress[0].from.push({ namespaceSelector: {} });
    const { endpoints, senders, receivers } = network(objects);
    assert.ok(receivers(endpoints.get("agent") as Endpoint).includes("outside"));
    assert.ok(senders(endpoints.get("valkey") as Endpoint, 6379).includes("stranger"));
  });

  it("back up daily at 03:00 UTC, one at a time, verified, onto a claim of its own", () => {
    each((objects) => {
      const backup = find(objects, "CronJob", "backup");
      assert.equal(backup.spec.schedule, "0 3 * * *");
      assert.equal(backup.spec.timeZone, "Etc/UTC");
      assert.equal(backup.spec.concurrencyPolicy, "Forbid");
      const pod = backup.spec.jobTemplate.spec.template.spec;
      const container = only<ManifestField>(pod.containers, "backup container");
      assert.match(container.command.join(" "), /sh backup\.sh --once && sh healthcheck\.sh/);
      const backupDir = container.env.find(
        (variable: { name: string }) => variable.name === "BACKUP_DIR",
      );
      const mount = container.volumeMounts.find(
        (candidate: { mountPath: string }) => candidate.mountPath === backupDir.value,
      );
      const volume = pod.volumes.find(
        (candidate: { name: string }) => candidate.name === mount.name,
      );
      find(objects, "PersistentVolumeClaim", volume.persistentVolumeClaim.claimName);
    });
  });

  it("run agents below every other workload, enrolled by join token, stopping within their grace", () => {
    each((objects, name) => {
      const priority = find(objects, "PriorityClass", "keyforge-agent");
      assert.ok(priority.value < 0, "below the default priority (0)");
      assert.equal(priority.preemptionPolicy, "Never");
      assert.equal(priority.globalDefault, false);
      const agent = podOf(objects, "agent");
      assert.equal(
        agent.owner.kind,
        name === "overlays/agents-daemonset" ? "DaemonSet" : "Deployment",
      );
      assert.equal(agent.spec.priorityClassName, "keyforge-agent");
      const container = only<ManifestField>(agent.spec.containers, "agent container");
      const grace = Number(container.args[container.args.indexOf("--grace") + 1]);
      assert.ok(
        agent.spec.terminationGracePeriodSeconds >= grace + 10,
        `units given back (--grace ${grace} s) before the kill (${agent.spec.terminationGracePeriodSeconds} s)`,
      );
      assert.ok(
        container.env.some(
          (variable: { name: string }) => variable.name === "KEYFORGE_JOIN_TOKEN_FILE",
        ),
      );
    });
  });

  it("mount the compose stack's own configuration files and images", () => {
    const compose = parse(readFileSync(join(DEPLOY_DIR, "compose.yaml"), "utf8"), { merge: true });
    // compose's images with its variables' defaults: what `docker compose up` runs unset.
    const composeImages = new Set(
      Object.values(compose.services as Record<string, { image?: string }>).map((service) =>
        service.image?.replace(/\$\{\w+:-([^}]*)\}/g, "$1"),
      ),
    );
    const files: [string, string[]][] = [
      ["keyforge-gateway-config", ["gateway/httpd.conf"]],
      [
        "keyforge-valkey-config",
        [
          "valkey/valkey.conf",
          "valkey/users.acl.template",
          "valkey/start.sh",
          "valkey/healthcheck.sh",
        ],
      ],
      [
        "keyforge-backup-scripts",
        [
          "backup/backup.sh",
          "backup/connection.sh",
          "backup/healthcheck.sh",
          "backup/restore.sh",
          "backup/retention.sh",
        ],
      ],
    ];
    each((objects) => {
      for (const [map, paths] of files) {
        const { data } = configMap(objects, map);
        assert.deepEqual(Object.keys(data).sort(), paths.map((path) => path.split("/")[1]).sort());
        for (const path of paths) {
          assert.equal(
            data[path.split("/")[1] as string],
            readFileSync(join(DEPLOY_DIR, path), "utf8"),
            path,
          );
        }
      }
      for (const pod of podTemplates(objects)) {
        for (const container of allContainers(pod)) {
          const image = container.image as string;
          assert.ok(composeImages.has(image), `${roleOf(pod)}: ${image} as compose runs it`);
        }
      }
    });
  });
});
