import type { Board, Key } from "../board.ts";
import type { Layout } from "../layout.ts";
import { invisibleCharName } from "./code-point-name.ts";
import { checkLayoutFits } from "./layout-fit.ts";

/**
 * Exporter to keyboard-layout-editor.com (KLE) raw data: the JSON array its "Upload JSON" and
 * "Raw data" tab accept, a metadata object followed by rows of property objects and legends.
 *
 * KLE places keys with a cursor: a property object's `x`/`y` move it, a key sits at the cursor
 * and moves it right by its width, every row starts one unit lower at x = rx, and a row whose
 * first object sets `rx`/`ry` restarts at the rotation origin (x = rx, y = ry). Rotation (`r`,
 * `rx`, `ry`) may only be set at the start of a row. The rows are built the way the editor
 * serialises a keyboard itself: keys sorted by rotation group, then y, then x; a new row for every
 * new y or rotation group; every key's offset from the cursor written out.
 */

/** Offsets are rounded to this many decimals, which drops float noise (0.30000000000000004). */
const DECIMALS = 1e9;

/** Keys whose y differs by less than this share a KLE row. */
const SAME_ROW = 1e-9;

function clean(value: number): number {
  return Math.round(value * DECIMALS) / DECIMALS + 0;
}

function normalAngle(r: number): number {
  return ((r % 360) + 360) % 360;
}

function sameCluster(a: Key, b: Key): boolean {
  return a.r === b.r && a.rx === b.rx && a.ry === b.ry;
}

/**
 * The legend KLE shows for a character: letters upper-case as on KLE's presets, the space as
 * "Space", Enter and Tab by name (a newline would split the legend), other invisible characters as
 * their code point. Empty for an unused key.
 */
export function kleLegend(char: string | null): string {
  if (char === null) return "";
  if (char === " ") return "Space";
  if (char === "\n") return "Enter";
  if (char === "\t") return "Tab";
  const invisible = invisibleCharName(char);
  if (invisible !== undefined) return invisible;
  const upper = char.toUpperCase();
  return [...upper].length === 1 ? upper : char;
}

/**
 * Board key indices in the order `layoutKle` writes the keys: by rotation group (angle, then
 * origin), then top to bottom, then left to right, as the editor orders them.
 */
export function kleKeyOrder(board: Board): number[] {
  const keys = board.keys;
  return keys
    .map((_, i) => i)
    .sort((i, j) => {
      const a = keys[i] as Key;
      const b = keys[j] as Key;
      return (
        normalAngle(a.r) - normalAngle(b.r) ||
        a.rx - b.rx ||
        a.ry - b.ry ||
        a.y - b.y ||
        a.x - b.x ||
        i - j
      );
    });
}

/**
 * KLE raw data for the layout on the board: every key where the board has it (position, size,
 * rotation), labelled with its character (centred), the index fingers' home keys with a homing
 * nub. Reading the result back with `placeKleKeys` gives the board's geometry again.
 */
export function layoutKle(board: Board, layout: Layout): unknown[] {
  checkLayoutFits(board, layout);
  const rows: unknown[][] = [];
  let row: unknown[] = [];
  /** The cursor as KLE moves it, and the rotation group and y of the current row. */
  const cursor = { x: 0, y: 0 };
  let cluster: Pick<Key, "r" | "rx" | "ry"> = { r: 0, rx: 0, ry: 0 };
  let rowKey: Key | undefined;
  let first = true;

  for (const index of kleKeyOrder(board)) {
    const key = board.keys[index] as Key;
    const props: Record<string, unknown> = {};
    if (rowKey && (!sameCluster(key, rowKey) || Math.abs(key.y - rowKey.y) > SAME_ROW)) {
      rows.push(row);
      row = [];
      rowKey = undefined;
      cursor.x = cluster.rx;
      cursor.y += 1;
    }
    if (!rowKey) {
      rowKey = key;
      if (key.r !== cluster.r || key.rx !== cluster.rx || key.ry !== cluster.ry) {
        // All three are written, so the row restarts at the origin whatever changed.
        cluster = { r: key.r, rx: key.rx, ry: key.ry };
        Object.assign(props, { r: key.r, rx: key.rx, ry: key.ry });
        cursor.x = key.rx;
        cursor.y = key.ry;
      }
    }
    if (first) {
      props.a = 7; // legends centred on the key
      first = false;
    }
    const dy = clean(key.y - cursor.y);
    const dx = clean(key.x - cursor.x);
    if (dy !== 0) props.y = dy;
    if (dx !== 0) props.x = dx;
    cursor.y += dy;
    cursor.x += dx;
    if (key.w !== 1) props.w = key.w;
    if (key.h !== 1) props.h = key.h;
    if (key.home && key.finger === "index") props.n = true;
    if (Object.keys(props).length > 0) row.push(props);
    row.push(kleLegend(layout.chars[index] ?? null));
    cursor.x += key.w;
  }
  rows.push(row);
  return [
    { name: `${layout.name} on ${board.name}`, notes: `Exported by KeyForge (board ${board.id}).` },
    ...rows,
  ];
}

/**
 * The raw data as a JSON file with one KLE row per line. Without its first and last line (the
 * outer brackets) it is also what the editor's "Raw data" box takes.
 */
export function kleJsonText(data: readonly unknown[]): string {
  return `[\n${data.map((row) => JSON.stringify(row)).join(",\n")}\n]\n`;
}
