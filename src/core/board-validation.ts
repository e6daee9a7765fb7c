import { z } from "zod";
import { assetIdSchema } from "./asset-id.ts";
import {
  BOARD_FORMAT,
  type Board,
  FINGERS,
  HANDS,
  type Key,
  type KeyGeometry,
  keyCorners,
  type Point,
} from "./board.ts";
import { failWithProblems, type Problem } from "./errors.ts";
import { keyPosition } from "./key-positions.ts";

/** Largest coordinate (key units) a real keyboard can have; anything beyond is a unit mistake. */
const MAX_COORDINATE = 100;
const MAX_KEY_SIZE = 20;
/** Keys may touch; they overlap only when they share more than this depth (key units). */
const OVERLAP_TOLERANCE = 0.02;

const coordinate = z.number().min(-MAX_COORDINATE).max(MAX_COORDINATE);
const size = z.number().gt(0).max(MAX_KEY_SIZE);

const oneCharacter = z.string().refine((s) => [...s].length === 1, "must be exactly one character");

/** What every key has, a Shift key too: where it is, and the finger that presses it. */
const pressedKeyFields = {
  id: z.string().min(1),
  x: coordinate,
  y: coordinate,
  w: size.default(1),
  h: size.default(1),
  r: z.number().min(-360).max(360).default(0),
  rx: coordinate.default(0),
  ry: coordinate.default(0),
  hand: z.enum(HANDS),
  finger: z.enum(FINGERS),
};

const keySchema = z.strictObject({
  ...pressedKeyFields,
  home: z.boolean().default(false),
  row: z.number().int(),
  col: z.number().int(),
  char: oneCharacter.optional(),
  position: z
    .string()
    .refine(
      (code) => keyPosition(code) !== undefined,
      "must be a place of the PC keyboard's main block: E00–E12, D01–D13, C01–C12, B00–B10 or A03",
    )
    .optional(),
  effort: z.number().min(0).max(100).optional(),
});

const shiftKeySchema = z.strictObject(pressedKeyFields);

const boardSchema = z.strictObject({
  format: z.literal(BOARD_FORMAT),
  id: assetIdSchema.optional(),
  name: z.string().min(1),
  description: z.string().default(""),
  source: z.string().optional(),
  qmk: z
    .strictObject({
      keyboard: z.string().min(1),
      layout: z.string().min(1),
      keys: z.array(z.string().min(1)).min(1).optional(),
    })
    .optional(),
  zmk: z
    .strictObject({
      shield: z.string().min(1),
      keys: z.array(z.string().min(1)).min(1).optional(),
    })
    .optional(),
  letterBlock: z.array(z.array(z.string()).length(10)).length(3).optional(),
  shiftPairs: z.record(oneCharacter, oneCharacter).optional(),
  shiftKeys: z.array(shiftKeySchema).optional(),
  keys: z.array(keySchema).min(1),
});

const COORDINATE_FIELDS = new Set(["x", "y", "rx", "ry"]);

/** A key is named by its id when it has a usable one, else by its place in the list. */
function keySubject(key: unknown, index: number): string {
  const id = (key as { id?: unknown } | null)?.id;
  return typeof id === "string" && id !== "" ? id : `keys[${index}]`;
}

