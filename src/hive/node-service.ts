import { KeyForgeError } from "../core/errors.ts";
import { type Coordinator, CoordinatorUnavailableError } from "../infra/coord/coordinator.ts";
import { AuditLog } from "../infra/db/audit-log.ts";
import { type Database, DatabaseUnavailableError } from "../infra/db/database.ts";
import { HardwareProfileRepository } from "../infra/db/hardware-profile-repository.ts";
import { JoinTokenRepository } from "../infra/db/join-token-repository.ts";
import {
  type Admission,
  type NodeRecord,
  NodeRepository,
  type NodeStanding,
} from "../infra/db/node-repository.ts";
import { type UnitHolder, UnitRepository } from "../infra/db/unit-repository.ts";
import { MicroBatcher } from "../infra/micro-batcher.ts";
import {
  type Enrolment,
  isEnrolmentAccepted,
  JOIN_ENROLMENT,
  retiredEnrolmentMessage,
} from "../infra/node-enrolments.ts";
import { issueNodeToken } from "../infra/node-tokens.ts";
import {
  type Migrant,
  type NodeCommand,
  type NodeRegistration,
  nodeIdOf,
  type Telemetry,
} from "../protocol/node-messages.ts";
import type { RegistrationCredential } from "./auth.ts";
import { publishBestEffort } from "./event-publishing.ts";
import type { IslandExchange } from "./island-exchange.ts";
import { checkKeyProof, joinTokenRefusal } from "./node-enrolment.ts";

/** Seconds between two heartbeats of an agent; well inside the coordinator's 30 s TTL. */
export const HEARTBEAT_INTERVAL_SECONDS = 5;
/** Lifetime of a node token by default; agents renew it before it ends. */
export const NODE_TOKEN_SECONDS = 3600;

/** A heartbeat's answer: commands for the node, and migrants for its islands. */
export interface HeartbeatAnswer {
  readonly commands: NodeCommand[];
  readonly migrants: Migrant[];
}

export interface NodeServiceOptions {
  readonly db: Database;
  readonly coordinator: Coordinator;
  readonly islands: IslandExchange;
  readonly secrets: readonly string[];
  /** Lifetime of the node tokens issued (default NODE_TOKEN_SECONDS). */
  readonly nodeTokenSeconds?: number;
  readonly log: (line: string) => void;
}

/** One CPU model's key: the same model, core count and architecture share a profile. */
function cpuSignatureOf(hardware: NodeRegistration["hardware"]): string {
  return `${hardware.arch}:${hardware.cores}:${hardware.cpuModel.replace(/\s+/g, " ").toLowerCase()}`;
}

/**
 * Registration (with HIVE_SECRET or a join token), node tokens, heartbeats, goodbyes and the
 * cluster view.
 */
export class NodeService {
  private readonly options: NodeServiceOptions;
  private readonly nodes: NodeRepository;
  private readonly profiles: HardwareProfileRepository;
  private readonly units: UnitRepository;
  private readonly joinTokens: JoinTokenRepository;
  private readonly audit: AuditLog;
  /** The reported units of concurrent heartbeats, looked up in one query. */
  private readonly holders: MicroBatcher<readonly string[], Map<string, UnitHolder>>;

  constructor(options: NodeServiceOptions) {
    this.options = options;
    this.nodes = new NodeRepository(options.db);
    this.profiles = new HardwareProfileRepository(options.db);
    this.units = new UnitRepository(options.db);
    this.joinTokens = new JoinTokenRepository(options.db);
    this.audit = new AuditLog(options.db);
    this.holders = new MicroBatcher(
      async (lists) => {
        const all = await this.units.holdersOf([...new Set(lists.flat())]);
        return lists.map(() => all);
      },
      { maxBatch: 256, maxInFlight: 4 },
    );
  }

