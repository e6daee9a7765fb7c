import {
  type Board,
  FINGERS,
  type Finger,
  type Hand,
  type Key,
  keyCentre,
  rotationGroups,
} from "../core/board.ts";
import { DEFAULT_SPLIT_GAP } from "../core/board-import/finger-assignment.ts";

/** Terminal columns per key unit: a 1u key is a five-column cell and a space. */
const COLUMNS_PER_UNIT = 6;
/** The scale for boards too wide for MAX_WIDTH at full scale (full-size boards): cells touch. */
const NARROW_COLUMNS_PER_UNIT = 5;
const MAX_WIDTH = 100;
/** "[", three characters of label, "]". */
const MIN_CELL_WIDTH = 5;
/** Blank columns drawn between the halves of a split board, whatever their real distance. */
const SPLIT_GAP_COLUMNS = 6;

const FINGER_LETTER: Record<Finger, string> = {
  thumb: "T",
  index: "I",
  middle: "M",
  ring: "R",
  pinky: "P",
};

/** One ANSI colour per finger, the same on both hands, so columns read at a glance. */
const FINGER_COLOUR: Record<Finger, { readonly code: number; readonly name: string }> = {
  thumb: { code: 90, name: "grey" },
  index: { code: 32, name: "green" },
  middle: { code: 36, name: "cyan" },
  ring: { code: 34, name: "blue" },
  pinky: { code: 35, name: "magenta" },
};

export function fingerCode(hand: Hand, finger: Finger): string {
  return `${hand === "left" ? "L" : "R"}${FINGER_LETTER[finger]}`;
}

/** What the finger colours of a drawing mean; only worth printing when colours are shown. */
export function fingerColourLegend(): string {
  const entries = [...FINGERS].reverse().map((f) => `${f} ${FINGER_COLOUR[f].name}`);
  return `colours: ${entries.join(", ")}`;
}

export interface DrawOptions {
  /** Text shown on each key (at most a few characters), by key index. */
  readonly labels: readonly string[];
  readonly colour: boolean;
  /** Colour keys by this heat (0–1, by key index) instead of by finger. */
  readonly heat?: readonly number[];
}

/** 256-colour backgrounds from cold to hot, with black text. */
const HEAT_BACKGROUNDS = [254, 230, 229, 228, 221, 214, 208, 202, 196] as const;

function keyStyle(options: DrawOptions, finger: Finger, index: number): string {
  const heat = options.heat?.[index];
  if (heat === undefined) return `${FINGER_COLOUR[finger].code}`;
  const step = Math.min(HEAT_BACKGROUNDS.length - 1, Math.floor(heat * HEAT_BACKGROUNDS.length));
  return `30;48;5;${HEAT_BACKGROUNDS[step]}`;
}

/**
 * Left edge of every key (key units) as the drawing places it. A rotated group of keys (one angle
 * and origin: a tilted half, a thumb cluster) is straightened: its keys keep their spacing in the
 * group's own frame, and the group stays where its keys are on the board.
 */
function straightenedLeftEdges(board: Board): number[] {
  const keys = board.keys;
  const left = keys.map((k) => k.x);
  for (const members of rotationGroups(keys)) {
    let shift = 0;
    for (const i of members) {
      const key = keys[i] as Key;
      shift += (keyCentre(key).x - (key.x + key.w / 2)) / members.length;
    }
    for (const i of members) left[i] = (keys[i] as Key).x + shift;
  }
  return left;
}

/** Key indices of each drawn line: a line per row label, top first. */
function lines(board: Board, members: readonly number[]): number[][] {
  const byRow = new Map<number, number[]>();
  for (const i of members) {
    const row = (board.keys[i] as Key).row;
    byRow.set(row, [...(byRow.get(row) ?? []), i]);
  }
  return [...byRow.entries()].sort(([a], [b]) => a - b).map(([, keys]) => keys);
}

interface Span {
  readonly start: number;
  /** One past the last column of the cell. */
  readonly stop: number;
}

/**
 * Columns of every key's cell. One-piece boards are drawn to scale. On a split board each half
 * keeps its shape and the halves are drawn a fixed gap apart; each hand's thumb keys go under the
 * inner end of its half, where rotated clusters and keys between the halves would otherwise
 * collide.
 */