/** Maps a schema issue to the stable code a user looks up, naming the key it concerns. */
function problemFromIssue(issue: z.core.$ZodIssue, data: unknown): Problem {
  const [top, index, field] = issue.path;
  const parent = issue.path
    .slice(0, -1)
    .reduce<unknown>(
      (node, step) => (node as Record<PropertyKey, unknown> | undefined)?.[step],
      data,
    );
  const missing = typeof parent === "object" && parent !== null && !(String(field) in parent);
  if (top === "format") {
    return {
      code: "BOARD_FORMAT_UNSUPPORTED",
      subject: "format",
      message: `expected "format": "${BOARD_FORMAT}"`,
    };
  }
  if (issue.code === "unrecognized_keys") {
    const key = (parent as unknown[] | undefined)?.[index as number];
    const where = top === "keys" && typeof index === "number" ? keySubject(key, index) : "";
    return {
      code: where ? "KEY_FIELD_UNKNOWN" : "BOARD_FIELD_UNKNOWN",
      subject: where,
      message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")} (misspelt?)`,
    };
  }
  if (top === "keys" && typeof index === "number" && field === undefined) {
    return {
      code: "KEY_FIELD_INVALID",
      subject: `keys[${index}]`,
      message: "a key must be an object",
    };
  }
  if (top === "keys" && typeof index === "number" && typeof field === "string") {
    const subject = keySubject(parent, index);
    const found = missing ? "missing" : `got ${JSON.stringify(issue.input)}`;
    if (field === "hand" || field === "finger") {
      const allowed = (field === "hand" ? HANDS : FINGERS).join(", ");
      return {
        code: `KEY_${field.toUpperCase()}_${missing ? "MISSING" : "UNKNOWN"}`,
        subject,
        message: `${field} must be one of ${allowed} (${found})`,
      };
    }
    if (COORDINATE_FIELDS.has(field)) {
      const nonFinite = issue.code === "invalid_type" && !missing;
      return {
        code: nonFinite || missing ? "KEY_COORDINATE_INVALID" : "KEY_COORDINATE_ABSURD",
        subject,
        message: `${field} ${missing ? "is missing" : nonFinite ? "must be a finite number" : `must be within ±${MAX_COORDINATE} key units`} (${found})`,
      };
    }
    if (field === "w" || field === "h") {
      return {
        code: "KEY_SIZE_INVALID",
        subject,
        message: `${field} must be a number above 0 and at most ${MAX_KEY_SIZE} key units (${found})`,
      };
    }
    return { code: "KEY_FIELD_INVALID", subject, message: `${field}: ${issue.message} (${found})` };
  }
  return {
    code: top === "keys" ? "BOARD_NO_KEYS" : "BOARD_FIELD_INVALID",
    subject: issue.path.join("."),
    message: issue.message,
  };
}

function duplicateIdProblems(keys: readonly Pick<Key, "id">[]): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const key of keys) {
    if (seen.has(key.id)) {
      problems.push({ code: "KEY_ID_DUPLICATE", subject: key.id, message: "key id used twice" });
    }
    seen.add(key.id);
  }
  return problems;
}

/** A problem `code` for every key whose `keyValue` another key has already. */
function duplicateValueProblems(
  keys: readonly Key[],
  keyValue: (key: Key) => string | undefined,
  code: string,
  describe: (value: string) => string,
): Problem[] {
  const keyWith = new Map<string, string>();
  const problems: Problem[] = [];
  for (const key of keys) {
    const value = keyValue(key);
    if (value === undefined) continue;
    const other = keyWith.get(value);
    if (other !== undefined) {
      problems.push({
        code,
        subject: key.id,
        message: `${describe(value)} is already on key ${other}`,
      });
    } else keyWith.set(value, key.id);
  }
  return problems;
}

function duplicateCharProblems(keys: readonly Key[]): Problem[] {
  return duplicateValueProblems(
    keys,
    (key) => key.char,
    "KEY_CHAR_DUPLICATE",
    (char) => `character ${JSON.stringify(char)}`,
  );
}

/** Two keys on one place of the PC keyboard (ANSI's D13 and ISO's C12 are one key there). */
function duplicatePositionProblems(keys: readonly Key[]): Problem[] {
  return duplicateValueProblems(
    keys,
    (key) => (key.position === undefined ? undefined : keyPosition(key.position)?.xkb),
    "KEY_POSITION_DUPLICATE",
    (xkb) => `place ${xkb}`,
  );
}

