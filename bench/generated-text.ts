import { once } from "node:events";
import { createWriteStream } from "node:fs";

/** Deterministic pseudo-random numbers (mulberry32), so every run writes the same text. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const LETTERS = "etaoinshrdlcumwfgypbvkjxqzéèàüöß";

/**
 * Writes `megabytes` of prose-like text: Zipf-distributed words from a fixed vocabulary, with
 * punctuation, capitals, line breaks, paragraphs and a few non-ASCII and astral characters.
 */
export async function writeGeneratedText(path: string, megabytes: number): Promise<void> {
  const next = random(42);
  const vocabulary = Array.from({ length: 5000 }, () => {
    const length = 1 + Math.floor(next() * 9);
    let word = "";
    for (let i = 0; i < length; i++) word += LETTERS[Math.floor(next() ** 2 * LETTERS.length)];
    return word;
  });
  const out = createWriteStream(path);
  const target = megabytes * 1e6;
  let written = 0;
  while (written < target) {
    let paragraph = "";
    for (let line = 0; line < 8; line++) {
      const words: string[] = [];
      for (let w = 0; w < 12; w++) {
        let word = vocabulary[Math.floor(vocabulary.length * next() ** 3)] as string;
        if (w === 0) word = word.charAt(0).toUpperCase() + word.slice(1);
        if (next() < 0.002) word += "😀";
        words.push(word);
      }
      paragraph += `${words.join(" ")}${next() < 0.5 ? "," : "."}\n`;
    }
    paragraph += "\n";
    written += Buffer.byteLength(paragraph);
    if (!out.write(paragraph)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}
