import { z } from "zod";
import { assetIdSchema } from "../asset-id.ts";
import { FINGERS, type Finger } from "../board.ts";
import { failWithProblems, KeyForgeError } from "../errors.ts";
import { WEIGHTED_TERMS, type WeightedTerm } from "./metric-catalogue.ts";

export const WEIGHTS_FORMAT = "keyforge-weights/1";

/** The weights a score uses when none are named: the balanced preset (data/system/weights). */
export const DEFAULT_WEIGHTS_ID = "balanced";

export interface MetricParameters {
  /** LSB: horizontal distance beyond the two fingers' home distance, in key units. */
  readonly lsbThreshold: number;
  /** Scissors: vertical distance (key units) from which a scissor is half, and full. */
  readonly halfScissor: number;
  readonly fullScissor: number;
  /** Share (0–1] of the trigram mass kept, most frequent first; the rest is not scored. */
  readonly trigramCoverage: number;
  /** Largest share (percent of keystrokes) one finger of this kind may carry before overload. */
  readonly fingerCaps: Readonly<Record<Finger, number>>;
  /** Effort of pressing a finger's home key; effort grows with the distance from home. */
  readonly fingerEffort: Readonly<Record<Finger, number>>;
}

export interface Weights {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly weights: Readonly<Record<WeightedTerm, number>>;
  readonly parameters: MetricParameters;
}

const perFinger = (minimum: number) =>
  z.strictObject(
    Object.fromEntries(FINGERS.map((f) => [f, z.number().min(minimum).max(1000)])) as Record<
      Finger,
      z.ZodNumber
    >,
  );

const weightsSchema = z.strictObject({
  format: z.literal(WEIGHTS_FORMAT),
  id: assetIdSchema.optional(),
  name: z.string().min(1),
  description: z.string().default(""),
  // A term a file leaves out weighs 0: a file keeps its meaning when a metric is added.
  weights: z.strictObject(
    Object.fromEntries(
      WEIGHTED_TERMS.map((t) => [t, z.number().min(-1e6).max(1e6).default(0)]),
    ) as Record<WeightedTerm, z.ZodDefault<z.ZodNumber>>,
  ),
  parameters: z.strictObject({
    lsbThreshold: z.number().min(0).max(10),
    halfScissor: z.number().min(0).max(10),
    fullScissor: z.number().min(0).max(10),
    trigramCoverage: z.number().gt(0).max(1),
    fingerCaps: perFinger(0),
    fingerEffort: perFinger(0),
  }),
});

/** Checks a weights file's content, or throws WEIGHTS_INVALID listing every problem. */
export function parseWeights(data: unknown, fallbackId: string): Weights {
  const parsed = weightsSchema.safeParse(data);
  if (!parsed.success) {
    failWithProblems(
      "WEIGHTS_INVALID",
      `weights ${fallbackId} are invalid`,
      parsed.error.issues.map((issue) => ({
        code: issue.path[0] === "format" ? "WEIGHTS_FORMAT_UNSUPPORTED" : "WEIGHTS_FIELD_INVALID",
        subject: issue.path.join("."),
        message:
          issue.path[0] === "format" ? `expected "format": "${WEIGHTS_FORMAT}"` : issue.message,
      })),
    );
  }
  const { format: _format, id, ...rest } = parsed.data;
  if (rest.parameters.fullScissor < rest.parameters.halfScissor) {
    throw new KeyForgeError(
      "WEIGHTS_INVALID",
      `weights ${fallbackId}: fullScissor (${rest.parameters.fullScissor}) must not be below halfScissor (${rest.parameters.halfScissor})`,
    );
  }
  return { ...rest, id: id ?? fallbackId };
}

/** "sfb=20" → the weight or parameter's name and its value; WEIGHT_OVERRIDE_INVALID otherwise. */
export function parseWeightOverride(assignment: string): { name: string; value: number } {
  const match = /^([A-Za-z.]+)=(.+)$/.exec(assignment.trim());
  const value = Number(match?.[2]);
  if (!match || !Number.isFinite(value)) {
    throw new KeyForgeError(
      "WEIGHT_OVERRIDE_INVALID",
      `"${assignment}" is not name=number (e.g. sfb=20 or fingerCaps.pinky=7)`,
    );
  }
  return { name: match[1] as string, value };
}

/**
 * Applies "name=value" overrides from the command line: a weight (`sfb=20`) or a parameter
 * (`trigramCoverage=0.95`, `fingerCaps.pinky=7`).
 */
export function overrideWeights(base: Weights, assignments: readonly string[]): Weights {
  if (assignments.length === 0) return base;
  const document = structuredClone({ format: WEIGHTS_FORMAT, ...base }) as Record<string, unknown>;
  for (const assignment of assignments) {
    const { name, value } = parseWeightOverride(assignment);
    const path = name.split(".");
    const section = (WEIGHTED_TERMS as readonly string[]).includes(path[0] as string)
      ? ["weights", ...path]
      : ["parameters", ...path];
    let node = document;
    for (const step of section.slice(0, -1)) {
      const next = node[step];
      if (typeof next !== "object" || next === null) {
        throw new KeyForgeError("WEIGHT_OVERRIDE_INVALID", `unknown weight or parameter "${name}"`);
      }
      node = next as Record<string, unknown>;
    }
    const last = section[section.length - 1] as string;
    if (typeof node[last] !== "number") {
      throw new KeyForgeError("WEIGHT_OVERRIDE_INVALID", `unknown weight or parameter "${name}"`);
    }
    node[last] = value;
  }
  return parseWeights(document, base.id);
}
