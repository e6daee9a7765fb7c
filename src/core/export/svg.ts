import { type Board, type Key, keyCorners } from "../board.ts";
import type { Corpus } from "../corpus.ts";
import { KeyForgeError } from "../errors.ts";
import type { Layout } from "../layout.ts";
import type { LayoutAnalysis } from "../scoring/analysis.ts";
import { invisibleCharName } from "./code-point-name.ts";
import { checkLayoutFits } from "./layout-fit.ts";

/**
 * Exporter to an SVG heat map: every key where it is on the board (position, size, rotation),
 * labelled with its character and its share of keystrokes and filled by how often it is typed,
 * under a heading that names the layout, board and corpus and gives the headline metrics.
 */

/** Pixels per key unit. */
export const SVG_UNIT = 54;

/** Space between neighbouring keycaps, so touching keys stay apart. */
const KEY_GAP = 3;
const KEY_RADIUS = 6;
const MARGIN = 18;
/** Title, corpus line and two lines of metrics. */
const HEADING_HEIGHT = 100;
const LEGEND_HEIGHT = 52;
const METRIC_COLUMNS = 4;
const METRIC_COLUMN_WIDTH = 150;
/** Narrowest drawing: the metrics must fit. */
const MIN_WIDTH = METRIC_COLUMNS * METRIC_COLUMN_WIDTH + 2 * MARGIN;
/** Rough width of a character in a proportional font, in em, to keep headings in the picture. */
const CHAR_WIDTH = 0.6;
const TITLE_SIZE = 18;
const LINE_SIZE = 13;
const BAR_WIDTH = 160;
/** Where a key's legend, homing bar and share sit: their middles below the key's centre (px). */
const LEGEND_OFFSET = -7;
const HOME_MARK_OFFSET = 6.5;
const SHARE_OFFSET = 15;
const SHARE_SIZE = 10;
/**
 * The baseline of a line of text lies this far (in em) below the middle of its lower-case
 * letters and digits. Set by hand because renderers disagree on `dominant-baseline`.
 */
const MIDDLE_TO_BASELINE = 0.35;

/** Fill of keys nobody types (share 0, or no character). */
export const UNTYPED_FILL = "#e8e8e8";
/** Light to dark (ColorBrewer YlOrRd): the least-typed key is pale yellow, the most dark red. */
const HEAT_STOPS: readonly (readonly [number, number, number])[] = [
  [255, 255, 178],
  [254, 204, 92],
  [253, 141, 60],
  [240, 59, 32],
  [189, 0, 38],
];
/** Above this heat the legend is drawn white. */
export const DARK_HEAT = 0.6;

/** What the heat map shows of the layout's analysis. */
export type SvgAnalysis = Pick<LayoutAnalysis, "score" | "metrics" | "keyShare">;

export interface SvgOptions {
  /** The corpus the analysis counted keystrokes in, named under the title. */
  readonly corpus: Pick<Corpus, "id" | "name">;
}

/** The figures under the title: the score and the metrics layouts are usually compared by. */
const HEADLINE: readonly { readonly label: string; readonly value: (a: SvgAnalysis) => string }[] =
  [
    { label: "score", value: (a) => a.score.toFixed(3) },
    { label: "SFB", value: (a) => svgPercent(a.metrics.sfb) },
    { label: "SFS", value: (a) => svgPercent(a.metrics.sfs) },
    { label: "LSB", value: (a) => svgPercent(a.metrics.lsb) },
    {
      label: "scissors",
      value: (a) => svgPercent(a.metrics.halfScissors + a.metrics.fullScissors),
    },
    { label: "rolls", value: (a) => svgPercent(a.metrics.rollIn + a.metrics.rollOut) },
    { label: "alternation", value: (a) => svgPercent(a.metrics.alternate) },
    { label: "redirects", value: (a) => svgPercent(a.metrics.redirect) },
  ];

/** Escapes the characters XML gives a meaning to, for text and attribute values alike. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** The legend drawn on a key: invisible characters get a symbol, an unused key none. */
export function svgLegend(char: string | null): string {
  if (char === null) return "";
  if (char === " ") return "␣";
  if (char === "\n") return "⏎";
  if (char === "\t") return "⇥";
  const invisible = invisibleCharName(char);
  if (invisible !== undefined) return invisible;
  return char;
}

function hex(rgb: readonly number[]): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
}

/** Colour at `t` (0 = least typed, 1 = most typed) on the heat scale. */
export function heatColour(t: number): string {
  const clamped = Math.min(1, Math.max(0, t));
  const at = clamped * (HEAT_STOPS.length - 1);
  const i = Math.min(HEAT_STOPS.length - 2, Math.floor(at));
  const f = at - i;
  const a = HEAT_STOPS[i] as readonly number[];
  const b = HEAT_STOPS[i + 1] as readonly number[];
  return hex(a.map((c, k) => c + ((b[k] as number) - c) * f));
}

