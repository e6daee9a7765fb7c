import type { Board } from "../board.ts";
import type { Corpus } from "../corpus.ts";
import { KeyForgeError } from "../errors.ts";
import type { Layout } from "../layout.ts";
import { kleJsonText, layoutKle } from "./kle.ts";
import { layoutQmkKeymap } from "./qmk-keymap.ts";
import { layoutSvg, type SvgAnalysis } from "./svg.ts";

export const EXPORT_FORMATS = ["svg", "kle", "qmk"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface LayoutExportInput {
  readonly board: Board;
  readonly layout: Layout;
  /** What an SVG draws: the analysis and the corpus its frequencies come from. */
  readonly heat?: { readonly analysis: SvgAnalysis; readonly corpus: Pick<Corpus, "id" | "name"> };
  /** QMK: the keymap's name (default: from the layout name). */
  readonly keymap?: string;
}

/** One exported layout: its text, and how a file of it is named and typed. */
export interface LayoutExport {
  readonly text: string;
  readonly extension: string;
  readonly mediaType: string;
}

/**
 * A layout in one of the formats `keyforge export` and the web app write: an SVG heatmap,
 * keyboard-layout-editor raw JSON, or a QMK keymap.json.
 */
export function exportLayout(format: ExportFormat, input: LayoutExportInput): LayoutExport {
  const { board, layout } = input;
  switch (format) {
    case "svg":
      if (!input.heat) {
        throw new KeyForgeError("EXPORT_HEAT_MISSING", "an SVG needs the layout's analysis");
      }
      return {
        text: layoutSvg(board, layout, input.heat.analysis, { corpus: input.heat.corpus }),
        extension: "svg",
        mediaType: "image/svg+xml",
      };
    case "kle":
      return {
        text: kleJsonText(layoutKle(board, layout)),
        extension: "kle.json",
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
        extension: "keymap.json",
        mediaType: "application/json",
      };
    }
  }
}
