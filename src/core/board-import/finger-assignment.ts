import { z } from "zod";
import {
  FINGERS,
  type Finger,
  HANDS,
  type Hand,
  type Key,
  keyCentre,
  type Point,
} from "../board.ts";
import { failWithProblems, KeyForgeError, type Problem } from "../errors.ts";
import { keyRows, median } from "./key-rows.ts";
import { isLetterSized, type PlacedKey, placedSpanX } from "./placed-key.ts";

/**
 * How an importer infers hands, fingers and home keys, and the user's corrections. Every field
 * is optional; the inference rule is described in docs/formats/board-import.md.
 */
export interface ImportOptions {
  /** Smallest horizontal gap (key units) in the home row that makes a board split. Default 0.75. */
  readonly splitGap?: number;
  /** The home row, as a row label of the imported board (0 = top row). Default: inferred. */
  readonly homeRow?: number;
  /** Hand of a key, by key id; applied after inference. */
  readonly hands?: Readonly<Record<string, Hand>>;
  /** Finger of a key, by key id; applied after inference. */
  readonly fingers?: Readonly<Record<string, Finger>>;
  /** Home keys, by key id: each replaces the inferred home key of its hand's finger. */
  readonly homes?: readonly string[];
}

export const DEFAULT_SPLIT_GAP = 0.75;

/** The inferred (and overridden) board keys, in board order: rows top to bottom, left to right. */
export interface FingerAssignment {
  readonly keys: readonly Key[];
  /** Ids of the 3x10 letter block, when the home row and its neighbours hold one. */
  readonly letterBlock?: readonly (readonly string[])[];
  readonly homeRow: number;
  readonly split: boolean;
  /** Middle of the home row's letter keys: the place a typist's hands rest. */
  readonly homeCentre: Point;
}

/** Rows further apart than this (centre to centre) do not belong to one block of keys. */
const MAX_ROW_PITCH = 1.25;
/** A row of the main block has at least this share of the fullest row's letter-sized keys. */
const MAIN_ROW_SHARE = 0.6;
/** The smaller half of a split board has at least this share of the larger half's home keys. */
const SPLIT_BALANCE = 0.5;
/** A key continues a finger column when it sits this close (x) under a finger key. */
const COLUMN_ALIGNMENT = 0.3;
/** A letter-block key lies at most this far (x) from its home-row key, stagger removed. */
const LETTER_BLOCK_ALIGNMENT = 0.5;
/**
 * How far inside the hand's innermost home-row column (key units, towards the other hand) the
 * resting thumb lies: its home is the thumb key whose centre is horizontally nearest that point.
 */
const THUMB_REST = 0.25;
/** Keys taller than this (ISO Enter, numpad +) never define a finger column. */
const MAX_COLUMN_KEY_HEIGHT = 1.25;

/** Fingers of the home-row columns of one hand, counted from the middle of the board outwards. */
const COLUMN_FINGERS: readonly Finger[] = ["index", "index", "middle", "ring", "pinky"];
/** Which of those columns holds the finger's home key. */
const HOME_COLUMN: Readonly<Record<Exclude<Finger, "thumb">, number>> = {
  index: 1,
  middle: 2,
  ring: 3,
  pinky: 4,
};

const optionsSchema = z.looseObject({
  splitGap: z.number().positive().max(20).optional(),
  homeRow: z.number().int().min(0).optional(),
  hands: z.record(z.string(), z.enum(HANDS)).optional(),
  fingers: z.record(z.string(), z.enum(FINGERS)).optional(),
  homes: z.array(z.string()).optional(),
});