function cellSpans(board: Board, left: readonly number[], scale: number): Span[] {
  const keys = board.keys;
  const spans: Span[] = keys.map(() => ({ start: 0, stop: 0 }));
  const right = (i: number) => (left[i] as number) + (keys[i] as Key).w;
  // What a 1u key's unit has beyond its cell is left blank at the end of every cell, so touching
  // keys stay apart as much at any width; keys closer than a cell's width (narrow keys, rotated
  // clusters) are pushed right, never overlapped.
  const spacing = scale - MIN_CELL_WIDTH;
  const place = (
    members: readonly number[],
    from: number,
    origin = Math.min(...members.map((i) => left[i] as number)),
  ) => {
    const column = (x: number) => from + Math.round((x - origin) * scale);
    for (const line of lines(board, members)) {
      let at = Number.NEGATIVE_INFINITY;
      for (const i of line.sort((a, b) => (left[a] as number) - (left[b] as number))) {
        const natural = column(left[i] as number);
        const start = Math.max(natural, at);
        const stop = Math.max(start + MIN_CELL_WIDTH, column(right(i)) - spacing + start - natural);
        spans[i] = { start, stop };
        at = stop;
      }
    }
  };
  const end = (members: readonly number[]) =>
    Math.max(...members.map((i) => (spans[i] as Span).stop));
  const all = keys.map((_, i) => i);
  const of = (hand: Hand, thumb: boolean) =>
    all.filter((i) => keys[i]?.hand === hand && (keys[i]?.finger === "thumb") === thumb);
  const leftHalf = of("left", false);
  const rightHalf = of("right", false);
  const gap =
    Math.min(...rightHalf.map((i) => left[i] as number)) - Math.max(...leftHalf.map(right));
  if (leftHalf.length === 0 || rightHalf.length === 0 || !(gap >= DEFAULT_SPLIT_GAP)) {
    const origin = Math.min(...left);
    place([...leftHalf, ...rightHalf], 0, origin);
    place([...of("left", true), ...of("right", true)], 0, origin);
    return spans;
  }
  place(leftHalf, 0);
  const rightStart = end(leftHalf) + SPLIT_GAP_COLUMNS;
  place(rightHalf, rightStart);
  const leftThumbs = of("left", true);
  if (leftThumbs.length > 0) {
    place(leftThumbs, 0);
    const shift = Math.max(0, end(leftHalf) - end(leftThumbs));
    for (const i of leftThumbs) {
      const span = spans[i] as Span;
      spans[i] = { start: span.start + shift, stop: span.stop + shift };
    }
  }
  place(of("right", true), rightStart);
  return spans;
}

function cellText(label: string, width: number): string {
  const inner = width - 2;
  const length = [...label].length;
  const before = Math.max(0, Math.floor((inner - length) / 2));
  return `[${" ".repeat(before)}${label}${" ".repeat(Math.max(0, inner - before - length))}]`;
}

function drawAtScale(board: Board, options: DrawOptions, scale: number): string[] {
  const keys = board.keys;
  const spans = cellSpans(board, straightenedLeftEdges(board), scale);
  const all = keys.map((_, i) => i);
  const fingerKeys = all.filter((i) => keys[i]?.finger !== "thumb");
  const thumbKeys = all.filter((i) => keys[i]?.finger === "thumb");
  return [...lines(board, fingerKeys), ...lines(board, thumbKeys)].map((line) => {
    let out = "";
    let at = 0;
    for (const i of line.sort((a, b) => (spans[a] as Span).start - (spans[b] as Span).start)) {
      const { start, stop } = spans[i] as Span;
      const cell = cellText(options.labels[i] ?? "", stop - start);
      // Cells never overlap, even where a thumb cluster is wider than its half.
      const column = Math.max(start, at);
      out += " ".repeat(column - at);
      at = column + stop - start;
      out += options.colour
        ? `\u001b[${keyStyle(options, (keys[i] as Key).finger, i)}m${cell}\u001b[0m`
        : cell;
    }
    return out;
  });
}

/** Width of a drawn line as the terminal shows it. */
export function visibleWidth(line: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removes ANSI colour codes
  return [...line.replace(/\u001b\[[0-9;]*m/g, "")].length;
}

/**
 * Draws the board as text, labelled and coloured by finger (or heat): one line per row of finger
 * keys, left to right, with row stagger shown by indentation, then the thumb keys' rows. Column
 * stagger is not drawn (a row is a line). Boards wider than 100 columns at full scale are drawn
 * narrower, with no space between neighbouring keys.
 */
export function drawBoard(board: Board, options: DrawOptions): string {
  let drawn = drawAtScale(board, options, COLUMNS_PER_UNIT);
  if (Math.max(...drawn.map(visibleWidth)) > MAX_WIDTH) {
    drawn = drawAtScale(board, options, NARROW_COLUMNS_PER_UNIT);
  }
  return drawn.join("\n");
}

export const FINGER_LEGEND =
  "fingers: L/R = left/right hand, P pinky, R ring, M middle, I index, T thumb; * = home key";
