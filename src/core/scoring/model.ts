import type { Board } from "../board.ts";
import type { Corpus } from "../corpus.ts";
import { KeyForgeError } from "../errors.ts";
import { FINGER_SLOTS } from "./fingers.ts";
import { type KeyTable, keyTable } from "./key-pairs.ts";
import { unitScale } from "./metric.ts";
import { METRICS } from "./metric-catalogue.ts";
import {
  SLOT_TRIGRAM_TABLE_SIZE,
  SLOT_TRIPLES,
  sameKeyPattern,
  slotTrigramIndex,
} from "./trigram-classes.ts";
import { type TrigramDeltaIndex, trigramDeltaIndex } from "./trigram-delta-index.ts";
import type { Weights } from "./weights.ts";

/**
 * The scoring rules this release applies, numbered: machines that score one layout differently
 * must not share a job (a hive re-scores every result). 1: up to 0.3.x; 2: Shift characters
 * count on their key (0.4.0).
 */
export const SCORING_RULES = 2;

export interface ModelInput {
  readonly board: Board;
  readonly corpus: Corpus;
  readonly weights: Weights;
  /** The characters to place: every character of the layout (or of the search). */
  readonly chars: readonly string[];
  /**
   * The Shift character on each character's key (`shifted[i]` with `chars[i]`; null: none).
   * A Shift character is typed on its key, so the corpus counts it there; it moves with its key.
   */
  readonly shifted?: readonly (string | null)[];
  /** Characters fixed to a key (by key index). */
  readonly pins?: ReadonlyMap<string, number>;
  /** Keys whose content never moves. */
  readonly excludedKeys?: ReadonlySet<number>;
  /**
   * "Stay close to my layout": each character away from its key here (character → key index)
   * adds `penalty` to the score.
   */
  readonly anchor?: { readonly keys: ReadonlyMap<string, number>; readonly penalty: number };
}

export interface ModelTotals {
  /** Corpus mass of each order whose characters are all on the layout. */
  readonly monograms: number;
  readonly bigrams: number;
  readonly skipgrams: number;
  readonly trigrams: number;
  /** All monograms of the corpus, for coverage. */
  readonly corpusMonograms: number;
  /** Share of the on-layout trigram mass that is scored. */
  readonly trigramsKept: number;
}

/**
 * A board, corpus blend, weights and character set compiled into typed arrays. Items are what a
 * layout places on keys: items 0..charCount-1 are the characters, the rest blanks (zero
 * frequency) filling the unused keys, so a layout is a permutation of items over keys.
 * N-gram shares are fractions of their order's on-layout mass; cost tables are per key.
 */
export interface ScoringModel {
  readonly board: Board;
  readonly weights: Weights;
  readonly corpusId: string;
  readonly keys: KeyTable;
  /** Number of keys, and of items. */
  readonly size: number;
  readonly charCount: number;
  readonly chars: readonly string[];
  /** The Shift character of each character's key (null: none). */
  readonly shifted: readonly (string | null)[];
  /** The item of every character the layout types, Shift characters too. */
  readonly itemOfChar: ReadonlyMap<string, number>;
  readonly totals: ModelTotals;
  readonly monogram: Float64Array;
  /** The part of each item's monogram share typed with Shift (its Shift character's). */
  readonly shiftedMonogram: Float64Array;
  /** [a * size + b]: share of bigram a→b. */
  readonly bigram: Float64Array;
  readonly skipgram: Float64Array;
  /** Kept trigrams: items at [3t], [3t+1], [3t+2]; share at [t]. */
  readonly trigramItems: Int32Array;
  readonly trigramShare: Float64Array;
  /** Offset of each kept trigram's same-key pattern in the slot tables (slotTrigramIndex). */
  readonly trigramPattern: Int32Array;
  /** Kept trigrams whose cost can change, indexed for the swap delta. */
  readonly trigramDelta: TrigramDeltaIndex;
  /** Weighted costs per key, pair and triple: the objective is shares times these. */
  readonly monogramCost: Float64Array;
  readonly bigramCost: Float64Array;
  readonly skipgramCost: Float64Array;
  /**
   * For the swap delta, both directions of both pair kinds side by side: for items x, c at
   * [(x·size + c)·4 …]: bigram x→c, bigram c→x, skipgram x→c, skipgram c→x; for keys k, l at
   * [(k·size + l)·4 …] the matching costs. One interaction is the dot product of two runs of 4.
   */
  readonly pairShare4: Float64Array;
  readonly pairCost4: Float64Array;
  /** Per (same-key pattern, finger slots), indexed by slotTrigramIndex. */
  readonly trigramCost: Float64Array;
  /** Finger-load cap of each finger slot, as a share of keystrokes (0–1). */
  readonly slotCap: Float64Array;
  /** 1 for keys whose item never moves (pinned or excluded). */
  readonly fixedKey: Uint8Array;
  readonly movableKeys: Int32Array;
  readonly pins: ReadonlyMap<string, number>;
  /** Key each item is anchored to (-1 for none), and what leaving it costs. */
  readonly anchorKey: Int32Array;
  readonly anchorPenalty: number;
}