function optionProblems(
  options: ImportOptions,
  ids: ReadonlySet<string>,
  rowCount: number,
): Problem[] {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({
      code: "IMPORT_OPTION_INVALID",
      subject: issue.path.join("."),
      message: issue.message,
    }));
  }
  const problems: Problem[] = [];
  const unknown = (field: string, id: string) =>
    problems.push({
      code: "IMPORT_OPTION_UNKNOWN_KEY",
      subject: `${field}.${id}`,
      message: `no imported key has id "${id}"`,
    });
  for (const id of Object.keys(options.hands ?? {})) if (!ids.has(id)) unknown("hands", id);
  for (const id of Object.keys(options.fingers ?? {})) if (!ids.has(id)) unknown("fingers", id);
  for (const id of options.homes ?? []) if (!ids.has(id)) unknown("homes", id);
  if (options.homeRow !== undefined && options.homeRow >= rowCount) {
    problems.push({
      code: "IMPORT_OPTION_INVALID",
      subject: "homeRow",
      message: `the board has rows 0 to ${rowCount - 1}, not ${options.homeRow}`,
    });
  }
  return problems;
}

/** Everything the inference derives from the geometry, shared by its steps. */
class Geometry {
  readonly keys: readonly PlacedKey[];
  readonly centres: readonly Point[];
  readonly rows: readonly (readonly number[])[];
  readonly rowOf: readonly number[];
  readonly rowY: readonly number[];

  constructor(keys: readonly PlacedKey[]) {
    this.keys = keys;
    this.centres = keys.map(keyCentre);
    const { rows, rowOf, rowY } = keyRows(keys);
    this.rows = rows;
    this.rowOf = rowOf;
    this.rowY = rowY;
  }

  key(i: number): PlacedKey {
    return this.keys[i] as PlacedKey;
  }

  cx(i: number): number {
    return (this.centres[i] as Point).x;
  }

  cy(i: number): number {
    return (this.centres[i] as Point).y;
  }

  row(r: number): readonly number[] {
    return this.rows[r] ?? [];
  }

  letterSized(i: number): boolean {
    return isLetterSized(this.key(i));
  }

  /** Free space between two keys of a row, left edge of the right one minus right edge of the left. */
  gap(left: number, right: number): number {
    return placedSpanX(this.key(right)).min - placedSpanX(this.key(left)).max;
  }

  between(left: number, right: number): number {
    return (placedSpanX(this.key(left)).max + placedSpanX(this.key(right)).min) / 2;
  }
}

/**
 * The home row when the user names none: the main block is the run of rows (at most 1.25u apart)
 * holding the most letter-sized keys, without its sparse rows (function keys, thumb rows). Its
 * third row is the home row when its top row is a number row, its second row otherwise. A number
 * row is recognised by its digit legends; on a board without legends, by the main block having
 * five or more rows, or four with more keys (thumb keys) below them.
 */
function defaultHomeRow(g: Geometry): number {
  const letters = g.rows.map((row) => row.filter((i) => g.letterSized(i)).length);
  let best: number[] = [];
  let bestLetters = -1;
  let run: number[] = [];
  const consider = () => {
    const total = run.reduce((sum, r) => sum + (letters[r] as number), 0);
    if (run.length > 0 && total > bestLetters) {
      best = run;
      bestLetters = total;
    }
  };
  g.rows.forEach((_, r) => {
    const previous = run.at(-1);
    if (
      previous !== undefined &&
      (g.rowY[r] as number) - (g.rowY[previous] as number) > MAX_ROW_PITCH
    ) {
      consider();
      run = [];
    }
    run.push(r);
  });
  consider();
  const fullest = Math.max(...best.map((r) => letters[r] as number));
  const dense = best.filter((r) => (letters[r] as number) >= MAIN_ROW_SHARE * fullest);
  const main = fullest > 0 && dense.length > 0 ? dense : best;
  const labelled = g.keys.some((k) => k.legends.length > 0);
  const digits = g
    .row(main[0] as number)
    .filter((i) => g.key(i).legends.some((l) => /^[0-9]$/.test(l))).length;
  const keysBelow = g.rows.length - 1 > (main.at(-1) as number);
  const numberRow = labelled ? digits >= 3 : main.length >= 5 || (main.length === 4 && keysBelow);
  return main[Math.min(numberRow ? 2 : 1, main.length - 1)] as number;
}

