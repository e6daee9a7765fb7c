import { type Board, type Key, keyCorners } from "../board.ts";
import { KeyForgeError } from "../errors.ts";
import type { Layout } from "../layout.ts";
import { invisibleCharName } from "./code-point-name.ts";
import { checkLayoutFits } from "./layout-fit.ts";

/**
 * Exporter to an SVG heat map: every key where it is on the board (position, size, rotation),
 * labelled with its character and filled by how often it is typed.
 */

/** Pixels per key unit. */
export const SVG_UNIT = 54;

/** Space between neighbouring keycaps, so touching keys stay apart. */
const KEY_GAP = 3;
const KEY_RADIUS = 6;
const MARGIN = 18;
const TITLE_HEIGHT = 30;
const LEGEND_HEIGHT = 52;
/** Narrowest drawing: the scale legend must fit. */
const MIN_WIDTH = 430;
const BAR_WIDTH = 160;

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
const DARK_HEAT = 0.6;

export interface SvgOptions {
  /** Heading drawn above the board; default: "<layout> on <board>". */
  readonly title?: string;
}

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

function percent(share: number): string {
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
  const rotate =
    key.r !== 0
      ? ` transform="rotate(${px(key.r)} ${px(key.rx * SVG_UNIT)} ${px(key.ry * SVG_UNIT)})"`
      : "";
  const tip = `${key.id}: ${legend === "" ? "unused" : legend}, ${percent(share)}${key.home ? ", home key" : ""}`;
  const parts = [
    `<g class="key"${rotate}>`,
    `<title>${escapeXml(tip)}</title>`,
    `<rect ${attrs({ x: left, y: top, width, height, rx: KEY_RADIUS, fill, stroke: "#666666", "stroke-width": 1 })}/>`,
  ];
  if (key.home) {
    // A homing bar, like the bump on F and J.
    const bar = Math.min(16, width / 3);
    parts.push(
      `<rect ${attrs({ class: "home-mark", x: cx - bar / 2, y: top + height - 9, width: bar, height: 3, rx: 1.5, fill: ink, "fill-opacity": 0.55 })}/>`,
    );
  }
  if (legend !== "") {
    const size = [...legend].length > 1 ? 11 : 20;
    parts.push(
      `<text ${attrs({ class: "legend", x: cx, y: cy, "font-size": size, fill: ink })}>${escapeXml(legend)}</text>`,
    );
  }
  parts.push("</g>");
  return parts.join("");
}

function scaleLegend(left: number, top: number, maxShare: number): string {
  const lines = [
    `<g class="scale" font-size="12" fill="#333333">`,
    `<text x="${px(left)}" y="${px(top + 10)}">Share of keystrokes (darker = typed more)</text>`,
    `<rect x="${px(left)}" y="${px(top + 18)}" width="${BAR_WIDTH}" height="12" rx="2" fill="url(#heat)" stroke="#666666" stroke-width="0.5"/>`,
    `<text x="${px(left)}" y="${px(top + 44)}">&gt;0%</text>`,
    `<text x="${px(left + BAR_WIDTH)}" y="${px(top + 44)}" text-anchor="end">${escapeXml(percent(maxShare))}</text>`,
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
 * rotation (1 u = `SVG_UNIT` px), each showing its character and filled by `keyShare[i]` (percent
 * of keystrokes on `board.keys[i]`) on a light-to-dark scale relative to the busiest key; keys
 * never typed are grey; home keys carry a small bar. A title and the scale frame the board.
 */
export function layoutSvg(
  board: Board,
  layout: Layout,
  keyShare: readonly number[],
  options: SvgOptions = {},
): string {
  checkLayoutFits(board, layout);
  const shares = keyShares(board, keyShare);
  const maxShare = Math.max(0, ...shares);
  const box = boardBox(board);
  const left = box.minX - MARGIN;
  const top = box.minY - MARGIN - TITLE_HEIGHT;
  const width = Math.max(MIN_WIDTH, box.maxX - box.minX + 2 * MARGIN);
  const height = box.maxY - box.minY + 2 * MARGIN + TITLE_HEIGHT + LEGEND_HEIGHT;
  const title = options.title ?? `${layout.name} on ${board.name}`;
  const keys = board.keys.map((key, i) =>
    keyElement(key, layout.chars[i] ?? null, shares[i] ?? 0, maxShare),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" ${attrs({ viewBox: `${px(left)} ${px(top)} ${px(width)} ${px(height)}`, width, height })} role="img" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    `<title>${escapeXml(title)}</title>`,
    heatGradient(),
    `<rect x="${px(left)}" y="${px(top)}" width="${px(width)}" height="${px(height)}" fill="#ffffff"/>`,
    `<text class="title" x="${px(left + MARGIN)}" y="${px(top + MARGIN + 12)}" font-size="18" font-weight="600" fill="#222222">${escapeXml(title)}</text>`,
    `<g class="keys" text-anchor="middle" dominant-baseline="central">`,
    ...keys,
    "</g>",
    scaleLegend(left + MARGIN, box.maxY + MARGIN, maxShare),
    "</svg>",
    "",
  ].join("\n");
}
