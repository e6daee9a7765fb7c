import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";

/** The readinessProbe of a pod template, in milliseconds (deploy/kubernetes/base/hive.yaml). */
export interface ReadinessProbe {
  /** `GET <path>` on the pod's port: Ready on 2xx. */
  readonly path: string;
  readonly periodMs: number;
  /** A probe not answered within this fails. */
  readonly timeoutMs: number;
  /** Failed probes in a row that take a Ready pod out of the endpoints. */
  readonly failureThreshold: number;
}

/** What the prober saw of one pod. */
export interface PodProbes {
  /** Probes sent. */
  readonly sent: number;
  /** Probes the pod answered at all, with any status. */
  readonly answered: number;
  /** Whether the pod was ever Ready. */
  readonly everReady: boolean;
  /** Connections the Service sent to the pod. */
  readonly connections: number;
}

interface Pod {
  readonly port: number;
  readonly timer: NodeJS.Timeout;
  /** When it last turned Ready; null while not Ready. */
  readySince: number | null;
  failuresInARow: number;
  probing: boolean;
  sent: number;
  answered: number;
  everReady: boolean;
  connections: number;
  /** Taken out of the endpoints for good (terminating): no longer probed. */
  removed: boolean;
}

/**
 * A Kubernetes Service on loopback, as kube-proxy and the endpoints controller make it: a TCP
 * proxy whose endpoints are the pods its readiness prober currently sees Ready. A new
 * connection goes to the next Ready pod in turn, and is closed at once when there is none; a
 * pod taken out of the endpoints (as a terminating pod is) keeps the connections it has until
 * it closes them. Every change in the number of Ready endpoints is recorded.
 */
export class ProbedService {
  readonly url: string;
  private readonly server: Server;
  private readonly probe: ReadinessProbe;
  private readonly pods = new Map<string, Pod>();
  private readonly sockets = new Set<Socket>();
  /** The number of Ready endpoints, from each moment (ms) it changed. */
  private readonly readyHistory: { at: number; ready: number }[] = [{ at: Date.now(), ready: 0 }];
  private turn = 0;
  /** Connections closed at once for want of a Ready endpoint. */
  refused = 0;

  private constructor(server: Server, probe: ReadinessProbe) {
    this.server = server;
    this.probe = probe;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Listens on a free loopback port. */
  static async start(probe: ReadinessProbe): Promise<ProbedService> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const service = new ProbedService(server, probe);
    server.on("connection", (client) => service.forward(client));
    return service;
  }

  /** A pod the Service selects, listening (some time from now) on `port`: probed from now on. */
  add(name: string, port: number): void {
    if (this.pods.has(name)) throw new Error(`pod ${name} is already in the service`);
    const pod: Pod = {
      port,
      timer: setInterval(() => void this.probeOnce(pod), this.probe.periodMs),
      readySince: null,
      failuresInARow: 0,
      probing: false,
      sent: 0,
      answered: 0,
      everReady: false,
      connections: 0,
      removed: false,
    };
    this.pods.set(name, pod);
    void this.probeOnce(pod);
  }

  /** The pod is terminating: out of the endpoints at once, no longer probed; its connections stay. */
  remove(name: string): void {
    const pod = this.podNamed(name);
    clearInterval(pod.timer);
    pod.removed = true;
    this.setReady(pod, false);
  }

  /** The pods that are endpoints now. */
  readyPods(): string[] {
    return [...this.pods].filter(([, pod]) => pod.readySince !== null).map(([name]) => name);
  }

  /** Milliseconds pod `name` has been Ready without a break; null while it is not Ready. */
  readyForMs(name: string): number | null {
    const since = this.podNamed(name).readySince;
    return since === null ? null : Date.now() - since;
  }

  probesOf(name: string): PodProbes {
    const { sent, answered, everReady, connections } = this.podNamed(name);
    return { sent, answered, everReady, connections };
  }

  /** The fewest Ready endpoints the Service had at any moment since `since` (ms). */
  fewestReadySince(since: number): number {
    let fewest = Number.POSITIVE_INFINITY;
    for (const [k, change] of this.readyHistory.entries()) {
      const next = this.readyHistory[k + 1];
      if (next === undefined || next.at > since) fewest = Math.min(fewest, change.ready);
    }
    return fewest;
  }

  /** Stops probing and forwarding, and closes every connection. */
  async close(): Promise<void> {
    for (const pod of this.pods.values()) clearInterval(pod.timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private podNamed(name: string): Pod {
    const pod = this.pods.get(name);
    if (pod === undefined) throw new Error(`no pod ${name} in the service`);
    return pod;
  }

  private async probeOnce(pod: Pod): Promise<void> {
    // The kubelet starts no probe while the previous one runs.
    if (pod.probing || pod.removed) return;
    pod.probing = true;
    pod.sent++;
    let ready = false;
    try {
      const response = await fetch(`http://127.0.0.1:${pod.port}${this.probe.path}`, {
        signal: AbortSignal.timeout(this.probe.timeoutMs),
      });
      await response.arrayBuffer();
      pod.answered++;
      ready = response.status >= 200 && response.status < 300;
    } catch {
      // Refused, reset or timed out: a failed probe.
    } finally {
      pod.probing = false;
    }
    if (pod.removed) return;
    if (ready) {
      pod.failuresInARow = 0;
      this.setReady(pod, true);
    } else if (++pod.failuresInARow >= this.probe.failureThreshold) {
      this.setReady(pod, false);
    }
  }

  private setReady(pod: Pod, ready: boolean): void {
    if ((pod.readySince !== null) === ready) return;
    pod.readySince = ready ? Date.now() : null;
    if (ready) pod.everReady = true;
    this.readyHistory.push({ at: Date.now(), ready: this.readyPods().length });
  }

  private forward(client: Socket): void {
    const endpoints = [...this.pods.values()].filter((pod) => pod.readySince !== null);
    const pod = endpoints[this.turn++ % Math.max(1, endpoints.length)];
    if (pod === undefined) {
      this.refused++;
      client.destroy();
      return;
    }
    pod.connections++;
    const upstream = connect(pod.port, "127.0.0.1");
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    }
    // Either side closing or failing closes the other, as a dropped TCP path would.
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