interface HandSplit {
  readonly split: boolean;
  /** Keys whose centre lies left of this x belong to the left hand. */
  readonly boundary: number;
  /** Horizontal extent of the home row's main run of keys (one-piece boards). */
  readonly spanMin: number;
  readonly spanMax: number;
  /** Centre x of the home row's first letter key, the reference for row stagger. */
  readonly reference: number;
}

/**
 * Split boards: the widest gap of at least `splitGap` between letter keys of the home row with a
 * comparable number of keys on both sides. One-piece boards: in the home row's longest run of
 * touching keys, between the 5th and 6th letter key when the run starts with a wider modifier (Caps
 * Lock, Tab), else in the middle of the run's letter keys (ortholinear grids).
 */
function handSplit(g: Geometry, homeRow: number, splitGap: number): HandSplit {
  const home = g.row(homeRow);
  const letters = home.filter((i) => g.letterSized(i));
  let best: { gap: number; boundary: number } | undefined;
  for (let i = 0; i + 1 < letters.length; i++) {
    const gap = g.gap(letters[i] as number, letters[i + 1] as number);
    const left = i + 1;
    const right = letters.length - left;
    if (gap >= splitGap && Math.min(left, right) >= SPLIT_BALANCE * Math.max(left, right)) {
      if (!best || gap > best.gap) {
        best = { gap, boundary: g.between(letters[i] as number, letters[i + 1] as number) };
      }
    }
  }
  const firstLetter = letters[0];
  if (best) {
    return {
      split: true,
      boundary: best.boundary,
      spanMin: Number.NEGATIVE_INFINITY,
      spanMax: Number.POSITIVE_INFINITY,
      reference: firstLetter === undefined ? 0 : g.cx(firstLetter),
    };
  }
  const runs: number[][] = [];
  for (const i of home) {
    const last = runs.at(-1);
    const previous = last?.at(-1);
    if (last && previous !== undefined && g.gap(previous, i) < splitGap) last.push(i);
    else runs.push([i]);
  }
  const count = (run: readonly number[]) => run.filter((i) => g.letterSized(i)).length;
  const main = runs.reduce((a, b) => (count(b) > count(a) ? b : a), runs[0] ?? []);
  const runLetters = main.filter((i) => g.letterSized(i));
  const spanMin = Math.min(...main.map((i) => placedSpanX(g.key(i)).min));
  const spanMax = Math.max(...main.map((i) => placedSpanX(g.key(i)).max));
  const first = main[0];
  const reference = runLetters[0] === undefined ? 0 : g.cx(runLetters[0]);
  if (runLetters.length < 2 || first === undefined) {
    return { split: false, boundary: (spanMin + spanMax) / 2, spanMin, spanMax, reference };
  }
  const leadingModifier = !g.letterSized(first);
  const k = leadingModifier && runLetters.length >= 6 ? 4 : Math.floor(runLetters.length / 2) - 1;
  return {
    split: false,
    boundary: g.between(runLetters[k] as number, runLetters[k + 1] as number),
    spanMin,
    spanMax,
    reference,
  };
}

/**
 * How far a row of a one-piece board is shifted against the home row (row stagger): the typical
 * offset of its letter keys from the home row's key grid, taken to the left for rows above the home
 * row and to the right for rows below (the way typewriter rows are staggered).
 */
function rowStagger(g: Geometry, r: number, homeRow: number, hands: HandSplit): number {
  if (hands.split || r === homeRow) return 0;
  const phases = g
    .row(r)
    .filter((i) => g.letterSized(i) && g.cx(i) >= hands.spanMin && g.cx(i) <= hands.spanMax)
    .map((i) => {
      const phase = (((g.cx(i) - hands.reference) % 1) + 1) % 1;
      return phase > 0.98 ? phase - 1 : phase;
    });
  if (phases.length === 0) return 0;
  const phase = median(phases);
  if (Math.abs(phase) <= 0.02) return 0;
  return r < homeRow ? phase - 1 : phase;
}

