import { useState } from "preact/hooks";
import type { Board } from "../../../src/core/board.ts";
import type { Corpus } from "../../../src/core/corpus.ts";
import {
  EXPORT_FORMAT_TITLES,
  EXPORT_FORMATS,
  type ExportFormat,
  exportLayout,
} from "../../../src/core/export/layout-export.ts";
import type { Layout } from "../../../src/core/layout.ts";
import type { LayoutAnalysis } from "../../../src/core/scoring/analysis.ts";
import { messageOf } from "../error-message.ts";
import { KEYFORGE_VERSION } from "../keyforge-version.ts";
import { ErrorNote } from "./error-note.tsx";

/**
 * Downloads of the layout in every format `keyforge export` writes. A format the layout or
 * board cannot be written in (a firmware keymap for a board without firmware, a character the
 * format cannot hold) says why, here, when its button is pressed.
 */
export function ExportButtons(props: {
  readonly board: Board;
  readonly layout: Layout;
  readonly corpus: Pick<Corpus, "id" | "name">;
  readonly analysis: LayoutAnalysis;
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const download = (format: ExportFormat) => {
    try {
      const exported = exportLayout(format, {
        board: props.board,
        layout: props.layout,
        origin: { version: KEYFORGE_VERSION, corpus: props.corpus },
        heat: { analysis: props.analysis, corpus: props.corpus },
      });
      const content = exported.bytes ?? exported.text;
      const url = URL.createObjectURL(new Blob([content], { type: exported.mediaType }));
      const link = document.createElement("a");
      link.href = url;
      link.download = exported.fileName;
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
          {EXPORT_FORMAT_TITLES[format]}
        </button>
      ))}
      {failure !== null && <ErrorNote message={failure} />}
    </section>
  );
}