  /**
   * Registers a node (again, after a restart) and hands it a token naming what it enrolled
   * with. With HIVE_SECRET any node not removed registers, enrolled under that secret's
   * generation. With a join token the node proves it holds its key, and a use of the token is
   * taken only when the node is new, was removed, or enrolled under a secret since retired: a
   * node that joined before is known by its key, whatever became of its token since.
   */
  async register(credential: RegistrationCredential, registration: NodeRegistration) {
    const { secrets } = this.options;
    if (secrets[0] === undefined) {
      throw new KeyForgeError("FORBIDDEN", "this hive has no HIVE_SECRET: nodes cannot register");
    }
    const nodeId = nodeIdOf(registration.publicKey);
    const joining =
      credential.kind === "joinToken"
        ? await this.joiningOf(nodeId, credential.token, registration)
        : null;
    const admission: Admission =
      credential.kind === "secret"
        ? { enrolment: credential.enrolment, readmit: false }
        : { enrolment: joining ? JOIN_ENROLMENT : null, readmit: joining !== null };
    const { hardware } = registration;
    const cpuSignature = cpuSignatureOf(hardware);
    const profiled = await this.saveProfileOncePerDay(cpuSignature, registration);
    const registered = await this.options.db.transaction(async (tx) => {
      const saved = await this.nodes.registerNode(
        {
          id: nodeId,
          publicKey: registration.publicKey,
          name: registration.name ?? null,
          cpuSignature: profiled ? cpuSignature : null,
          cores: hardware.cores,
          threads: registration.threads ?? null,
          calibratedIps: registration.calibratedIps,
        },
        admission,
        tx,
      );
      // A node that rejoined in between (its secret retired after the check) has no admission.
      if (!isEnrolmentAccepted(saved.node.enrolment, secrets)) {
        throw new KeyForgeError("NODE_ENROLMENT_RETIRED", retiredEnrolmentMessage(nodeId));
      }
      // A registration of the same new node that came first has spent the use already.
      if (joining && (saved.created || joining.known)) {
        const used = await this.joinTokens.useToken(joining.token, tx);
        if (!used || used.refusal) throw joinTokenRefusal(used);
        await this.audit.record(
          {
            actor: nodeId,
            action: "join-token.used",
            subject: used.id,
            details: { uses: used.uses, maxUses: used.maxUses },
          },
          tx,
        );
      }
      if (saved.created) {
        await this.audit.record(
          {
            actor: nodeId,
            action: "node.registered",
            subject: nodeId,
            details: { cpu: hardware.cpuModel, cores: hardware.cores },
          },
          tx,
        );
      }
      return saved;
    });
    if (registered.created) {
      await publishBestEffort(
        this.options.coordinator,
        { type: "node.joined", nodeId },
        this.options.log,
      );
    }
    return {
      nodeId,
      ...this.token(registered.node),
      heartbeatIntervalSeconds: HEARTBEAT_INTERVAL_SECONDS,
      hints: { threads: Math.max(1, hardware.cores - 1) },
    };
  }

  /**
   * The join token a registration spends a use of: none for a node that joined before and
   * still stands (null), else one, checked here before anything is written and taken with the
   * node: a new node, a removed one an admin lets back, one whose secret was retired.
   */
  private async joiningOf(
    nodeId: string,
    token: string,
    registration: NodeRegistration,
  ): Promise<{ token: string; known: boolean } | null> {
    await checkKeyProof(registration);
    const known = await this.nodes.getNode(nodeId);
    const stands =
      known && !known.removedAt && isEnrolmentAccepted(known.enrolment, this.options.secrets);
    if (stands) return null;
    const found = await this.joinTokens.findToken(token);
    if (!found || found.refusal) throw joinTokenRefusal(found);
    return { token, known: known !== null };
  }

  /**
   * A fresh token for a registered node whose current one still checks out, unless an admin
   * removed the node or the secret it enrolled with has been retired since.
   */
  async renewToken(nodeId: string): Promise<{ token: string; expiresAt: string }> {
    const node = await this.nodes.standingNode(nodeId);
    if (!isEnrolmentAccepted(node.enrolment, this.options.secrets)) {
      throw new KeyForgeError("NODE_ENROLMENT_RETIRED", retiredEnrolmentMessage(nodeId));
    }
    return this.token(node);
  }