/** Pixel values with at most two decimals. */
function px(value: number): string {
  return String(Math.round(value * 100) / 100 + 0);
}

/** A percentage as the picture shows it: two decimals below 1%, one above. */
export function svgPercent(share: number): string {
  return `${share.toFixed(share < 1 ? 2 : 1)}%`;
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}="${escapeXml(typeof value === "number" ? px(value) : value)}"`)
    .join(" ");
}

interface Box {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/** Bounding box of the rotated keys, in pixels. */
function boardBox(board: Board): Box {
  const corners = board.keys.flatMap(keyCorners);
  const xs = corners.map((p) => p.x * SVG_UNIT);
  const ys = corners.map((p) => p.y * SVG_UNIT);
  return {
    minX: Math.min(...xs),
    minY: Math.min(...ys),
    maxX: Math.max(...xs),
    maxY: Math.max(...ys),
  };
}

function keyShares(board: Board, keyShare: readonly number[]): number[] {
  if (keyShare.length !== board.keys.length) {
    throw new KeyForgeError(
      "EXPORT_KEY_SHARE_MISMATCH",
      `${keyShare.length} key shares given for board ${board.id}, which has ${board.keys.length} keys`,
    );
  }
  return keyShare.map((s) => (Number.isFinite(s) ? Math.min(100, Math.max(0, s)) : 0));
}

function keyElement(key: Key, char: string | null, share: number, maxShare: number): string {
  const heat = share > 0 && maxShare > 0 ? share / maxShare : 0;
  const fill = share > 0 ? heatColour(heat) : UNTYPED_FILL;
  const ink = heat > DARK_HEAT ? "#ffffff" : "#222222";
  const left = key.x * SVG_UNIT + KEY_GAP / 2;
  const top = key.y * SVG_UNIT + KEY_GAP / 2;
  const width = key.w * SVG_UNIT - KEY_GAP;
  const height = key.h * SVG_UNIT - KEY_GAP;
  const cx = left + width / 2;
  const cy = top + height / 2;
  const legend = svgLegend(char);
  // The same rotation as the board model's: clockwise degrees about (rx, ry), y downwards.
  const rotate =
    key.r !== 0
      ? ` transform="rotate(${px(key.r)} ${px(key.rx * SVG_UNIT)} ${px(key.ry * SVG_UNIT)})"`
      : "";
  const tip = `${key.id}: ${legend === "" ? "unused" : legend}, ${svgPercent(share)}${key.home ? ", home key" : ""}`;
  const parts = [
    `<g class="key"${rotate}>`,
    `<title>${escapeXml(tip)}</title>`,
    `<rect ${attrs({ x: left, y: top, width, height, rx: KEY_RADIUS, fill, stroke: "#666666", "stroke-width": 1 })}/>`,
  ];
  if (key.home) {
    // A homing bar, like the bump on F and J, between the character and its share.
    const bar = Math.min(16, width / 3);
    parts.push(
      `<rect ${attrs({ class: "home-mark", x: cx - bar / 2, y: cy + HOME_MARK_OFFSET - 1.5, width: bar, height: 3, rx: 1.5, fill: ink, "fill-opacity": 0.55 })}/>`,
    );
  }
  if (legend !== "") {
    const size = [...legend].length > 1 ? 11 : 20;
    const baseline = (middle: number, fontSize: number) =>
      cy + middle + MIDDLE_TO_BASELINE * fontSize;
    parts.push(
      `<text ${attrs({ class: "legend", x: cx, y: baseline(LEGEND_OFFSET, size), "font-size": size, fill: ink })}>${escapeXml(legend)}</text>`,
      `<text ${attrs({ class: "share", x: cx, y: baseline(SHARE_OFFSET, SHARE_SIZE), "font-size": SHARE_SIZE, fill: ink })}>${escapeXml(svgPercent(share))}</text>`,
    );
  }
  parts.push("</g>");
  return parts.join("");
}

/** Roughly how wide a line of text is drawn, in px. */
function textWidth(text: string, size: number): number {
  return [...text].length * size * CHAR_WIDTH;
}

/** The title, the corpus, and the headline metrics in a grid of METRIC_COLUMNS columns. */
function heading(
  left: number,
  top: number,
  title: string,
  corpusLine: string,
  analysis: SvgAnalysis,
): string {
  const metrics = HEADLINE.map(({ label, value }, i) => {
    const x = left + (i % METRIC_COLUMNS) * METRIC_COLUMN_WIDTH;
    const y = top + 62 + Math.floor(i / METRIC_COLUMNS) * 20;
    return `<text class="metric" x="${px(x)}" y="${px(y)}"><tspan fill="#666666">${escapeXml(label)}</tspan> <tspan font-weight="600">${escapeXml(value(analysis))}</tspan></text>`;
  });
  return [
    `<g class="heading" fill="#222222" font-size="${LINE_SIZE}">`,
    `<text class="title" x="${px(left)}" y="${px(top + 14)}" font-size="${TITLE_SIZE}" font-weight="600">${escapeXml(title)}</text>`,
    `<text class="corpus" x="${px(left)}" y="${px(top + 36)}" fill="#555555">${escapeXml(corpusLine)}</text>`,
    ...metrics,
    "</g>",
  ].join("");
}

function scaleLegend(left: number, top: number, maxShare: number): string {
  const lines = [
    `<g class="scale" font-size="12" fill="#333333">`,
    `<text x="${px(left)}" y="${px(top + 10)}">Share of keystrokes (darker = typed more)</text>`,
    `<rect x="${px(left)}" y="${px(top + 18)}" width="${BAR_WIDTH}" height="12" rx="2" fill="url(#heat)" stroke="#666666" stroke-width="0.5"/>`,
    `<text x="${px(left)}" y="${px(top + 44)}">&gt;0%</text>`,
    `<text x="${px(left + BAR_WIDTH)}" y="${px(top + 44)}" text-anchor="end">${escapeXml(svgPercent(maxShare))}</text>`,
    `<rect x="${px(left + BAR_WIDTH + 24)}" y="${px(top + 18)}" width="12" height="12" rx="2" fill="${UNTYPED_FILL}" stroke="#666666" stroke-width="0.5"/>`,
    `<text x="${px(left + BAR_WIDTH + 42)}" y="${px(top + 28)}">not typed</text>`,
    `<rect x="${px(left + BAR_WIDTH + 120)}" y="${px(top + 23)}" width="16" height="3" rx="1.5" fill="#222222" fill-opacity="0.55"/>`,
    `<text x="${px(left + BAR_WIDTH + 142)}" y="${px(top + 28)}">home key</text>`,
    "</g>",
  ];
  return lines.join("");
}

function heatGradient(): string {
  const stops = HEAT_STOPS.map(
    (rgb, i) => `<stop offset="${px(i / (HEAT_STOPS.length - 1))}" stop-color="${hex(rgb)}"/>`,
  );
  return `<defs><linearGradient id="heat" x1="0" x2="1" y1="0" y2="0">${stops.join("")}</linearGradient></defs>`;
}

/**
 * A standalone SVG image of the layout on the board: keys at their real position, size and
 * rotation (1 u = `SVG_UNIT` px), each showing its character and its share of keystrokes
 * (`analysis.keyShare[i]`, percent of keystrokes on `board.keys[i]`) and filled by that share on
 * a light-to-dark scale relative to the busiest key; keys never typed are grey; home keys carry a
 * small bar. Above the board: the layout, board and corpus, and the headline metrics of the
 * analysis; below it, the scale.
 */
export function layoutSvg(
  board: Board,
  layout: Layout,
  analysis: SvgAnalysis,
  options: SvgOptions,
): string {
  checkLayoutFits(board, layout);
  const shares = keyShares(board, analysis.keyShare);
  const maxShare = Math.max(0, ...shares);
  const title = `${layout.name} on ${board.name}`;
  const { id, name } = options.corpus;
  const corpusLine = `corpus: ${name === id ? name : `${name} (${id})`}`;
  const box = boardBox(board);
  const boardWidth = box.maxX - box.minX + 2 * MARGIN;
  const width = Math.max(
    MIN_WIDTH,
    boardWidth,
    textWidth(title, TITLE_SIZE) + 2 * MARGIN,
    textWidth(corpusLine, LINE_SIZE) + 2 * MARGIN,
  );
  // A board narrower than the heading is centred under it.
  const left = box.minX - MARGIN - (width - boardWidth) / 2;
  const top = box.minY - MARGIN - HEADING_HEIGHT;
  const height = box.maxY - box.minY + 2 * MARGIN + HEADING_HEIGHT + LEGEND_HEIGHT;
  const keys = board.keys.map((key, i) =>
    keyElement(key, layout.chars[i] ?? null, shares[i] ?? 0, maxShare),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" ${attrs({ viewBox: `${px(left)} ${px(top)} ${px(width)} ${px(height)}`, width, height })} role="img" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    `<title>${escapeXml(`${title}, ${corpusLine}`)}</title>`,
    heatGradient(),
    `<rect x="${px(left)}" y="${px(top)}" width="${px(width)}" height="${px(height)}" fill="#ffffff"/>`,
    heading(left + MARGIN, top + MARGIN, title, corpusLine, analysis),
    `<g class="keys" text-anchor="middle">`,
    ...keys,
    "</g>",
    scaleLegend(left + MARGIN, box.maxY + MARGIN, maxShare),
    "</svg>",
    "",
  ].join("\n");
}