interface Column {
  readonly key: number;
  readonly hand: Hand;
  readonly finger: Finger;
  readonly x: number;
}

interface Inferred {
  readonly hand: Hand[];
  readonly finger: Finger[];
  readonly home: boolean[];
  readonly letterBlock?: number[][];
  readonly homeCentre: Point;
}

function inferFingers(g: Geometry, homeRow: number, hands: HandSplit): Inferred {
  const n = g.keys.length;
  const hand = new Array<Hand>(n).fill("left");
  const finger = new Array<Finger>(n).fill("index");
  const home = new Array<boolean>(n).fill(false);
  const side = (x: number): Hand => (x < hands.boundary ? "left" : "right");

  // Home-row columns of each hand, from the middle of the board outwards.
  const columnKeys = g.row(homeRow).filter((i) => g.key(i).h <= MAX_COLUMN_KEY_HEIGHT);
  const columnsOf = (h: Hand): Column[] =>
    columnKeys
      .filter((i) => side(g.cx(i)) === h)
      .sort((a, b) => Math.abs(g.cx(a) - hands.boundary) - Math.abs(g.cx(b) - hands.boundary))
      .map((key, c) => ({ key, hand: h, finger: COLUMN_FINGERS[c] ?? "pinky", x: g.cx(key) }));
  const columns: Record<Hand, Column[]> = { left: columnsOf("left"), right: columnsOf("right") };
  for (const h of HANDS) {
    for (const column of columns[h]) {
      hand[column.key] = h;
      finger[column.key] = column.finger;
    }
    for (const f of ["index", "middle", "ring", "pinky"] as const) {
      const standard = columns[h][HOME_COLUMN[f]];
      const chosen = standard?.finger === f ? standard : columns[h].find((c) => c.finger === f);
      if (chosen) home[chosen.key] = true;
    }
  }

  const nearestColumn = (x: number, h: Hand): Column | undefined => {
    const candidates = columns[h].length > 0 ? columns[h] : [...columns.left, ...columns.right];
    let best: Column | undefined;
    for (const c of candidates) {
      if (!best || Math.abs(c.x - x) < Math.abs(best.x - x)) best = c;
    }
    return best;
  };
  const pinkyX = (h: Hand, fallback: number) => {
    const cs = columns[h];
    return (cs[HOME_COLUMN.pinky] ?? cs.at(-1))?.x ?? fallback;
  };
  const thumbZone = {
    min: pinkyX("left", Number.NEGATIVE_INFINITY),
    max: pinkyX("right", Number.POSITIVE_INFINITY),
  };

  const thumb = new Array<boolean>(n).fill(false);
  const continuesColumn = (i: number, r: number) =>
    g.letterSized(i) &&
    g.row(r - 1).some((j) => {
      const dy = g.cy(i) - g.cy(j);
      return (
        !thumb[j] &&
        g.letterSized(j) &&
        Math.abs(g.cx(i) - g.cx(j)) <= COLUMN_ALIGNMENT &&
        dy >= 0.6 &&
        dy <= 1.4
      );
    });

  const stagger = g.rows.map((_, r) => rowStagger(g, r, homeRow, hands));
  const inColumn = new Set(columnKeys);
  g.rows.forEach((row, r) => {
    for (const i of row) {
      if (r === homeRow && inColumn.has(i)) continue;
      const x = g.cx(i);
      if (r >= homeRow + 2 && x > thumbZone.min && x < thumbZone.max && !continuesColumn(i, r)) {
        thumb[i] = true;
        hand[i] = side(x);
        finger[i] = "thumb";
        continue;
      }
      const adjusted = x - (stagger[r] as number);
      const column = nearestColumn(adjusted, side(adjusted));
      hand[i] = column?.hand ?? side(adjusted);
      finger[i] = column?.finger ?? "index";
    }
  });

  // Thumb home: where the thumb rests, just inside the hand's innermost column. On a row of
  // thumb keys that is the key under the inner edge of the letter block (Corne: the middle of
  // three), in a cluster the big key next to the letter block (ErgoDox, Kinesis), not the key
  // nearest the index finger's home key, which is the outermost one.
  for (const h of HANDS) {
    const inner = columns[h][0];
    const rest = inner ? g.cx(inner.key) + (h === "left" ? THUMB_REST : -THUMB_REST) : undefined;
    const distance = (i: number): [number, number] =>
      rest === undefined ? [0, g.cy(i)] : [Math.abs(g.cx(i) - rest), g.cy(i)];
    let best: number | undefined;
    for (let i = 0; i < n; i++) {
      if (!thumb[i] || hand[i] !== h) continue;
      const [dx, dy] = distance(i);
      const [bx, by] = best === undefined ? [Infinity, Infinity] : distance(best);
      if (dx < bx || (dx === bx && dy < by)) best = i;
    }
    if (best !== undefined) home[best] = true;
  }

  const homeColumns = [...columns.left.slice(0, 5).reverse(), ...columns.right.slice(0, 5)];
  const centreKeys = homeColumns.length > 0 ? homeColumns.map((c) => c.key) : [...g.row(homeRow)];
  const homeCentre = {
    x: centreKeys.reduce((s, i) => s + g.cx(i), 0) / Math.max(1, centreKeys.length),
    y: centreKeys.reduce((s, i) => s + g.cy(i), 0) / Math.max(1, centreKeys.length),
  };
  const letterBlock = letterBlockOf(g, homeRow, columns, stagger, hand, thumb);
  return { hand, finger, home, homeCentre, ...(letterBlock ? { letterBlock } : {}) };
}

