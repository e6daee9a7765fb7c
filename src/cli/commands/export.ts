import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import { kleJsonText, layoutKle } from "../../core/export/kle.ts";
import { layoutQmkKeymap } from "../../core/export/qmk-keymap.ts";
import { layoutSvg } from "../../core/export/svg.ts";
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

const FORMATS = ["svg", "kle", "qmk"] as const;

async function exportLayout(ref: string, flags: ExportFlags): Promise<void> {
  if (!(FORMATS as readonly string[]).includes(flags.format)) {
    throw new KeyForgeError(
      "FLAG_INVALID",
      `--format must be one of ${FORMATS.join(", ")} (got ${flags.format})`,
    );
  }
  const board = await loadBoard(flags.board);
  const layout = await loadLayout(ref, board);
  let text: string;
  if (flags.format === "svg") {
    const [corpus, weights] = await Promise.all([
      loadCorpusSpec(flags.corpus),
      loadWeights(DEFAULT_WEIGHTS_ID),
    ]);
    const analysis = evaluateLayout({ board, corpus, weights, layout });
    text = layoutSvg(board, layout, analysis, { corpus });
  } else if (flags.format === "kle") {
    text = kleJsonText(layoutKle(board, layout));
  } else {
    const keymap = layoutQmkKeymap(
      board,
      layout,
      flags.keymap === undefined ? {} : { keymap: flags.keymap },
    );
    text = `${JSON.stringify(keymap, null, 2)}\n`;
  }
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
    .action(exportLayout);
}
