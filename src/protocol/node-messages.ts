import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { z } from "zod";
import { canonicalJson } from "../core/canonical-json.ts";
import { displayNameSchema } from "./display-name.ts";

/** A unit's id: its job's id and its position in the job, `<64 hex digits>.<position>`. */
export const unitIdSchema = z
  .string()
  .regex(/^[0-9a-f]{64}\.\d{1,6}$/, "not a unit id (<job id>.<position>)");

/** An Ed25519 public key: its 32 raw bytes in base64url (the `x` of its JWK). */
export const publicKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, "an Ed25519 public key: 32 bytes in base64url")
  .describe("Ed25519 public key, 32 raw bytes in base64url (the x of its JWK).");

export const nodeIdSchema = z
  .string()
  .regex(/^[0-9a-f]{32}$/)
  .describe("Node id: the first 128 bits of the SHA-256 of the public key, in hex.");

function base64urlBytes(text: string): Uint8Array {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** A node's id follows from its key, so an agent knows its id before it registers. */
export function nodeIdOf(publicKey: string): string {
  return bytesToHex(sha256(base64urlBytes(publicKey))).slice(0, 32);
}

export const hardwareSchema = z.strictObject({
  cpuModel: z.string().trim().min(1).max(200),
  cores: z.number().int().min(1).max(4096),
  arch: z.string().min(1).max(32),
  caches: z
    .record(z.string().max(16), z.number().int().min(0))
    .default({})
    .refine((caches) => Object.keys(caches).length <= 8, "at most 8 cache levels")
    .describe('Cache sizes in bytes by level, e.g. { "L2": 1048576 }.'),
});

/** An Ed25519 signature, 64 bytes in base64url. */
const signatureSchema = z.string().regex(/^[A-Za-z0-9_-]{86}$/);

/** A join token, as `keyforge admin join-token create` prints it: volunteers register with it. */
export const joinTokenSchema = z
  .string()
  .regex(/^kfj_[A-Za-z0-9_-]{43}$/, "a join token: kfj_ and 43 characters");

/**
 * Why the hive refuses a node that registers with a join token. Trying again with the same
 * token cannot help, so an agent stops at once with the message.
 */
export const JOIN_REFUSAL_CODES = [
  "JOIN_TOKEN_INVALID",
  "JOIN_TOKEN_REVOKED",
  "JOIN_TOKEN_EXPIRED",
  "JOIN_TOKEN_USED_UP",
  "NODE_PROOF_INVALID",
] as const;

export type JoinRefusalCode = (typeof JOIN_REFUSAL_CODES)[number];

export function isJoinRefusal(code: string): code is JoinRefusalCode {
  return (JOIN_REFUSAL_CODES as readonly string[]).includes(code);
}

/**
 * Speeds a node may register with, in steps per second over all its threads. Lease deadlines
 * follow the speed, so a node claiming a crawl would hold its units for ages; the slowest
 * thread measured runs some thousands, the fastest machines some millions.
 */
export const CALIBRATED_IPS_LIMITS = { min: 100, max: 1e8 } as const;

/** Most search threads a node may register with (the agent's --threads takes 1 to 256). */
export const MAX_NODE_THREADS = 256;

/**
 * Refused results (wrong score, impossible layout) after which a node gets no more units: an
 * honest agent sends none, so a few are a bug or a different engine, and more are worthless.
 */
export const MAX_REJECTED_RESULTS = 10;

/** POST /nodes/register (authorised with HIVE_SECRET or a join token). */
export const nodeRegistrationSchema = z.strictObject({
  publicKey: publicKeySchema,
  name: displayNameSchema(100).optional(),
  hardware: hardwareSchema,
  calibratedIps: z
    .number()
    .min(CALIBRATED_IPS_LIMITS.min)
    .max(CALIBRATED_IPS_LIMITS.max)
    .describe(
      "Annealing steps per second the node measured on the standard problem, over all its threads (100 to 100,000,000).",
    ),
  threads: z
    .number()
    .int()
    .min(1)
    .max(MAX_NODE_THREADS)
    .optional()
    .describe(
      "Search threads the node runs units on: the most units it may hold at once. Without it (older agents) the hive assumes 1.",
    ),
  proof: z
    .strictObject({
      timestamp: z.iso
        .datetime()
        .describe("When the node signed; within 15 minutes of the hive's clock."),
      signature: signatureSchema.describe(
        "Ed25519 signature (base64url) of registrationSigningText(publicKey, timestamp).",
      ),
    })
    .optional()
    .describe(
      "That the node holds the private key of publicKey: required with a join token, which is spent once per new node, so a node that joined before is known by its key alone.",
    ),
});

/** The exact text a node signs to prove it holds the key it registers. */
export function registrationSigningText(publicKey: string, timestamp: string): string {
  return canonicalJson({ purpose: "keyforge node registration", publicKey, timestamp });
}

export const nodeTokenSchema = z.strictObject({
  token: z.string().describe("Bearer token for the node's calls; renew it before it expires."),
  expiresAt: z.iso.datetime(),
});

export const nodeRegisteredSchema = z.strictObject({
  nodeId: nodeIdSchema,
  ...nodeTokenSchema.shape,
  heartbeatIntervalSeconds: z.number().int().positive(),
  hints: z.strictObject({
    threads: z.number().int().positive().describe("Worker threads the hive suggests."),
  }),
});

/** Longest layout text a node sends or receives (a result's, a unit's best, a migrant). */
const LAYOUT_TEXT_MAX = 20_000;

/** A layout and the score its sender computed for it. */
const scoredLayoutSchema = z.strictObject({
  layout: z.string().min(1).max(LAYOUT_TEXT_MAX).describe("Layout text, in the board's key order."),
  score: z.number().finite(),
});

export const telemetrySchema = z.strictObject({
  ips: z
    .number()
    .min(0)
    .max(1e12)
    .describe("Annealing steps per second the node's running units make now (0 when idle)."),
  temperatureC: z.number().min(-100).max(200).optional().describe("CPU temperature in °C."),
  memoryMb: z.number().min(0).max(1e9).optional(),
  units: z
    .array(
      z.strictObject({
        unitId: unitIdSchema,
        bestScore: z
          .number()
          .finite()
          .optional()
          .describe("The unit's best score so far; absent before its first epoch ends."),
        best: scoredLayoutSchema
          .optional()
          .describe(
            "The unit's best layout, sent when it improved since the last heartbeat (and now and then regardless): the hive shares it with the job's other islands.",
          ),
      }),
    )
    .max(1024)
    .default([]),
  islands: z
    .boolean()
    .optional()
    .describe(
      "The node runs units as islands (time limits, migrants, finish commands); agents before 0.3.0 leave it out.",
    ),
});

/** POST /nodes/:id/heartbeat: telemetry only; stored in Valkey, never in PostgreSQL. */
export const heartbeatSchema = z.strictObject({ telemetry: telemetrySchema });

export const nodeCommandSchema = z.strictObject({
  type: z
    .enum(["abort", "finish"])
    .describe(
      "abort: stop the unit and drop it (the node no longer holds it); finish: stop it now and deliver its best (its job's time is spent or its search converged).",
    ),
  unitId: z.string(),
  reason: z.string(),
});

/** The job's best layout, for a unit whose island has not found as good a one. */
export const migrantSchema = scoredLayoutSchema.extend({
  unitId: unitIdSchema,
  score: z.number().finite().describe("The hive's own score of the layout."),
});

export const heartbeatReplySchema = z.strictObject({
  commands: z.array(nodeCommandSchema),
  heartbeatIntervalSeconds: z.number().int().positive(),
  migrants: z
    .array(migrantSchema)
    .optional()
    .describe("Only to nodes that run islands: the job's best for each unit that trails it."),
});

export const clusterSchema = z.strictObject({
  liveNodes: z.number().int(),
  totalIps: z.number(),
  nodes: z.array(
    z.strictObject({
      nodeId: z.string(),
      name: z.string().nullable().describe("The name the agent registered with (--name)."),
      rejectedResults: z
        .number()
        .int()
        .min(0)
        .nullable()
        .describe(
          `Results of the node the hive refused (wrong score, impossible layout); at ${MAX_REJECTED_RESULTS} it gets no more units. Null while PostgreSQL is down.`,
        ),
      hardware: z
        .strictObject({
          cpuModel: z
            .string()
            .nullable()
            .describe("The CPU model, from its hardware profile; null when none was stored."),
          cores: z.number().int().min(1),
          threads: z
            .number()
            .int()
            .min(1)
            .nullable()
            .describe("Search threads the node runs units on; null for agents that did not say."),
        })
        .nullable()
        .describe("What the node registered with. Null while PostgreSQL is down."),
      secondsSinceHeartbeat: z
        .number()
        .int()
        .min(0)
        .describe("Whole seconds since the node's last heartbeat, by the hive's clock."),
      telemetry: telemetrySchema,
    }),
  ),
});

export type ClusterNode = z.infer<typeof clusterSchema>["nodes"][number];

/** The best score among the units a node runs; null before any of them has one. */
export function nodeBestScore(node: ClusterNode): number | null {
  const scores = node.telemetry.units.flatMap((unit) =>
    unit.bestScore === undefined ? [] : [unit.bestScore],
  );
  return scores.length > 0 ? Math.min(...scores) : null;
}

export type NodeRegistration = z.infer<typeof nodeRegistrationSchema>;
export type Telemetry = z.infer<typeof telemetrySchema>;
export type NodeCommand = z.infer<typeof nodeCommandSchema>;
export type Migrant = z.infer<typeof migrantSchema>;

/** POST /leases: an agent asks for work, waiting up to `waitSeconds` when there is none. */
export const leaseRequestSchema = z.strictObject({
  nodeId: nodeIdSchema,
  max: z.number().int().min(1).max(64).describe("Most units wanted (free worker threads)."),
  waitSeconds: z
    .number()
    .min(0)
    .max(30)
    .default(25)
    .describe("Long-poll time when no unit is queued."),
  islands: z
    .boolean()
    .optional()
    .describe(
      "The node runs units as islands: it may be given units of time-budgeted jobs. Agents before 0.3.0 leave it out.",
    ),
  scoring: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "The scoring rules the node's release applies (2 since 0.4.0, where Shift characters count on their key; agents before it leave this out, meaning 1). A hive leases units only to nodes that score layouts as it does.",
    ),
});