function homeKeyProblems(keys: readonly Key[]): Problem[] {
  const homes = new Map<string, Key[]>();
  for (const key of keys) {
    const finger = `${key.hand} ${key.finger}`;
    const list = homes.get(finger) ?? [];
    if (key.home) list.push(key);
    homes.set(finger, list);
  }
  const problems: Problem[] = [];
  for (const [finger, list] of homes) {
    if (list.length === 0) {
      problems.push({
        code: "FINGER_WITHOUT_HOME",
        subject: finger,
        message: `the ${finger} finger has keys but no home key`,
      });
    } else if (list.length > 1) {
      problems.push({
        code: "FINGER_MULTIPLE_HOMES",
        subject: finger,
        message: `the ${finger} finger has ${list.length} home keys (${list.map((k) => k.id).join(", ")}); mark one`,
      });
    }
  }
  return problems;
}

function projectionOverlap(a: readonly Point[], b: readonly Point[], axis: Point): number {
  const project = (ps: readonly Point[]) => ps.map((p) => p.x * axis.x + p.y * axis.y);
  const pa = project(a);
  const pb = project(b);
  return Math.min(Math.max(...pa), Math.max(...pb)) - Math.max(Math.min(...pa), Math.min(...pb));
}

/** Separating-axis test on the two rotated rectangles, with a small tolerance for touching keys. */
function keysOverlap(a: readonly Point[], b: readonly Point[]): boolean {
  for (const rect of [a, b]) {
    for (let i = 0; i < 2; i++) {
      const p = rect[i] as Point;
      const q = rect[i + 1] as Point;
      const length = Math.hypot(q.x - p.x, q.y - p.y);
      const axis = { x: (q.y - p.y) / length, y: (p.x - q.x) / length };
      if (projectionOverlap(a, b, axis) <= OVERLAP_TOLERANCE) return false;
    }
  }
  return true;
}

function overlapProblems(keys: readonly (KeyGeometry & Pick<Key, "id">)[]): Problem[] {
  const corners = keys.map(keyCorners);
  const problems: Problem[] = [];
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      if (keysOverlap(corners[i] as Point[], corners[j] as Point[])) {
        const a = keys[i] as Pick<Key, "id">;
        const b = keys[j] as Pick<Key, "id">;
        problems.push({ code: "KEY_OVERLAP", subject: a.id, message: `overlaps key ${b.id}` });
      }
    }
  }
  return problems;
}

function letterBlockProblems(
  block: readonly (readonly string[])[],
  keys: readonly Key[],
): Problem[] {
  const ids = new Set(keys.map((k) => k.id));
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const id of block.flat()) {
    if (!ids.has(id)) {
      problems.push({
        code: "LETTER_BLOCK_UNKNOWN_KEY",
        subject: id,
        message: "no key has this id",
      });
    } else if (seen.has(id)) {
      problems.push({ code: "LETTER_BLOCK_DUPLICATE_KEY", subject: id, message: "listed twice" });
    }
    seen.add(id);
  }
  return problems;
}

/** Every problem of a board description; an empty list means the board is valid. */
export function boardProblems(data: unknown): Problem[] {
  const parsed = boardSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) return parsed.error.issues.map((issue) => problemFromIssue(issue, data));
  const board = parsed.data;
  return [
    ...duplicateIdProblems([...board.keys, ...(board.shiftKeys ?? [])]),
    ...duplicateCharProblems(board.keys),
    ...duplicatePositionProblems(board.keys),
    ...homeKeyProblems(board.keys),
    ...overlapProblems([...board.keys, ...(board.shiftKeys ?? [])]),
    ...(board.letterBlock ? letterBlockProblems(board.letterBlock, board.keys) : []),
  ];
}

/**
 * Checks a board description and returns the board, or throws BOARD_INVALID listing every
 * problem. `fallbackId` names the board when the description carries no id (e.g. its file name).
 */
export function parseBoard(data: unknown, fallbackId: string): Board {
  const problems = boardProblems(data);
  if (problems.length > 0)
    failWithProblems("BOARD_INVALID", `board ${fallbackId} is invalid`, problems);
  const board = boardSchema.parse(data);
  const { format: _format, id, ...rest } = board;
  return { ...rest, id: id ?? fallbackId };
}
