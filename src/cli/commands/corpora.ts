import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { idFromPath } from "../../core/asset-id.ts";
import { type Corpus, corpusDocument, corpusFromTables, NGRAM_ORDERS } from "../../core/corpus.ts";
import { blendCorpora } from "../../core/corpus-blend.ts";
import { type CorpusFiles, corpusFiles, skipReasonText } from "../../core/corpus-files.ts";
import { checkCorpusSize } from "../../core/corpus-size.ts";
import { KeyForgeError } from "../../core/errors.ts";
import {
  DEFAULT_NORMALIZATION,
  type NormalizationSettings,
} from "../../core/text-normalization.ts";
import { type CountResult, countTextFiles, rootName } from "../../infra/corpus-counting.ts";
import { checkWritable, writeTextFile } from "../../infra/data-files.ts";
import { builtinIds, loadCorpus } from "../../infra/system-data.ts";
import { weightedCorpus } from "../corpus-spec.ts";
import { percent, table, visibleChar } from "../output.ts";

const TOP = 12;

function topEntries(counts: Record<string, number>, total: number): string {
  return Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .slice(0, TOP)
    .map(([gram, count]) => `${visibleChar(gram)} ${percent(count, total)}`)
    .join("  ");
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");

const plural = (n: number, noun: string) => `${count(n)} ${noun}${n === 1 ? "" : "s"}`;

/** One line: how many files a build read and left out, and how much markup it took out. */
function filesSummary(files: CorpusFiles): string {
  const markup =
    files.markup === "kept"
      ? " (markup kept)"
      : files.markupStripped > 0
        ? ` (${plural(files.markupStripped, "character")} of markup stripped)`
        : "";
  return `${plural(files.read.count, "file")} read${markup}, ${count(files.skipped.count)} skipped`;
}

/** The files a build read, with what each gave, and the ones it left out, as recorded. */
function filesReport(sourceName: string, { read, skipped }: CorpusFiles): string[] {
  const more = (list: { count: number; first: readonly unknown[] }) =>
    list.count > list.first.length
      ? [
          `  … and ${count(list.count - list.first.length)} more (a corpus names the first ${list.first.length})`,
        ]
      : [];
  return [
    "",
    `files read for ${sourceName}:`,
    table([
      ["  file", "characters", "markup stripped"],
      ...read.first.map((f) => [`  ${f.path}`, count(f.characters), count(f.markupStripped)]),
    ]),
    ...more(read),
    ...(skipped.count === 0
      ? []
      : [
          `files skipped for ${sourceName}:`,
          ...skipped.first.map((f) => `  ${f.path}: ${skipReasonText(f.reason)}`),
          ...more(skipped),
        ]),
  ];
}

export function describeCorpus(corpus: Corpus): string {
  const n = corpus.normalization;
  const lines = [
    `${corpus.name} (${corpus.id})`,
    corpus.description,
    "",
    "sources:",
    ...corpus.sources.map(
      (s) =>
        `  ${s.name}${s.weight === undefined ? "" : ` (${percent(s.weight, 1, 1)})`}; licence: ${s.licence}\n    ${s.provenance}` +
        (s.files ? `\n    ${filesSummary(s.files)}` : ""),
    ),
    "",
    `normalisation: ${n.unicode}, case folding ${n.caseFold ? "on" : "off"}, typography folding ${n.foldTypography ? "on" : "off"}, paragraph break → ${n.paragraphBreak}`,
    "",
    table([
      ["", "total", "distinct"],
      ...NGRAM_ORDERS.map((order) => [
        order,
        count(corpus.totals[order]),
        count(Object.keys(corpus[order]).length),
      ]),
    ]),
    "",
    `top characters: ${topEntries(corpus.monograms, corpus.totals.monograms)}`,
    `top bigrams:    ${topEntries(corpus.bigrams, corpus.totals.bigrams)}`,
    `top skipgrams:  ${topEntries(corpus.skipgrams, corpus.totals.skipgrams)}`,
    `top trigrams:   ${topEntries(corpus.trigrams, corpus.totals.trigrams)}`,
    ...corpus.sources.flatMap((s) => (s.files ? filesReport(s.name, s.files) : [])),
  ];
  return lines.filter((line, i) => line !== "" || i > 1).join("\n");
}

async function listCorpora(): Promise<void> {
  const rows = [["id", "characters", "name"]];
  for (const id of await builtinIds("corpora")) {
    const corpus = await loadCorpus(id);
    rows.push([id, count(corpus.totals.monograms), corpus.name]);
  }
  console.log(table(rows));
}

/** Where a built or blended corpus goes: --out, else `<id>.json` here. */
const corpusPath = (out: string | undefined, id: string) => out ?? `${id}.json`;

async function writeCorpus(corpus: Corpus, out: string | undefined): Promise<void> {
  const path = corpusPath(out, corpus.id);
  await writeTextFile(path, JSON.stringify(corpusDocument(corpus)));
  console.error(
    `wrote ${path}: ${count(corpus.totals.monograms)} characters, ${Object.keys(corpus.monograms).length} distinct`,
  );
}

interface BuildFlags {
  name: string;
  out?: string;
  description?: string;
  licence: string;
  caseFold: boolean;
  foldTypography: boolean;
  paragraphs: "space" | "enter";
  keepMarkup: boolean;
}

function progressReporter(): { update: (done: number, total: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: "counting [{bar}] {percentage}% {doneMB}/{totalMB} MB {speed} MB/s eta {eta}s",
    hideCursor: true,
  });
  const started = Date.now();
  let running = false;
  return {
    update(done, total) {
      const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      const payload = {
        doneMB: mb(done),
        totalMB: mb(total),
        speed: (done / 1e6 / seconds).toFixed(1),
      };
      if (!running) bar.start(total, done, payload);
      else bar.update(done, payload);
      running = true;
    },
    stop: () => running && bar.stop(),
  };
}