  /**
   * Stores the telemetry in the coordinator only (no PostgreSQL write), and answers with the
   * commands for the node: abort every reported unit it no longer holds (cancelled job,
   * reassigned lease); for the units it holds, the islands' exchange (IslandExchange): finish
   * those whose job's search is over, and migrants for those that trail their job's best.
   */
  async heartbeat(nodeId: string, telemetry: Telemetry): Promise<HeartbeatAnswer> {
    const reported = telemetry.units.map((u) => u.unitId);
    // The telemetry write and the holders' lookup go out together. Layouts stay out of the
    // stored telemetry: the cluster view shows scores, and the job's best is kept apart.
    const stored = {
      ...telemetry,
      islands: undefined,
      units: telemetry.units.map(({ best: _, ...unit }) => unit),
    };
    const [, holders] = await Promise.all([
      this.options.coordinator.updateHeartbeat(nodeId, stored).catch((error: unknown) => {
        // Telemetry is lost for this beat; the commands still reach the node.
        if (!(error instanceof CoordinatorUnavailableError)) throw error;
      }),
      reported.length > 0 ? this.holders.submit(reported) : new Map<string, UnitHolder>(),
    ]);
    const aborts = reported.flatMap((unitId): NodeCommand[] => {
      const holder = holders.get(unitId);
      if (holder?.status === "leased" && holder.nodeId === nodeId) return [];
      const reason = !holder
        ? "unknown unit"
        : holder.status === "cancelled"
          ? "its job was cancelled"
          : holder.status === "leased"
            ? "its lease went to another node"
            : holder.status === "queued"
              ? "its lease was taken back"
              : `the unit is already ${holder.status}`;
      return [{ type: "abort", unitId, reason }];
    });
    const held = telemetry.units.filter((unit) => {
      const holder = holders.get(unit.unitId);
      return holder?.status === "leased" && holder.nodeId === nodeId;
    });
    const islands = await this.options.islands.exchange(held, holders, telemetry.islands === true);
    return { commands: [...aborts, ...islands.commands], migrants: islands.migrants };
  }

  /** A node stopping cleanly leaves the live set at once, not when its telemetry expires. */
  async goodbye(nodeId: string): Promise<void> {
    await this.options.coordinator.removeHeartbeat(nodeId);
    await publishBestEffort(
      this.options.coordinator,
      { type: "node.left", nodeId },
      this.options.log,
    );
  }

  /**
   * Live nodes and their telemetry, as the coordinator holds them, with the names and hardware
   * they registered and their rejected results (left out while PostgreSQL is down: the
   * telemetry alone still tells a lot).
   */
  async cluster() {
    const stats = await this.options.coordinator.getClusterStats();
    const standings = await this.nodes
      .standingsOf(stats.nodes.map((node) => node.nodeId))
      .catch((error: unknown) => {
        if (error instanceof DatabaseUnavailableError) return new Map<string, NodeStanding>();
        throw error;
      });
    const now = Date.now();
    return {
      liveNodes: stats.liveNodes,
      totalIps: stats.totalIps,
      nodes: stats.nodes.map(({ nodeId, telemetry, lastHeartbeatAt }) => ({
        nodeId,
        name: standings.get(nodeId)?.name ?? null,
        rejectedResults: standings.get(nodeId)?.rejectedResults ?? null,
        hardware: standings.get(nodeId)?.hardware ?? null,
        secondsSinceHeartbeat: Math.max(0, Math.floor((now - lastHeartbeatAt) / 1000)),
        telemetry: { ...telemetry, units: [...(telemetry.units ?? [])] },
      })),
    };
  }

  /** A token for a node whose enrolment was checked. */
  private token(node: NodeRecord): { token: string; expiresAt: string } {
    const { token, expiresAt } = issueNodeToken(
      { nodeId: node.id, enrolment: node.enrolment as Enrolment },
      this.options.secrets[0] as string,
      this.options.nodeTokenSeconds ?? NODE_TOKEN_SECONDS,
    );
    return { token, expiresAt: expiresAt.toISOString() };
  }

  /**
   * Writes the hardware profile when the coordinator's shield lets this instance (once per CPU
   * model per day); otherwise uses the stored one. True when the node can point at a profile.
   */
  private async saveProfileOncePerDay(
    cpuSignature: string,
    registration: NodeRegistration,
  ): Promise<boolean> {
    const reserved = await this.options.coordinator
      .tryReserveProfileUpdate(cpuSignature)
      .catch((error: unknown) => {
        if (error instanceof CoordinatorUnavailableError) return false;
        throw error;
      });
    if (!reserved) return (await this.profiles.getProfile(cpuSignature)) !== null;
    try {
      await this.profiles.saveProfile({
        cpuSignature,
        cpuModel: registration.hardware.cpuModel,
        arch: registration.hardware.arch,
        cores: registration.hardware.cores,
        caches: registration.hardware.caches,
        medianIps: registration.calibratedIps,
      });
      return true;
    } catch (error) {
      // Let the next registration try again rather than wait a day.
      await this.options.coordinator.releaseProfileUpdate(cpuSignature).catch(() => {});
      throw error;
    }
  }
}