/**
 * Five home-row columns per hand and, for each, the key straight above and straight below it
 * (stagger removed): the 3x10 block layouts are written for. Every key must be letter-sized.
 */
function letterBlockOf(
  g: Geometry,
  homeRow: number,
  columns: Record<Hand, Column[]>,
  stagger: readonly number[],
  hand: readonly Hand[],
  thumb: readonly boolean[],
): number[][] | undefined {
  if (columns.left.length < 5 || columns.right.length < 5) return undefined;
  if (homeRow < 1 || homeRow + 1 >= g.rows.length) return undefined;
  const middle = [...columns.left.slice(0, 5).reverse(), ...columns.right.slice(0, 5)];
  const keyAt = (r: number, column: Column): number | undefined => {
    let best: number | undefined;
    let bestDistance = LETTER_BLOCK_ALIGNMENT;
    for (const i of g.row(r)) {
      if (thumb[i] || hand[i] !== column.hand) continue;
      const d = Math.abs(g.cx(i) - (stagger[r] as number) - column.x);
      if (d <= bestDistance) {
        best = i;
        bestDistance = d;
      }
    }
    return best;
  };
  const block = [homeRow - 1, homeRow, homeRow + 1].map((r) =>
    middle.map((c) => (r === homeRow ? c.key : keyAt(r, c))),
  );
  const ids = block.flat();
  if (ids.some((i) => i === undefined || !g.letterSized(i))) return undefined;
  if (new Set(ids).size !== ids.length) return undefined;
  return block as number[][];
}

/**
 * One home key per (hand, finger) after the user's corrections: a key listed in `homes`, else the
 * inferred home key if it still belongs to that finger, else the finger's key nearest the home row
 * (and, among those, nearest the finger's former home key).
 */