async function buildCorpus(paths: string[], flags: BuildFlags): Promise<void> {
  if (flags.paragraphs !== "space" && flags.paragraphs !== "enter") {
    throw new KeyForgeError(
      "FLAG_INVALID",
      `--paragraphs must be space or enter (got ${flags.paragraphs})`,
    );
  }
  const normalization: NormalizationSettings = {
    ...DEFAULT_NORMALIZATION,
    caseFold: flags.caseFold,
    foldTypography: flags.foldTypography,
    paragraphBreak: flags.paragraphs,
  };
  // Counting a large corpus takes a while: a mistyped --out is refused before it starts.
  await checkWritable(corpusPath(flags.out, idFromPath(flags.out ?? flags.name)));
  const progress = progressReporter();
  const result = await countTextFiles(paths, normalization, {
    keepMarkup: flags.keepMarkup,
    onProgress: (p) => progress.update(p.bytesDone, p.bytesTotal),
  });
  progress.stop();
  for (const { file, reason } of result.skipped) {
    console.error(`skipped ${file.name}: ${skipReasonText(reason)}`);
  }
  const files = filesRecord(result, flags.keepMarkup);
  const roots = paths.map(rootName).join(", ");
  console.error(`${roots}: ${filesSummary(files)}`);
  const corpus = corpusFromTables(result.tables, {
    id: idFromPath(flags.out ?? flags.name),
    name: flags.name,
    description: flags.description ?? `Built from ${plural(files.read.count, "file")}.`,
    sources: [
      {
        name: flags.name,
        licence: flags.licence,
        provenance: `keyforge corpus build of ${roots} (${plural(files.read.count, "file")}, Markdown and HTML markup ${files.markup})`,
        files,
      },
    ],
    normalization,
  });
  checkCorpusSize(corpus.totals, `the text read from ${roots}`);
  await writeCorpus(corpus, flags.out);
}

/** What a corpus records of the files it was built from: names relative to the roots given. */
function filesRecord(result: CountResult, keepMarkup: boolean): CorpusFiles {
  return corpusFiles(
    keepMarkup ? "kept" : "stripped",
    result.counted.map(({ file, characters, markupStripped }) => ({
      path: file.name,
      characters,
      markupStripped,
    })),
    result.skipped.map(({ file, reason }) => ({ path: file.name, reason })),
  );
}

async function blend(
  specs: string[],
  flags: { name: string; out?: string; description?: string },
): Promise<void> {
  const parts = await Promise.all(specs.map(weightedCorpus));
  const corpus = blendCorpora(parts, {
    id: idFromPath(flags.out ?? flags.name),
    name: flags.name,
    description:
      flags.description ??
      `Blend of ${parts.map((p) => `${p.corpus.id} (weight ${p.weight})`).join(", ")}.`,
  });
  await writeCorpus(corpus, flags.out);
}

export function registerCorpusCommands(program: Command): void {
  program.command("corpora").description("list the built-in corpora").action(listCorpora);
  const corpus = program.command("corpus").description("build, inspect and blend corpora");
  corpus
    .command("build <paths...>")
    .description("count the n-grams of text files and directories into a corpus file")
    .requiredOption("--name <name>", "corpus name")
    .option("-o, --out <file>", "output file (default: <name>.json)")
    .option("--description <text>", "what the text is")
    .option("--licence <licence>", "licence of the source text", "unknown")
    .option("--no-case-fold", "keep upper and lower case apart")
    .option("--no-fold-typography", "keep curly quotes, dashes and ellipses as they are")
    .option("--paragraphs <space|enter>", "what a blank line between paragraphs becomes", "space")
    .option(
      "--keep-markup",
      "count Markdown (.md, .markdown) and HTML (.html, .htm) files as they are, markup included",
      false,
    )
    .action(buildCorpus);
  corpus
    .command("info <corpus>")
    .description("show a corpus (built-in id or file): sources, totals, most frequent n-grams")
    .action(async (ref: string) => console.log(describeCorpus(await loadCorpus(ref))));
  corpus
    .command("blend <corpus[:weight]...>")
    .description("blend corpora, each weighted after normalising it to its own size")
    .requiredOption("--name <name>", "name of the blend")
    .option("-o, --out <file>", "output file (default: <name>.json)")
    .option("--description <text>", "what the blend is")
    .action(blend);
}
