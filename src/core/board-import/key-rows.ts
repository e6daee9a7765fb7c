import { keyCentre, rotationGroups } from "../board.ts";
import type { PlacedKey } from "./placed-key.ts";

/** Keys whose unrotated centres are this close in x stand in one column. */
const COLUMN_X_TOLERANCE = 0.1;
/** Consecutive keys of a column are about one key unit apart. */
const COLUMN_PITCH_MIN = 0.85;
const COLUMN_PITCH_MAX = 1.15;
/** Keys (and row fragments) whose y lies within this distance of a row's first key join that row. */
const ROW_SPAN = 0.5;

/** The keys of an imported board sorted into display rows. */
export interface KeyRows {
  /** Key indices of each row, top row first, each row left to right by key centre. */
  readonly rows: readonly (readonly number[])[];
  /** The row of each key, parallel to the input. */
  readonly rowOf: readonly number[];
  /** Mean centre y of each row's keys. */
  readonly rowY: readonly number[];
}

interface Column {
  readonly members: readonly number[];
  readonly top: number;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Splits items sorted by `value` wherever a value lies more than `span` past its cluster's first. */
function clusterSorted<T>(items: readonly T[], value: (item: T) => number, span: number): T[][] {
  const sorted = [...items].sort((a, b) => value(a) - value(b));
  const clusters: T[][] = [];
  let start = Number.NEGATIVE_INFINITY;
  for (const item of sorted) {
    const v = value(item);
    const last = clusters.at(-1);
    if (last && v - start <= span) last.push(item);
    else {
      clusters.push([item]);
      start = v;
    }
  }
  return clusters;
}

/** Vertical runs of keys one key unit apart, in the group's unrotated frame. */
function columnsOf(members: readonly number[], keys: readonly PlacedKey[]): Column[] {
  const cx = (i: number) => (keys[i] as PlacedKey).x + (keys[i] as PlacedKey).w / 2;
  const cy = (i: number) => (keys[i] as PlacedKey).y + (keys[i] as PlacedKey).h / 2;
  const byX: number[][] = [];
  for (const i of [...members].sort((a, b) => cx(a) - cx(b))) {
    const last = byX.at(-1);
    const previous = last?.at(-1);
    if (last && previous !== undefined && cx(i) - cx(previous) <= COLUMN_X_TOLERANCE) last.push(i);
    else byX.push([i]);
  }
  const columns: Column[] = [];
  for (const stack of byX) {
    let run: number[] = [];
    const flush = () => {
      if (run.length >= 2) {
        columns.push({ members: run, top: cy(run[0] as number) });
      }
      run = [];
    };
    for (const i of stack.sort((a, b) => cy(a) - cy(b))) {
      const previous = run.at(-1);
      const pitch = previous === undefined ? 1 : cy(i) - cy(previous);
      if (pitch < COLUMN_PITCH_MIN || pitch > COLUMN_PITCH_MAX) flush();
      run.push(i);
    }
    flush();
  }
  return columns;
}

/**
 * Each key's y with its column's stagger removed. Columns of equal length whose top keys are less
 * than a key apart belong to one block (e.g. the halves of a column-staggered board) and are
 * aligned key by key, so a pinky column sitting 0.6u lower still has its top key in the top row.
 * Keys outside such columns keep their own y.
 */
function destaggeredY(members: readonly number[], keys: readonly PlacedKey[]): Map<number, number> {
  const columns = columnsOf(members, keys);
  const parent = columns.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] as number;
    return i;
  };
  columns.forEach((a, i) => {
    columns.forEach((b, j) => {
      if (j > i && a.members.length === b.members.length && Math.abs(a.top - b.top) < 1) {
        parent[find(j)] = find(i);
      }
    });
  });
  const blocks = new Map<number, Column[]>();
  columns.forEach((column, i) => {
    const root = find(i);
    blocks.set(root, [...(blocks.get(root) ?? []), column]);
  });
  const y = new Map<number, number>();
  for (const i of members) y.set(i, (keys[i] as PlacedKey).y + (keys[i] as PlacedKey).h / 2);
  for (const block of blocks.values()) {
    const reference = median(block.map((c) => c.top));
    for (const column of block) {
      const stagger = column.top - reference;
      for (const i of column.members) y.set(i, (y.get(i) as number) - stagger);
    }
  }
  return y;
}

/**
 * Sorts keys into rows the way a reader of the drawing would: each rotated group is read in its
 * own frame with column stagger removed, then the groups' rows are merged by their height on the
 * board.
 */
export function keyRows(keys: readonly PlacedKey[]): KeyRows {
  const centres = keys.map(keyCentre);
  const fragments: { members: number[]; y: number }[] = [];
  for (const members of rotationGroups(keys)) {
    const y = destaggeredY(members, keys);
    for (const row of clusterSorted(members, (i) => y.get(i) as number, ROW_SPAN)) {
      fragments.push({ members: row, y: mean(row.map((i) => (centres[i] as { y: number }).y)) });
    }
  }
  const merged = clusterSorted(fragments, (f) => f.y, ROW_SPAN);
  const rows = merged.map((parts) =>
    parts
      .flatMap((p) => p.members)
      .sort((a, b) => (centres[a]?.x as number) - (centres[b]?.x as number)),
  );
  const rowOf = new Array<number>(keys.length).fill(0);
  rows.forEach((row, r) => {
    for (const i of row) rowOf[i] = r;
  });
  const rowY = rows.map((row) => mean(row.map((i) => centres[i]?.y as number)));
  return { rows, rowOf, rowY };
}
