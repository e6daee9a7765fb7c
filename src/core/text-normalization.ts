/**
 * Streaming text normalisation for corpus building. Text arrives in chunks of any size; the
 * normaliser emits code points, one at a time, in the form the n-gram counter counts:
 * NFC, optionally case-folded, typographic punctuation folded to ASCII, every whitespace run
 * collapsed to one space, and optionally a paragraph break (a blank line) turned into Enter.
 */

export interface NormalizationSettings {
  readonly unicode: "NFC";
  /** Lower-case everything (locale-independent `toLowerCase`). */
  readonly caseFold: boolean;
  /** Curly quotes, primes, dashes, ellipsis and odd spaces become their ASCII forms. */
  readonly foldTypography: boolean;
  /** What a blank line between paragraphs becomes: one space, or Enter ("\n"). */
  readonly paragraphBreak: "space" | "enter";
}

export const DEFAULT_NORMALIZATION: NormalizationSettings = {
  unicode: "NFC",
  caseFold: true,
  foldTypography: true,
  paragraphBreak: "space",
};

const SPACE = 0x20;
const ENTER = 0x0a;
/** Lines longer than this (no newline for a long stretch) are cut at whitespace to bound memory. */
const MAX_PENDING = 1 << 20;

const TYPOGRAPHY: ReadonlyMap<number, string> = new Map(
  (
    [
      ["\u2018\u2019\u201a\u201b\u2032\u00b4\u02bc", "'"],
      ["\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'],
      ["\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"],
      ["\u2026", "..."],
    ] as const
  ).flatMap(([chars, ascii]) =>
    [...chars].map((c) => [c.codePointAt(0) as number, ascii] as const),
  ),
);

/** Unicode White_Space code points other than line breaks, which are handled apart. */
function isBlank(cp: number): boolean {
  return (
    cp === 0x20 ||
    cp === 0x09 ||
    cp === 0x0b ||
    cp === 0x0c ||
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** Control and format characters carry no keystroke (BOM, soft hyphen, zero-width marks). */
function isInvisible(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp < 0xa0) ||
    cp === 0xad ||
    (cp >= 0x200b && cp <= 0x200f) ||
    cp === 0x2060 ||
    cp === 0xfeff
  );
}

export type CodePointSink = (codePoint: number) => void;

export class TextNormalizer {
  readonly settings: NormalizationSettings;
  private pending = "";
  /** Whitespace seen since the last emitted character: 0 none, 1 a space, 2 a paragraph break. */
  private gap = 0;
  private emittedAny = false;
  /** Whether the current line had any visible character yet (a blank line breaks a paragraph). */
  private lineHasText = false;

  constructor(settings: NormalizationSettings = DEFAULT_NORMALIZATION) {
    this.settings = settings;
  }

  /** Feeds a chunk; complete lines are normalised and emitted, the rest waits for more text. */
  push(chunk: string, sink: CodePointSink): void {
    this.pending += chunk;
    let cut = this.pending.lastIndexOf("\n") + 1;
    if (cut === 0 && this.pending.length > MAX_PENDING) cut = this.lastBlankCut();
    if (cut > 0) {
      this.processText(this.pending.slice(0, cut), sink);
      this.pending = this.pending.slice(cut);
    }
  }

  /** Ends a document: flushes what is pending and forgets the gap, so documents never join. */
  end(sink: CodePointSink): void {
    this.processText(this.pending, sink);
    this.pending = "";
    this.gap = 0;
    this.emittedAny = false;
    this.lineHasText = false;
  }

  private lastBlankCut(): number {
    for (let i = this.pending.length - 1; i > 0; i--) {
      const c = this.pending.charCodeAt(i);
      if (c === SPACE || c === 0x09) return i + 1;
    }
    const last = this.pending.charCodeAt(this.pending.length - 1);
    const endsInHighSurrogate = last >= 0xd800 && last <= 0xdbff;
    return this.pending.length - (endsInHighSurrogate ? 1 : 0);
  }

  private processText(raw: string, sink: CodePointSink): void {
    let text = raw.normalize("NFC");
    if (this.settings.caseFold) text = text.toLowerCase();
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = ((cp - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
          i++;
        }
      }
      this.accept(cp, sink);
    }
  }

  private accept(cp: number, sink: CodePointSink): void {
    if (cp > SPACE && cp < 0x7f) {
      this.emit(cp, sink);
      return;
    }
    if (cp === ENTER) {
      if (!this.lineHasText && this.emittedAny) this.gap = 2;
      else if (this.gap === 0) this.gap = 1;
      this.lineHasText = false;
      return;
    }
    if (isBlank(cp)) {
      if (this.gap === 0) this.gap = 1;
      return;
    }
    if (cp === 0x0d || isInvisible(cp)) return;
    const folded = this.settings.foldTypography && cp > 0x7f ? TYPOGRAPHY.get(cp) : undefined;
    if (folded !== undefined) {
      for (let i = 0; i < folded.length; i++) this.emit(folded.charCodeAt(i), sink);
    } else this.emit(cp, sink);
  }

  private emit(cp: number, sink: CodePointSink): void {
    if (this.gap > 0 && this.emittedAny) {
      sink(this.gap === 2 && this.settings.paragraphBreak === "enter" ? ENTER : SPACE);
    }
    this.gap = 0;
    this.emittedAny = true;
    this.lineHasText = true;
    sink(cp);
  }
}
