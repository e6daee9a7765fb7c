import { useState } from "preact/hooks";
import type { Board } from "../../../src/core/board.ts";
import type { Corpus } from "../../../src/core/corpus.ts";
import { EXPORT_FORMATS, exportLayout } from "../../../src/core/export/layout-export.ts";
import type { Layout } from "../../../src/core/layout.ts";
import type { LayoutAnalysis } from "../../../src/core/scoring/analysis.ts";
import { messageOf } from "../error-message.ts";
import { ErrorNote } from "./error-note.tsx";

const TITLES = {
  svg: "SVG heatmap",
  kle: "keyboard-layout-editor JSON",
  qmk: "QMK keymap.json",
} as const;

/** Downloads of the layout in every format `keyforge export` writes. */
export function ExportButtons(props: {
  readonly board: Board;
  readonly layout: Layout;
  readonly corpus: Pick<Corpus, "id" | "name">;
  readonly analysis: LayoutAnalysis;
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const download = (format: (typeof EXPORT_FORMATS)[number]) => {
    try {
      const exported = exportLayout(format, {
        board: props.board,
        layout: props.layout,
        heat: { analysis: props.analysis, corpus: props.corpus },
      });
      const url = URL.createObjectURL(new Blob([exported.text], { type: exported.mediaType }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `${props.layout.name.replace(/[^A-Za-z0-9._-]+/g, "-")}.${exported.extension}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      setFailure(null);
    } catch (error) {
      setFailure(messageOf(error));
    }
  };
  return (
    <section class="exports" aria-label="export">
      <span>export:</span>
      {EXPORT_FORMATS.map((format) => (
        <button key={format} type="button" onClick={() => download(format)}>
          {TITLES[format]}
        </button>
      ))}
      {failure !== null && <ErrorNote message={failure} />}
    </section>
  );
}
