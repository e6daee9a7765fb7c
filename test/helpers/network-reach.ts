import type { KubeObject } from "./kubernetes-manifests.ts";

/**
 * Something that sends or receives a connection: a pod (its labels, its namespace's labels and
 * its named ports), or an address outside the cluster (`outside`).
 */
export interface Endpoint {
  readonly namespace?: string;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly namedPorts?: Readonly<Record<string, number>>;
  readonly outside?: boolean;
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string };
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

interface Rule {
  to?: Peer[];
  from?: Peer[];
  ports?: PolicyPort[];
}

/** Whether `selector` selects `labels`, as the API defines it (an empty selector selects all). */
function selects(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  if (!matchLabels.every(([key, value]) => labels[key] === value)) return false;
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case "In":
        return key in labels && values.includes(labels[key] as string);
      case "NotIn":
        return !(key in labels && values.includes(labels[key] as string));
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
      default:
        throw new Error(`unknown label selector operator ${operator}`);
    }
  });
}

/**
 * Whether `peer` of a policy in `namespace` names `endpoint`. An ipBlock is taken to name
 * every address, pods included (pod addresses fall in cluster ranges a block may cover): a
 * check that something cannot be reached then errs on the side of "it can".
 */
function names(peer: Peer, namespace: string, endpoint: Endpoint): boolean {
  if (peer.ipBlock) return true;
  if (endpoint.outside) return false;
  const inNamespaces = peer.namespaceSelector
    ? selects(peer.namespaceSelector, endpoint.namespaceLabels ?? {})
    : endpoint.namespace === namespace;
  return inNamespaces && selects(peer.podSelector ?? {}, endpoint.labels ?? {});
}

function portAllowed(ports: PolicyPort[] | undefined, port: number, receiver: Endpoint): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some((allowed) => {
    if ((allowed.protocol ?? "TCP") !== "TCP") return false;
    if (allowed.port === undefined) return true;
    const first =
      typeof allowed.port === "number" ? allowed.port : receiver.namedPorts?.[allowed.port];
    return first !== undefined && port >= first && port <= (allowed.endPort ?? first);
  });
}

/**
 * Whether the NetworkPolicies among `objects` let `from` open a TCP connection to `to` on
 * `port`: the sender's egress and the receiver's ingress must both allow it. A pod no policy
 * selects for a direction is not isolated in it; an address outside the cluster has no
 * policies of its own.
 */
export function reaches(
  objects: readonly KubeObject[],
  from: Endpoint,
  to: Endpoint,
  port: number,
): boolean {
  const policies = objects.filter((object) => object.kind === "NetworkPolicy");
  const allowedBy = (direction: "Egress" | "Ingress", subject: Endpoint, other: Endpoint) => {
    if (subject.outside) return true;
    const isolating = policies.filter(
      (policy) =>
        policy.metadata.namespace === subject.namespace &&
        selects(policy.spec.podSelector ?? {}, subject.labels ?? {}) &&
        (policy.spec.policyTypes ?? ["Ingress"]).includes(direction),
    );
    if (isolating.length === 0) return true;
    const receiver = direction === "Egress" ? other : subject;
    return isolating.some((policy) =>
      ((direction === "Egress" ? policy.spec.egress : policy.spec.ingress) ?? []).some(
        (rule: Rule) => {
          const peers = direction === "Egress" ? rule.to : rule.from;
          const peerMatches =
            peers === undefined ||
            peers.length === 0 ||
            peers.some((peer) => names(peer, policy.metadata.namespace as string, other));
          return peerMatches && portAllowed(rule.ports, port, receiver);
        },
      ),
    );
  };
  return allowedBy("Egress", from, to) && allowedBy("Ingress", to, from);
}
