import { HtmlText, type TextSink } from "./html-text.ts";
import { markdownToText } from "./markdown-text.ts";

/** How a file's text is marked up, from its name. */
export type TextFormat = "plain" | "markdown" | "html";

const FORMAT_OF_EXTENSION: Readonly<Record<string, TextFormat>> = {
  md: "markdown",
  markdown: "markdown",
  html: "html",
  htm: "html",
};

export function textFormatOf(path: string): TextFormat {
  const extension = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase() ?? "";
  return FORMAT_OF_EXTENSION[extension] ?? "plain";
}

/** Characters other than whitespace and control codes, each astral character once. */
export function visibleLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x20 && !(c >= 0xdc00 && c <= 0xdfff) && c !== 0xa0) count++;
  }
  return count;
}

/**
 * Takes a marked-up document's markup out as its text streams in, and counts what it took out.
 * HTML streams through; Markdown waits for the whole document, since a line's meaning can
 * depend on lines further down (a table's rule row, a closing fence).
 */
export class MarkupStripper {
  /** Visible characters of markup removed so far; whitespace is not counted. */
  stripped = 0;
  private readonly html: HtmlText | null;
  private markdown = "";

  constructor(format: Exclude<TextFormat, "plain">) {
    this.html = format === "html" ? new HtmlText() : null;
  }

  push(chunk: string, sink: TextSink): void {
    this.stripped += visibleLength(chunk);
    if (this.html) this.html.push(chunk, this.counted(sink));
    else this.markdown += chunk;
  }

  end(sink: TextSink): void {
    if (this.html) this.html.end(this.counted(sink));
    else {
      const text = markdownToText(this.markdown);
      this.markdown = "";
      this.counted(sink)(text);
    }
  }

  private counted(sink: TextSink): TextSink {
    return (text) => {
      this.stripped -= visibleLength(text);
      sink(text);
    };
  }
}
