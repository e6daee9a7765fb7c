import { type Board, type Finger, type Hand, keyCentre } from "../core/board.ts";

/** Terminal columns per key unit and lines per key unit. */
const COLUMNS_PER_UNIT = 6;
const LINES_PER_UNIT = 2;

const FINGER_LETTER: Record<Finger, string> = {
  thumb: "T",
  index: "I",
  middle: "M",
  ring: "R",
  pinky: "P",
};

/** One ANSI colour per finger, the same on both hands, so columns read at a glance. */
const FINGER_COLOUR: Record<Finger, number> = {
  thumb: 90,
  index: 32,
  middle: 36,
  ring: 34,
  pinky: 35,
};

export function fingerCode(hand: Hand, finger: Finger): string {
  return `${hand === "left" ? "L" : "R"}${FINGER_LETTER[finger]}`;
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
  if (heat === undefined) return `${FINGER_COLOUR[finger]}`;
  const step = Math.min(HEAT_BACKGROUNDS.length - 1, Math.floor(heat * HEAT_BACKGROUNDS.length));
  return `30;48;5;${HEAT_BACKGROUNDS[step]}`;
}

/**
 * Draws the board as text: every key at its real (rotated) centre, one line per half key unit,
 * labelled and coloured by finger.
 */
export function drawBoard(board: Board, options: DrawOptions): string {
  const centres = board.keys.map(keyCentre);
  const minX = Math.min(...board.keys.map((k, i) => (centres[i]?.x ?? 0) - k.w / 2));
  const minY = Math.min(...centres.map((c) => c.y));
  const grid = new Map<number, { column: number; text: string; visible: number }[]>();
  board.keys.forEach((key, i) => {
    const centre = centres[i] ?? { x: 0, y: 0 };
    const width = key.r === 0 ? Math.max(5, Math.round(key.w * COLUMNS_PER_UNIT) - 1) : 5;
    const line = Math.round((centre.y - minY) * LINES_PER_UNIT);
    const column = Math.round((centre.x - minX) * COLUMNS_PER_UNIT - width / 2);
    const label = options.labels[i] ?? "";
    const inner = width - 2;
    const left = Math.floor((inner - [...label].length) / 2);
    const body =
      " ".repeat(Math.max(0, left)) +
      label +
      " ".repeat(Math.max(0, inner - left - [...label].length));
    const cell = `[${body}]`;
    const text = options.colour
      ? `\u001b[${keyStyle(options, key.finger, i)}m${cell}\u001b[0m`
      : cell;
    const cells = grid.get(line) ?? [];
    cells.push({ column: Math.max(0, column), text, visible: width });
    grid.set(line, cells);
  });
  const lastLine = Math.max(...grid.keys());
  const lines: string[] = [];
  for (let line = 0; line <= lastLine; line++) {
    const cells = (grid.get(line) ?? []).sort((a, b) => a.column - b.column);
    let out = "";
    let at = 0;
    for (const cell of cells) {
      // Keys drawn closer than a cell's width (steep rotation) are nudged right, never overlapped.
      const column = Math.max(cell.column, at);
      out += " ".repeat(column - at) + cell.text;
      at = column + cell.visible;
    }
    lines.push(out.trimEnd());
  }
  return lines.join("\n").replace(/^\n+|\n+$/g, "");
}

export const FINGER_LEGEND =
  "fingers: L/R = left/right hand, P pinky, R ring, M middle, I index, T thumb; * = home key";
