import { z } from "zod";

const percent = (what: string, of: "bigrams" | "skipgrams" | "trigrams") =>
  z.number().describe(`${what}, % of the corpus's ${of} (docs/metrics.md)`);

/** Every metric of a layout (core/scoring/analysis.ts), as `keyforge analyze` reports them. */
export const metricsSchema = z.strictObject({
  sfb: percent("Same-finger bigrams", "bigrams"),
  sfs: percent("Same-finger skipgrams", "skipgrams"),
  sft: percent("Same-finger trigrams", "trigrams"),
  lsb: percent("Lateral stretch bigrams", "bigrams"),
  halfScissors: percent("Half scissors", "bigrams"),
  fullScissors: percent("Full scissors", "bigrams"),
  alternate: percent("Alternations", "trigrams"),
  altSfs: percent("Alternations with a same-finger skipgram", "trigrams"),
  rollIn: percent("Inward rolls", "trigrams"),
  rollOut: percent("Outward rolls", "trigrams"),
  onehandIn: percent("Inward one-hand runs", "trigrams"),
  onehandOut: percent("Outward one-hand runs", "trigrams"),
  redirect: percent("Redirects", "trigrams"),
  badRedirect: percent("Redirects without the index finger", "trigrams"),
  thumb: percent("Trigrams with a thumb key", "trigrams"),
  distance: z.number().describe("Average finger travel per keystroke, key units"),
  effort: z.number().describe("Average effort per keystroke"),
  coverage: z.number().describe("Share of the corpus's characters the layout can type, %"),
  handImbalance: z.number().describe("Points between the hands' shares and an even split"),
  fingerOverload: z.number().describe("Points by which fingers exceed their load caps"),
});
