import type { Board } from "../board.ts";
import type { Corpus } from "../corpus.ts";
import { KeyForgeError } from "../errors.ts";
import type { Layout } from "../layout.ts";
import type { ExportOrigin } from "./export-header.ts";
import { layoutKeylayout } from "./keylayout.ts";
import { encodeKlc, klcKbdName, layoutKlc } from "./klc.ts";
import { kleJsonText, layoutKle } from "./kle.ts";
import { layoutQmkKeymap } from "./qmk-keymap.ts";
import { layoutQmkKeymapC } from "./qmk-keymap-c.ts";
import { layoutSvg, type SvgAnalysis } from "./svg.ts";
import { layoutXkbKeymap, layoutXkbSymbols, xkbSymbolsFileName } from "./xkb.ts";
import { layoutZmkKeymap, zmkKeymapFileName } from "./zmk-keymap.ts";

/**
 * Every format `keyforge export` and the web app write: pictures and editors' files (svg, kle),
 * what keyboard firmware builds (qmk, qmk-c, zmk), and layouts an operating system installs
 * (xkb for Linux, klc for Windows, keylayout for macOS).
 */
export const EXPORT_FORMATS = [
  "svg",
  "kle",
  "qmk",
  "qmk-c",
  "zmk",
  "xkb",
  "xkb-keymap",
  "klc",
  "keylayout-ansi",
  "keylayout-iso",
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What each format is, in a few words: the CLI's help and the web app's buttons. */
export const EXPORT_FORMAT_TITLES: Readonly<Record<ExportFormat, string>> = {
  svg: "SVG heatmap",
  kle: "keyboard-layout-editor JSON",
  qmk: "QMK keymap.json",
  "qmk-c": "QMK keymap.c",
  zmk: "ZMK keymap",
  xkb: "Linux xkb symbols",
  "xkb-keymap": "Linux xkb keymap (Wayland)",
  klc: "Windows KLC (MSKLC)",
  "keylayout-ansi": "macOS keylayout (ANSI)",
  "keylayout-iso": "macOS keylayout (ISO)",
};

export interface LayoutExportInput {
  readonly board: Board;
  readonly layout: Layout;
  /** The KeyForge release and corpus the installable formats name in their header. */
  readonly origin: ExportOrigin;
  /** What an SVG draws: the analysis and the corpus its frequencies come from. */
  readonly heat?: { readonly analysis: SvgAnalysis; readonly corpus: Pick<Corpus, "id" | "name"> };
  /** QMK: the keymap's name (default: from the layout name). */
  readonly keymap?: string;
}

/** One exported layout: its text, and how a file of it is named and typed. */
export interface LayoutExport {
  readonly text: string;
  /** The file's bytes, when they are not the text in UTF-8 (a KLC is UTF-16LE). */
  readonly bytes?: Uint8Array<ArrayBuffer>;
  /** The file's name, without folder, as the format's installers expect it. */
  readonly fileName: string;
  readonly mediaType: string;
}

/** A file name part from a layout name: letters, digits, `.`, `_` and `-`. */
function fileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "layout";
}

/** A layout in one of the formats of EXPORT_FORMATS. */
export function exportLayout(format: ExportFormat, input: LayoutExportInput): LayoutExport {
  const { board, layout, origin } = input;
  const stem = fileStem(layout.name);
  switch (format) {
    case "svg":
      if (!input.heat) {
        throw new KeyForgeError("EXPORT_HEAT_MISSING", "an SVG needs the layout's analysis");
      }
      return {
        text: layoutSvg(board, layout, input.heat.analysis, { corpus: input.heat.corpus }),
        fileName: `${stem}.svg`,
        mediaType: "image/svg+xml",
      };
    case "kle":
      return {
        text: kleJsonText(layoutKle(board, layout)),
        fileName: `${stem}.kle.json`,
        mediaType: "application/json",
      };
    case "qmk": {
      const keymap = layoutQmkKeymap(
        board,
        layout,
        input.keymap === undefined ? {} : { keymap: input.keymap },
      );
      return {
        text: `${JSON.stringify(keymap, null, 2)}\n`,
        fileName: `${keymap.keymap}.keymap.json`,
        mediaType: "application/json",
      };
    }
    case "qmk-c":
      return {
        text: layoutQmkKeymapC(
          board,
          layout,
          origin,
          input.keymap === undefined ? {} : { keymap: input.keymap },
        ),
        fileName: "keymap.c",
        mediaType: "text/x-c",
      };
    case "zmk":
      return {
        text: layoutZmkKeymap(board, layout, origin),
        fileName: zmkKeymapFileName(board),
        mediaType: "text/plain",
      };
    case "xkb":
      return {
        text: layoutXkbSymbols(board, layout, origin),
        fileName: xkbSymbolsFileName(layout),
        // Not text/plain: browsers would add ".txt" to a name xkb reads without extension.
        mediaType: "application/octet-stream",
      };
    case "xkb-keymap":
      return {
        text: layoutXkbKeymap(board, layout, origin),
        fileName: `${xkbSymbolsFileName(layout)}.xkb`,
        mediaType: "text/plain",
      };
    case "klc": {
      const text = layoutKlc(board, layout, origin);
      return {
        text,
        bytes: encodeKlc(text),
        fileName: `${klcKbdName(layout, board)}.klc`,
        mediaType: "text/plain; charset=utf-16le",
      };
    }
    case "keylayout-ansi":
    case "keylayout-iso":
      return {
        text: layoutKeylayout(board, layout, origin, {
          keyboard: format === "keylayout-iso" ? "iso" : "ansi",
        }),
        fileName: `${stem}.keylayout`,
        mediaType: "application/xml",
      };
  }
}
