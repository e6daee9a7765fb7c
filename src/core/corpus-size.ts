import type { NgramTotals } from "./corpus.ts";
import { KeyForgeError } from "./errors.ts";

/**
 * The fewest bigrams a corpus must hold to score layouts at all. Metrics are shares of the
 * corpus's bigrams (and trigrams), so their sampling error shrinks with the square root of the
 * count: for a share near 4% (QWERTY's same-finger bigrams in English) the standard error is
 * 0.6 points at 1,000 bigrams, small enough to tell QWERTY from a layout tuned to 1%, but 2 points
 * at 100 bigrams, where such a comparison is noise. An empty corpus scores every layout 0.
 * This is a floor against empty or wrong input, not a quality bar: docs/corpora.md says how much
 * text a useful corpus wants.
 */
export const MIN_CORPUS_BIGRAMS = 1000;

/** Rounded down: a blend's 999.6 bigrams must not read as the 1,000 it falls short of. */
const format = (count: number) => Math.floor(count).toLocaleString("en-US");

/**
 * Throws CORPUS_TOO_SMALL when a corpus has too few bigrams to score layouts (see
 * MIN_CORPUS_BIGRAMS); `what` names it in the message, e.g. "corpus en" or "the text found".
 */
export function checkCorpusSize(totals: NgramTotals, what: string): void {
  if (totals.bigrams >= MIN_CORPUS_BIGRAMS) return;
  throw new KeyForgeError(
    "CORPUS_TOO_SMALL",
    `${what} is too small to score layouts: ${format(totals.monograms)} characters, ` +
      `${format(totals.bigrams)} bigrams; a corpus needs at least ${format(MIN_CORPUS_BIGRAMS)} ` +
      "bigrams (about a third of a page of text)",
  );
}