export const leasedUnitSchema = z.strictObject({
  unitId: z.string(),
  jobId: z.string(),
  seed: z.number().int(),
  steps: z.number().int().describe("Most steps the unit runs."),
  timeLimitSeconds: z
    .number()
    .positive()
    .optional()
    .describe(
      "A unit of a time-budgeted job: it ends this many seconds after the lease arrives (or at its steps, if sooner).",
    ),
  leaseExpiresAt: z.iso.datetime(),
  content: z.record(z.string(), z.unknown()).describe("The job's content (keyforge-job/1)."),
  startLayouts: z
    .array(z.string())
    .describe("The job's best layouts so far (layout text), so later units build on earlier ones."),
});

export const leaseReplySchema = z.strictObject({ units: z.array(leasedUnitSchema) });

export type LeasedUnit = z.infer<typeof leasedUnitSchema>;

/** POST /units/:id/fail: the node could not run the unit (its worker thread crashed). */
export const unitFailureSchema = z.strictObject({
  reason: z.string().trim().min(1).max(500).describe("What went wrong, for the unit's record."),
});

/** POST /units/:id/result: the best layout a unit found, signed by the node's key. */
export const resultSubmissionSchema = z.strictObject({
  layout: z
    .string()
    .min(1)
    .max(LAYOUT_TEXT_MAX)
    .describe("The layout, as layout text in the board's key order."),
  score: z.number().finite().describe("The score the agent computed; the hive checks it."),
  steps: z.number().int().min(0).max(1e13),
  durationMs: z.number().int().min(0).max(1e10),
  nonce: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,64}$/)
    .describe("Unique per submission: replays are refused."),
  timestamp: z.iso.datetime().describe("When the agent signed the result."),
  signature: signatureSchema.describe(
    "Ed25519 signature (base64url) of resultSigningText(unitId, result).",
  ),
});

export type ResultSubmission = z.infer<typeof resultSubmissionSchema>;

/** The exact text a node signs for a result: the unit and every field but the signature. */
export function resultSigningText(
  unitId: string,
  result: Omit<ResultSubmission, "signature">,
): string {
  return canonicalJson({
    unitId,
    layout: result.layout,
    score: result.score,
    steps: result.steps,
    durationMs: result.durationMs,
    nonce: result.nonce,
    timestamp: result.timestamp,
  });
}

export const resultAcceptedSchema = z.strictObject({
  resultId: z.number().int(),
  unitId: z.string(),
  score: z.number().describe("The hive's own score of the layout."),
  created: z.boolean().describe("false when this result had been accepted before (a retry)."),
  newBest: z.boolean(),
  jobStatus: z.enum(["queued", "running", "completed", "cancelled", "failed"]),
});
