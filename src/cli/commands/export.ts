import type { Command } from "commander";
import type { Board } from "../../core/board.ts";
import { KeyForgeError } from "../../core/errors.ts";
import {
  EXPORT_FORMATS,
  type ExportFormat,
  exportLayout,
} from "../../core/export/layout-export.ts";
import type { Layout } from "../../core/layout.ts";
import { evaluateLayout } from "../../core/scoring/layout-evaluation.ts";
import { DEFAULT_WEIGHTS_ID } from "../../core/scoring/weights.ts";
import { writeTextFile } from "../../infra/data-files.ts";
import { loadBoard, loadLayout, loadWeights } from "../../infra/system-data.ts";
import { loadCorpusSpec } from "../corpus-spec.ts";

interface ExportFlags {
  board: string;
  format: string;
  corpus: string;
  out?: string;
  keymap?: string;
}

/** The SVG's key frequencies: the layout analysed on the corpus with the default weights. */
async function heatOf(board: Board, layout: Layout, corpusSpec: string) {
  const [corpus, weights] = await Promise.all([
    loadCorpusSpec(corpusSpec),
    loadWeights(DEFAULT_WEIGHTS_ID),
  ]);
  return { corpus, analysis: evaluateLayout({ board, corpus, weights, layout }) };
}

async function exportToFile(ref: string, flags: ExportFlags): Promise<void> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) {
    throw new KeyForgeError(
      "FLAG_INVALID",
      `--format must be one of ${EXPORT_FORMATS.join(", ")} (got ${flags.format})`,
    );
  }
  const board = await loadBoard(flags.board);
  const layout = await loadLayout(ref, board);
  const { text } = exportLayout(flags.format as ExportFormat, {
    board,
    layout,
    ...(flags.format === "svg" && { heat: await heatOf(board, layout, flags.corpus) }),
    ...(flags.keymap !== undefined && { keymap: flags.keymap }),
  });
  if (flags.out) {
    await writeTextFile(flags.out, text);
    console.error(`wrote ${flags.out}`);
  } else process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function registerExportCommand(program: Command): void {
  program
    .command("export <layout>")
    .description(
      "write a layout as an SVG heatmap, keyboard-layout-editor JSON, or a QMK keymap.json",
    )
    .requiredOption("-f, --format <format>", "svg, kle or qmk")
    .option("-b, --board <board>", "board id or file", "ansi")
    .option("-c, --corpus <corpus>", "corpus for the SVG's key frequencies", "en")
    .option("--keymap <name>", "QMK: keymap name (default: from the layout name)")
    .option("-o, --out <file>", "write here instead of standard output")
    .action(exportToFile);
}
