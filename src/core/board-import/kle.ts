import { type Keyboard, Serial } from "@ijprest/kle-serial";
import { z } from "zod";
import type { Board } from "../board.ts";
import { failWithProblems, KeyForgeError, type Problem } from "../errors.ts";
import { type BoardImportOptions, importedBoard } from "./imported-board.ts";
import { charOfLegend, type PlacedKey } from "./placed-key.ts";

/**
 * Importer for keyboard-layout-editor.com (KLE) raw data. Keys are parsed by @ijprest/kle-serial;
 * its placement of rows that set a rotation origin is corrected here (see
 * `rotationOriginCorrections`). Key ids are "k0", "k1", ... in file order, counting only real keys
 * (decals and ghost keys are skipped).
 */
export type KleImportOptions = BoardImportOptions;

const IMPORT_KLE_INVALID = "IMPORT_KLE_INVALID";

/** Property fields kle-serial adds to or assigns as numbers; anything else is a broken file. */
const propertiesSchema = z.looseObject({
  x: z.number().optional(),
  y: z.number().optional(),
  w: z.number().optional(),
  h: z.number().optional(),
  x2: z.number().optional(),
  y2: z.number().optional(),
  w2: z.number().optional(),
  h2: z.number().optional(),
  r: z.number().optional(),
  rx: z.number().optional(),
  ry: z.number().optional(),
  a: z.number().int().min(0).max(7).optional(),
  f: z.number().optional(),
  f2: z.number().optional(),
  t: z.string().optional(),
});

type Properties = z.infer<typeof propertiesSchema>;
type Item = string | Properties;

interface KleSource {
  /** The key rows, each a list of legends and property objects. */
  readonly rows: readonly (readonly Item[])[];
  /** Index of each row in the input, for messages. */
  readonly rowIndex: readonly number[];
  readonly meta?: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function itemProblems(item: unknown, where: string, first: boolean): Problem[] {
  if (typeof item === "string") return [];
  if (!isRecord(item)) {
    return [
      {
        code: "KLE_ITEM_INVALID",
        subject: where,
        message: `expected a key legend (string) or a properties object, got ${describe(item)}`,
      },
    ];
  }
  const parsed = propertiesSchema.safeParse(item);
  const problems: Problem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        code: "KLE_PROPERTY_INVALID",
        subject: `${where}.${issue.path.join(".")}`,
        message: issue.message,
      }));
  if (!first && (item.r !== undefined || item.rx !== undefined || item.ry !== undefined)) {
    problems.push({
      code: "KLE_ROTATION_MISPLACED",
      subject: where,
      message: "r, rx and ry may only be set before the first key of a row",
    });
  }
  return problems;
}

/**
 * The rows of KLE raw data, checked so that kle-serial cannot trip over them: either the array
 * KLE's "Download JSON" gives (rows of legends and property objects, optionally preceded by a
 * metadata object), or an object `{ meta?, keys: rows }`.
 */
function kleSource(data: unknown): KleSource {
  let items: readonly unknown[];
  let meta: Record<string, unknown> | undefined;
  if (Array.isArray(data)) items = data;
  else if (isRecord(data) && Array.isArray(data.keys)) {
    items = data.keys;
    meta = isRecord(data.meta) ? data.meta : undefined;
  } else {
    throw new KeyForgeError(
      IMPORT_KLE_INVALID,
      `KLE raw data must be an array of rows (optionally starting with a metadata object), got ${describe(data)}`,
    );
  }
  const problems: Problem[] = [];
  const rows: Item[][] = [];
  const rowIndex: number[] = [];
  items.forEach((row, r) => {
    if (Array.isArray(row)) {
      row.forEach((item, k) => {
        problems.push(...itemProblems(item, `rows[${r}][${k}]`, k === 0));
      });
      rows.push(row as Item[]);
      rowIndex.push(r);
    } else if (r === 0 && isRecord(row) && meta === undefined) {
      meta = row;
    } else {
      problems.push({
        code: "KLE_ROW_INVALID",
        subject: `rows[${r}]`,
        message: `a row must be an array of keys, got ${describe(row)}${isRecord(row) ? " (only the first element may hold metadata)" : ""}`,
      });
    }
  });
  if (problems.length > 0)
    failWithProblems(IMPORT_KLE_INVALID, "KLE raw data is invalid", problems);
  return { rows, rowIndex, ...(meta ? { meta } : {}) };
}

