import { decodeHTML } from "entities";
import { Lexer, type MarkedToken, type Token } from "marked";
import { htmlToText } from "./html-text.ts";

/** Separates blocks (paragraphs, headings, list items, table rows): a paragraph break. */
const BLOCK_END = "\n\n";

/** YAML front matter that static-site generators put before the Markdown proper. */
const FRONT_MATTER = /^---\r?\n[\s\S]*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

/**
 * The prose of a Markdown document, as a reader sees it rendered (GitHub-flavoured Markdown).
 *
 * Dropped: code blocks (fenced and indented), front matter, thematic breaks, images (alt text
 * included: it describes a picture, it is not the document's prose), link targets and bare or
 * angle-bracket URLs, link reference definitions, task-list boxes, HTML tags and comments (the
 * text inside HTML elements stays). Marks go, their words stay: heading #'s, emphasis, table pipes
 * and rules, list and quote markers, backslash escapes. Inline code keeps its content, backticks
 * dropped: a writer types it as part of the sentence, whereas a code block is usually pasted
 * output or program text. Entities (`&amp;`) are decoded outside code.
 */
export function markdownToText(markdown: string): string {
  const out: string[] = [];
  blocks(new Lexer({ gfm: true }).lex(markdown.replace(FRONT_MATTER, "")), out);
  return out.join("");
}

/** Tokens of marked's own grammar; KeyForge registers no extensions, so there are no others. */
const known = (token: Token) => token as MarkedToken;

function blocks(tokens: readonly Token[], out: string[]): void {
  for (const token of tokens.map(known)) {
    switch (token.type) {
      case "heading":
      case "paragraph":
        inline(token.tokens, out);
        out.push(BLOCK_END);
        break;
      case "text":
        // A tight list item's text: a block of its own.
        if (token.tokens) inline(token.tokens, out);
        else out.push(decodeHTML(token.text));
        out.push(BLOCK_END);
        break;
      case "blockquote":
        blocks(token.tokens, out);
        break;
      case "list":
        for (const item of token.items) blocks(item.tokens, out);
        break;
      case "table":
        for (const row of [token.header, ...token.rows]) {
          for (const cell of row) {
            inline(cell.tokens, out);
            out.push(" ");
          }
          out.push(BLOCK_END);
        }
        break;
      case "html":
        out.push(htmlToText(token.text), BLOCK_END);
        break;
      default:
        // Code blocks, rules, link definitions, task boxes and blank space hold no prose.
        break;
    }
  }
}

function inline(tokens: readonly Token[], out: string[]): void {
  for (const token of tokens.map(known)) {
    switch (token.type) {
      case "text":
        if (token.tokens) inline(token.tokens, out);
        else out.push(decodeHTML(token.text));
        break;
      case "escape":
      case "codespan":
        out.push(token.text);
        break;
      case "strong":
      case "em":
      case "del":
        inline(token.tokens, out);
        break;
      case "link":
        // An autolink's text is its URL, which nobody reads as prose.
        if (!token.autolink) inline(token.tokens, out);
        break;
      case "br":
        out.push("\n");
        break;
      case "html":
        out.push(htmlToText(token.text));
        break;
      default:
        // Images.
        break;
    }
  }
}