function resolveHomes(
  g: Geometry,
  homeRow: number,
  inferred: Inferred,
  hand: readonly Hand[],
  finger: readonly Finger[],
  listed: ReadonlySet<number>,
): boolean[] {
  const groups = new Map<string, number[]>();
  const formerHome = new Map<string, Point>();
  hand.forEach((h, i) => {
    const name = `${h} ${finger[i]}`;
    const group = groups.get(name);
    if (group) group.push(i);
    else groups.set(name, [i]);
    if (inferred.home[i]) {
      formerHome.set(`${inferred.hand[i]} ${inferred.finger[i]}`, g.centres[i] as Point);
    }
  });
  const home = new Array<boolean>(g.keys.length).fill(false);
  for (const [name, members] of groups) {
    const chosen = members.filter((i) => listed.has(i));
    if (chosen.length === 0) {
      const inferredHomes = members.filter((i) => inferred.home[i]);
      const kept = inferredHomes.filter(
        (i) => inferred.hand[i] === hand[i] && inferred.finger[i] === finger[i],
      );
      const pool = kept.length > 0 ? kept : inferredHomes.length > 0 ? inferredHomes : members;
      const anchor = formerHome.get(name);
      const cost = (i: number) =>
        Math.abs((g.rowOf[i] as number) - homeRow) * 1000 +
        (anchor ? Math.hypot(g.cx(i) - anchor.x, g.cy(i) - anchor.y) : 0);
      chosen.push(pool.reduce((a, b) => (cost(b) < cost(a) ? b : a)));
    }
    for (const i of chosen) home[i] = true;
  }
  return home;
}

/**
 * Infers hand, finger, home keys, display rows and the letter block of imported keys, then applies
 * the user's overrides. Throws IMPORT_OPTIONS_INVALID when an option is malformed or names a key
 * that does not exist.
 */
export function assignFingers(
  placed: readonly PlacedKey[],
  options: ImportOptions = {},
): FingerAssignment {
  if (placed.length === 0) throw new KeyForgeError("IMPORT_NO_KEYS", "there are no keys to import");
  const g = new Geometry(placed);
  const index = new Map(placed.map((k, i) => [k.id, i]));
  const problems = optionProblems(options, new Set(index.keys()), g.rows.length);
  if (problems.length > 0)
    failWithProblems("IMPORT_OPTIONS_INVALID", "import options are invalid", problems);

  const homeRow = options.homeRow ?? defaultHomeRow(g);
  const hands = handSplit(g, homeRow, options.splitGap ?? DEFAULT_SPLIT_GAP);
  const inferred = inferFingers(g, homeRow, hands);

  const hand = placed.map((k, i) => options.hands?.[k.id] ?? (inferred.hand[i] as Hand));
  const finger = placed.map((k, i) => options.fingers?.[k.id] ?? (inferred.finger[i] as Finger));
  const listed = new Set((options.homes ?? []).map((id) => index.get(id) as number));
  const home = resolveHomes(g, homeRow, inferred, hand, finger, listed);

  const colOf = new Array<number>(placed.length).fill(0);
  for (const row of g.rows) {
    row.forEach((i, c) => {
      colOf[i] = c;
    });
  }
  const keys: Key[] = g.rows.flat().map((i) => {
    const k = g.key(i);
    return {
      id: k.id,
      x: k.x,
      y: k.y,
      w: k.w,
      h: k.h,
      r: k.r,
      rx: k.rx,
      ry: k.ry,
      hand: hand[i] as Hand,
      finger: finger[i] as Finger,
      home: home[i] as boolean,
      row: g.rowOf[i] as number,
      col: colOf[i] as number,
      ...(k.char !== undefined ? { char: k.char } : {}),
    };
  });
  return {
    keys,
    homeRow,
    split: hands.split,
    homeCentre: inferred.homeCentre,
    ...(inferred.letterBlock
      ? { letterBlock: inferred.letterBlock.map((row) => row.map((i) => g.key(i).id)) }
      : {}),
  };
}