/**
 * What kle-serial 0.15.1 gets wrong, per row. In keyboard-layout-editor, a row that sets `rx` or
 * `ry` restarts the cursor at the rotation origin: x = rx and y = ry (the last ry given, 0 if none),
 * before that row's own x/y offsets. kle-serial only records the origin and keeps counting y on from
 * the previous rows (and x from the previous origin), so every key from such a row on lands
 * elsewhere than the editor draws it (ijprest/kle-serial issue #7, fixed by the unmerged pull request
 * #1). Both parsers advance identically otherwise, so the error is a constant shift: dx for the
 * resetting row only (x restarts at rx on every new row), dy from that row until the next reset.
 */
export function rotationOriginCorrections(
  rows: readonly (readonly unknown[])[],
): { readonly dx: number; readonly dy: number }[] {
  let serialY = 0;
  let rotationX = 0;
  let originX = 0;
  let originY = 0;
  let dy = 0;
  return rows.map((row) => {
    let dx = 0;
    const first = row[0];
    if (isRecord(first) && (typeof first.rx === "number" || typeof first.ry === "number")) {
      if (typeof first.rx === "number") originX = first.rx;
      if (typeof first.ry === "number") originY = first.ry;
      dx = originX - rotationX;
      dy = originY - serialY;
      rotationX = originX;
    }
    for (const item of row) {
      if (isRecord(item) && typeof item.y === "number") serialY += item.y;
    }
    serialY += 1;
    return { dx, dy };
  });
}

/**
 * The character a key types: its only top legend, or the lower (unshifted) one of a stacked pair
 * such as "!" over "1". Front legends are ignored.
 */
function charOfLabels(labels: readonly (string | undefined)[]): string | undefined {
  const top = [0, 1, 2, 3, 4, 5, 6, 7, 8].filter((i) => labels[i]);
  if (top.length === 1) return charOfLegend(labels[top[0] as number]);
  const [upper, lower] = top as [number, number];
  if (top.length === 2 && upper % 3 === lower % 3 && charOfLegend(labels[upper])) {
    return charOfLegend(labels[lower]);
  }
  return undefined;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6 + 0;
}

function deserialize(source: KleSource): Keyboard {
  try {
    return Serial.deserialize(source.meta ? [source.meta, ...source.rows] : [...source.rows]);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^Error: /, "");
    throw new KeyForgeError(IMPORT_KLE_INVALID, `KLE raw data is invalid: ${reason}`);
  }
}

/** The keys of KLE raw data where the editor draws them, decals and ghost keys left out. */
export function placeKleKeys(data: unknown): { keys: PlacedKey[]; name?: string } {
  const source = kleSource(data);
  const keyboard = deserialize(source);
  const corrections = rotationOriginCorrections(source.rows);
  const keys: PlacedKey[] = [];
  let next = 0;
  source.rows.forEach((row, r) => {
    const { dx, dy } = corrections[r] ?? { dx: 0, dy: 0 };
    for (const item of row) {
      if (typeof item !== "string") continue;
      const key = keyboard.keys[next++];
      if (!key || key.decal || key.ghost) continue;
      const legends = key.labels.slice(0, 9).filter((l): l is string => Boolean(l));
      const char = charOfLabels(key.labels);
      keys.push({
        id: `k${keys.length}`,
        x: round(key.x + dx),
        y: round(key.y + dy),
        w: key.width,
        h: key.height,
        r: key.rotation_angle,
        rx: key.rotation_x,
        ry: key.rotation_y,
        legends,
        ...(char !== undefined ? { char } : {}),
      });
    }
  });
  if (keys.length === 0) {
    throw new KeyForgeError(IMPORT_KLE_INVALID, "KLE raw data contains no keys");
  }
  const name = typeof source.meta?.name === "string" ? source.meta.name : undefined;
  return { keys, ...(name ? { name } : {}) };
}

/**
 * Builds a board from keyboard-layout-editor raw data (parsed JSON). Throws IMPORT_KLE_INVALID
 * for a malformed file, IMPORT_OPTIONS_INVALID for bad options and BOARD_INVALID when the keys do
 * not make a valid board (e.g. overlapping keys).
 */
export function importKleBoard(data: unknown, options: KleImportOptions): Board {
  const { keys, name } = placeKleKeys(data);
  return importedBoard(keys, options, {
    ...(name ? { name } : {}),
    description: `Imported from keyboard-layout-editor raw data (${keys.length} keys).`,
    source: "keyboard-layout-editor.com raw data",
  });
}
