import type { Board } from "../board.ts";
import type { Corpus } from "../corpus.ts";
import type { Layout } from "../layout.ts";

/** What an installable export says about itself in its header comment. */
export interface ExportOrigin {
  /** The KeyForge release that wrote the file. */
  readonly version: string;
  /** The corpus the layout was found or analysed with, when there is one. */
  readonly corpus?: Pick<Corpus, "id" | "name">;
}

/**
 * The lines every installable export begins with, in the format's own comment syntax: which
 * layout, on which board, for which corpus, by which KeyForge; then the format's own lines
 * (how to install it). Plain text, one line each, without comment markers.
 */
export function exportHeaderLines(
  layout: Pick<Layout, "name">,
  board: Pick<Board, "id" | "name">,
  origin: ExportOrigin,
  formatLines: readonly string[] = [],
): string[] {
  const corpus = origin.corpus ? `${origin.corpus.name} (${origin.corpus.id})` : "none given";
  return [
    `Layout: ${oneLine(layout.name)}`,
    `Board: ${oneLine(board.name)} (${board.id})`,
    `Corpus: ${oneLine(corpus)}`,
    `Exported by KeyForge ${origin.version}`,
    ...formatLines,
  ];
}

/** Names may hold anything; a header line holds none of the line breaks a comment ends at. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, " ");
}
