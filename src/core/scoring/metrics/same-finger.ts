import type { KeyTable } from "../key-pairs.ts";
import type { MetricFamily } from "../metric.ts";
import { SAME_12, SAME_23 } from "../trigram-classes.ts";

/** Two different keys pressed by one finger. */
function sameFinger(keys: KeyTable, a: number, b: number): number {
  return a !== b && keys.slot[a] === keys.slot[b] ? 1 : 0;
}

/** One finger pressing a key, then the same finger another key: the slowest common motions. */
export const SAME_FINGER = {
  name: "same finger",
  doc: "One finger pressing two different keys in a row, or with one keystroke between.",
  metrics: [
    {
      key: "sfb",
      label: "same-finger bigrams (SFB)",
      headline: "SFB",
      unit: "%",
      max: 100,
      weighted: true,
      counts: "bigrams",
      doc: "Bigrams typed by one finger on two different keys (a repeated key is not an SFB).",
      worst: { id: "sfb", title: "SFBs" },
      perPair: sameFinger,
    },
    {
      key: "sfs",
      label: "same-finger skipgrams (SFS)",
      headline: "SFS",
      unit: "%",
      max: 100,
      weighted: true,
      counts: "skipgrams",
      doc: "Skipgrams (characters i and i+2) typed by one finger on two different keys.",
      worst: { id: "sfs", title: "SFSs" },
      perPair: sameFinger,
    },
    {
      key: "sft",
      label: "same-finger trigrams (SFT)",
      unit: "%",
      max: 100,
      weighted: true,
      counts: "trigrams",
      doc: "Trigrams typed by one finger with the first and second keys different and the second and third different (`ded` counts, `edd` does not).",
      perTrigram: (s1, s2, s3, pattern) =>
        s1 === s2 && s2 === s3 && !(pattern & SAME_12) && !(pattern & SAME_23) ? 1 : 0,
    },
  ],
} as const satisfies MetricFamily;
