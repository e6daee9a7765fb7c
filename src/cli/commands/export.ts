import type { Command } from "commander";
import type { Board } from "../../core/board.ts";
import type { Corpus } from "../../core/corpus.ts";
import { KeyForgeError } from "../../core/errors.ts";
import {
  EXPORT_FORMAT_TITLES,
  EXPORT_FORMATS,
  type ExportFormat,
  exportLayout,
} from "../../core/export/layout-export.ts";
import type { Layout } from "../../core/layout.ts";
import { evaluateLayout } from "../../core/scoring/layout-evaluation.ts";
import { DEFAULT_WEIGHTS_ID } from "../../core/scoring/weights.ts";
import { writeTextFile } from "../../infra/data-files.ts";
import { loadBoard, loadLayout, loadWeights } from "../../infra/system-data.ts";
import { KEYFORGE_VERSION } from "../../infra/version.ts";
import { loadCorpusSpec } from "../corpus-spec.ts";

interface ExportFlags {
  board: string;
  format: string;
  corpus: string;
  out?: string;
  keymap?: string;
}

/** The SVG's key frequencies: the layout analysed on the corpus with the default weights. */
async function heatOf(board: Board, layout: Layout, corpus: Corpus) {
  const weights = await loadWeights(DEFAULT_WEIGHTS_ID);
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
  const format = flags.format as ExportFormat;
  const corpus = await loadCorpusSpec(flags.corpus);
  const exported = exportLayout(format, {
    board,
    layout,
    origin: { version: KEYFORGE_VERSION, corpus },
    ...(format === "svg" && { heat: await heatOf(board, layout, corpus) }),
    ...(flags.keymap !== undefined && { keymap: flags.keymap }),
  });
  if (flags.out) {
    await writeTextFile(flags.out, exported.bytes ?? exported.text);
    console.error(
      `wrote ${flags.out} (${EXPORT_FORMAT_TITLES[format]}; the file's name elsewhere: ${exported.fileName})`,
    );
  } else if (exported.bytes) process.stdout.write(exported.bytes);
  else process.stdout.write(exported.text.endsWith("\n") ? exported.text : `${exported.text}\n`);
}

export function registerExportCommand(program: Command): void {
  program
    .command("export <layout>")
    .description(
      "write a layout as a picture (SVG heatmap, keyboard-layout-editor JSON), a keyboard firmware's keymap, or a layout to install on Linux, Windows or macOS (docs/export.md)",
    )
    .requiredOption(
      "-f, --format <format>",
      EXPORT_FORMATS.map((format) => `${format} (${EXPORT_FORMAT_TITLES[format]})`).join(", "),
    )
    .option("-b, --board <board>", "board id or file", "ansi")
    .option(
      "-c, --corpus <corpus>",
      "the corpus: the SVG's key frequencies, and what the installable files name",
      "en",
    )
    .option("--keymap <name>", "QMK: keymap name (default: from the layout name)")
    .option("-o, --out <file>", "write here instead of standard output")
    .action(exportToFile);
}
