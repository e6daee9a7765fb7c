import { Parser } from "htmlparser2";

/** Receives text as it is extracted. */
export type TextSink = (text: string) => void;

/** Elements whose content is code or data, never prose. */
const HIDDEN = new Set(["script", "style", "template"]);

/**
 * Elements that start a new block when rendered. Their edges become a blank line, so words of two
 * blocks never run together and a paragraph break stays one (`--paragraphs enter` counts it).
 */
const BLOCKS = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "caption",
  "dd",
  "details",
  "dialog",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "title",
  "tr",
  "ul",
]);

/** Table cells sit side by side: a space keeps their words apart. */
const CELLS = new Set(["td", "th"]);

/** HTML's own whitespace; a run of it renders as one space outside `<pre>`. */
const HTML_WHITESPACE = /[\t\n\f\r ]+/g;

/**
 * The text of an HTML document as a browser shows it, streamed: tags and comments are dropped,
 * the content of scripts, styles and templates too, entities are decoded, and whitespace runs
 * collapse outside `<pre>` as they do on screen.
 */
export class HtmlText {
  private readonly parser: Parser;
  private sink: TextSink = () => {};
  private hiddenDepth = 0;
  private preDepth = 0;

  constructor() {
    this.parser = new Parser(
      {
        onopentagname: (name) => this.open(name),
        onclosetag: (name) => this.close(name),
        ontext: (text) => this.text(text),
      },
      { decodeEntities: true, lowerCaseTags: true },
    );
  }

  push(chunk: string, sink: TextSink): void {
    this.sink = sink;
    this.parser.write(chunk);
  }

  end(sink: TextSink): void {
    this.sink = sink;
    this.parser.end();
  }

  private open(name: string): void {
    if (HIDDEN.has(name)) this.hiddenDepth++;
    else if (name === "pre") this.preDepth++;
    if (this.hiddenDepth > 0) return;
    if (BLOCKS.has(name)) this.sink("\n\n");
    else if (name === "br") this.sink("\n");
    else if (CELLS.has(name)) this.sink(" ");
  }

  private close(name: string): void {
    if (HIDDEN.has(name)) this.hiddenDepth = Math.max(0, this.hiddenDepth - 1);
    else if (name === "pre") this.preDepth = Math.max(0, this.preDepth - 1);
    if (this.hiddenDepth === 0 && BLOCKS.has(name)) this.sink("\n\n");
  }

  private text(text: string): void {
    if (this.hiddenDepth > 0) return;
    this.sink(this.preDepth > 0 ? text : text.replace(HTML_WHITESPACE, " "));
  }
}

/** The text of a whole HTML fragment or document (see HtmlText). */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  const extractor = new HtmlText();
  const sink = (text: string) => parts.push(text);
  extractor.push(html, sink);
  extractor.end(sink);
  return parts.join("");
}