/** Most frequent first, ties by string, so every machine keeps the same trigrams. */
function byCountThenGram(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

function itemsOf(gram: string, itemOfChar: ReadonlyMap<string, number>): number[] | null {
  const items: number[] = [];
  for (const char of gram) {
    const item = itemOfChar.get(char);
    if (item === undefined) return null;
    items.push(item);
  }
  return items;
}

function pairShares(
  table: Record<string, number>,
  itemOfChar: ReadonlyMap<string, number>,
  size: number,
): { shares: Float64Array; total: number } {
  const shares = new Float64Array(size * size);
  let total = 0;
  for (const gram in table) {
    const items = itemsOf(gram, itemOfChar);
    if (!items) continue;
    const count = table[gram] as number;
    const ab = (items[0] as number) * size + (items[1] as number);
    shares[ab] = (shares[ab] as number) + count;
    total += count;
  }
  if (total > 0) for (let i = 0; i < shares.length; i++) shares[i] = (shares[i] as number) / total;
  return { shares, total };
}

function checkInput(input: ModelInput): void {
  const { board, chars } = input;
  if (chars.length > board.keys.length) {
    throw new KeyForgeError(
      "LAYOUT_TOO_MANY_CHARS",
      `${chars.length} characters do not fit on the ${board.keys.length} keys of board ${board.id}`,
    );
  }
  const shifted = addedShiftChars(input).filter((char) => char !== null);
  if (input.shifted && input.shifted.length !== chars.length) {
    throw new Error(`${input.shifted.length} Shift characters for ${chars.length} characters`);
  }
  if (new Set([...chars, ...shifted]).size !== chars.length + shifted.length) {
    throw new KeyForgeError("LAYOUT_DUPLICATE_CHAR", "a character is listed twice");
  }
  for (const [char, key] of input.pins ?? []) {
    if (!chars.includes(char)) {
      throw new KeyForgeError(
        "PIN_UNKNOWN_CHAR",
        `pinned character ${JSON.stringify(char)} is not on the layout`,
      );
    }
    if (!Number.isInteger(key) || key < 0 || key >= board.keys.length) {
      throw new KeyForgeError(
        "PIN_UNKNOWN_KEY",
        `character ${JSON.stringify(char)} is pinned to a key the board does not have`,
      );
    }
  }
}

/**
 * Each character's Shift character where it is another character the corpus counts on the key;
 * null for none, and for a key that types its own character with Shift (space).
 */
function addedShiftChars(input: ModelInput): (string | null)[] {
  return input.chars.map((char, i) => {
    const shifted = input.shifted?.[i] ?? null;
    return shifted === char ? null : shifted;
  });
}

/** Compiles everything the score depends on, once; scoring then only reads typed arrays. */
export function compileModel(input: ModelInput): ScoringModel {
  checkInput(input);
  const { board, corpus, weights } = input;
  const params = weights.parameters;
  const size = board.keys.length;
  const charCount = input.chars.length;
  const added = addedShiftChars(input);
  const itemOfChar = new Map(input.chars.map((c, i) => [c, i]));
  added.forEach((char, i) => {
    if (char !== null) itemOfChar.set(char, i);
  });
  const keys = keyTable(board);

  const monogram = new Float64Array(size);
  let monogramTotal = 0;
  for (const char of itemOfChar.keys()) monogramTotal += corpus.monograms[char] ?? 0;
  for (const [char, item] of itemOfChar) {
    const share = monogramTotal > 0 ? (corpus.monograms[char] ?? 0) / monogramTotal : 0;
    monogram[item] = (monogram[item] as number) + share;
  }
  const shiftedMonogram = new Float64Array(size);
  added.forEach((char, item) => {
    if (char !== null && monogramTotal > 0) {
      shiftedMonogram[item] = (corpus.monograms[char] ?? 0) / monogramTotal;
    }
  });
  const bigrams = pairShares(corpus.bigrams, itemOfChar, size);
  const skipgrams = pairShares(corpus.skipgrams, itemOfChar, size);

  const onLayout: [string, number][] = [];
  let trigramTotal = 0;
  for (const gram in corpus.trigrams) {
    if (itemsOf(gram, itemOfChar)) {
      const count = corpus.trigrams[gram] as number;
      onLayout.push([gram, count]);
      trigramTotal += count;
    }
  }
  onLayout.sort(byCountThenGram);
  let kept = 0;
  let keptMass = 0;
  while (kept < onLayout.length && keptMass < params.trigramCoverage * trigramTotal) {
    keptMass += (onLayout[kept] as [string, number])[1];
    kept++;
  }
  const trigramItems = new Int32Array(3 * kept);
  const trigramShare = new Float64Array(kept);
  for (let t = 0; t < kept; t++) {
    const [gram, count] = onLayout[t] as [string, number];
    trigramItems.set(itemsOf(gram, itemOfChar) as number[], 3 * t);
    trigramShare[t] = count / trigramTotal;
  }

  const pinnedKey = new Map<number, number>();
  for (const [char, key] of input.pins ?? []) pinnedKey.set(itemOfChar.get(char) as number, key);
  const fixedKey = new Uint8Array(size);
  for (const key of pinnedKey.values()) fixedKey[key] = 1;
  for (const key of input.excludedKeys ?? []) fixedKey[key] = 1;
  const movableKeys = Int32Array.from(board.keys.keys()).filter((k) => fixedKey[k] === 0);
  const anchorKey = new Int32Array(size).fill(-1);
  for (const [char, key] of input.anchor?.keys ?? []) {
    const item = itemOfChar.get(char);
    if (item !== undefined) anchorKey[item] = key;
  }

  const costs = costTables(board, keys, weights);
  const pairShare4 = interleavePairs(bigrams.shares, skipgrams.shares, size);
  const pairCost4 = interleavePairs(costs.bigram, costs.skipgram, size);
  const trigramPattern = new Int32Array(kept);
  for (let t = 0; t < kept; t++) {
    const pattern = sameKeyPattern(
      trigramItems[3 * t] as number,
      trigramItems[3 * t + 1] as number,
      trigramItems[3 * t + 2] as number,
    );
    trigramPattern[t] = slotTrigramIndex(pattern, 0, 0, 0);
  }

  const slotCap = new Float64Array(FINGER_SLOTS);
  board.keys.forEach((key, k) => {
    slotCap[keys.slot[k] as number] = params.fingerCaps[key.finger] / 100;
  });

  const trigramDelta = trigramDeltaIndex(
    trigramItems,
    trigramPattern,
    trigramShare,
    size,
    costs.trigram,
    (t) => isConstantTrigram(trigramItems, t, pinnedKey, keys, fixedKey),
  );
  let corpusMonograms = 0;
  for (const char in corpus.monograms) corpusMonograms += corpus.monograms[char] as number;

  return {
    board,
    weights,
    corpusId: corpus.id,
    keys,
    size,
    charCount,
    chars: input.chars,
    shifted: input.shifted ?? input.chars.map(() => null),
    itemOfChar,
    totals: {
      monograms: monogramTotal,
      bigrams: bigrams.total,
      skipgrams: skipgrams.total,
      trigrams: trigramTotal,
      corpusMonograms,
      trigramsKept: trigramTotal > 0 ? keptMass / trigramTotal : 1,
    },
    monogram,
    shiftedMonogram,
    bigram: bigrams.shares,
    skipgram: skipgrams.shares,
    trigramItems,
    trigramShare,
    trigramPattern,
    trigramDelta,
    monogramCost: costs.keystroke,
    bigramCost: costs.bigram,
    skipgramCost: costs.skipgram,
    pairShare4,
    pairCost4,
    trigramCost: costs.trigram,
    slotCap,
    fixedKey,
    movableKeys,
    pins: input.pins ?? new Map(),
    anchorKey,
    anchorPenalty: input.anchor?.penalty ?? 0,
  };
}

interface CostTables {
  /** Per key. */
  readonly keystroke: Float64Array;
  /** Per key pair [a·size + b]. */
  readonly bigram: Float64Array;
  readonly skipgram: Float64Array;
  /** Per (same-key pattern, finger slots). */
  readonly trigram: Float64Array;
}

/**
 * What each key, key pair and slot triple costs: every weighted metric's amount there times its
 * weight (and 100 for a percentage), summed. The finger-load terms are not linear in the
 * n-grams; the scorer adds them itself (metrics/balance.ts).
 */
function costTables(board: Board, keys: KeyTable, weights: Weights): CostTables {
  const size = keys.count;
  const params = weights.parameters;
  const tables: CostTables = {
    keystroke: new Float64Array(size),
    bigram: new Float64Array(size * size),
    skipgram: new Float64Array(size * size),
    trigram: new Float64Array(SLOT_TRIGRAM_TABLE_SIZE),
  };
  for (const metric of METRICS) {
    const weight = metric.weighted ? weights.weights[metric.key] : 0;
    if (weight === 0) continue;
    const cost = weight * unitScale(metric.unit);
    switch (metric.counts) {
      case "bigrams":
      case "skipgrams": {
        const table = metric.counts === "bigrams" ? tables.bigram : tables.skipgram;
        for (let a = 0; a < size; a++) {
          for (let b = 0; b < size; b++) {
            const amount = metric.perPair(keys, a, b, params);
            if (amount !== 0) table[a * size + b] = (table[a * size + b] as number) + cost * amount;
          }
        }
        break;
      }
      case "trigrams":
        for (let cell = 0; cell < SLOT_TRIGRAM_TABLE_SIZE; cell++) {
          const slots = cell % SLOT_TRIPLES;
          const amount = metric.perTrigram(
            Math.floor(slots / (FINGER_SLOTS * FINGER_SLOTS)),
            Math.floor(slots / FINGER_SLOTS) % FINGER_SLOTS,
            slots % FINGER_SLOTS,
            Math.floor(cell / SLOT_TRIPLES),
          );
          if (amount !== 0) tables.trigram[cell] = (tables.trigram[cell] as number) + cost * amount;
        }
        break;
      case "keystrokes":
        for (let k = 0; k < size; k++) {
          tables.keystroke[k] =
            (tables.keystroke[k] as number) + cost * metric.perKey(board, keys, k, params);
        }
        break;
      case "finger load":
      case "corpus":
        break;
    }
  }
  return tables;
}

/** [x→c, c→x, x→c, c→x] of two size×size matrices, per (x, c): see ScoringModel.pairShare4. */
function interleavePairs(first: Float64Array, second: Float64Array, size: number): Float64Array {
  const out = new Float64Array(4 * size * size);
  for (let x = 0; x < size; x++) {
    for (let c = 0; c < size; c++) {
      const at = 4 * (x * size + c);
      out[at] = first[x * size + c] as number;
      out[at + 1] = first[c * size + x] as number;
      out[at + 2] = second[x * size + c] as number;
      out[at + 3] = second[c * size + x] as number;
    }
  }
  return out;
}

/**
 * A trigram whose cost no search move can change: all its characters pinned, or one pinned to a
 * thumb key while no movable key is a thumb key (it is then a thumb trigram wherever the others go).
 */
function isConstantTrigram(
  items: Int32Array,
  t: number,
  pinnedKey: ReadonlyMap<number, number>,
  keys: KeyTable,
  fixedKey: Uint8Array,
): boolean {
  let pinned = 0;
  let onThumb = false;
  for (let i = 0; i < 3; i++) {
    const key = pinnedKey.get(items[3 * t + i] as number);
    if (key === undefined) continue;
    pinned++;
    if (keys.isThumb[key]) onThumb = true;
  }
  if (pinned === 3) return true;
  if (!onThumb) return false;
  for (let k = 0; k < keys.count; k++) if (fixedKey[k] === 0 && keys.isThumb[k]) return false;
  return true;
}
