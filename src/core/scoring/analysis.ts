import type { Finger, Hand } from "../board.ts";
import { FINGER_SLOT_NAMES, FINGER_SLOTS } from "./fingers.ts";
import { PAIR_FULL_SCISSOR, PAIR_HALF_SCISSOR, PAIR_LSB, PAIR_SFB } from "./key-pairs.ts";
import type { LayoutScorer } from "./layout-scorer.ts";
import {
  slotTrigramIndex,
  TRIGRAM_ALT_SFS,
  TRIGRAM_ALTERNATE,
  TRIGRAM_BAD_REDIRECT,
  TRIGRAM_CLASS_MASK,
  TRIGRAM_ONEHAND_IN,
  TRIGRAM_ONEHAND_OUT,
  TRIGRAM_REDIRECT,
  TRIGRAM_ROLL_IN,
  TRIGRAM_ROLL_OUT,
  TRIGRAM_SFT,
  TRIGRAM_THUMB,
} from "./trigram-classes.ts";
import type { WeightedTerm } from "./weights.ts";

/** Every metric of a layout. Shares are percentages (0–100); distance and effort per keystroke. */
export interface Metrics {
  readonly sfb: number;
  readonly sfs: number;
  readonly sft: number;
  readonly lsb: number;
  readonly halfScissors: number;
  readonly fullScissors: number;
  readonly alternate: number;
  readonly altSfs: number;
  readonly rollIn: number;
  readonly rollOut: number;
  readonly onehandIn: number;
  readonly onehandOut: number;
  readonly redirect: number;
  readonly badRedirect: number;
  readonly thumb: number;
  /** Average finger travel per keystroke, key units. */
  readonly distance: number;
  /** Average effort per keystroke. */
  readonly effort: number;
  /** Share of the corpus's characters the layout can type. */
  readonly coverage: number;
  /** Percentage points between the hands' non-thumb shares and an even split. */
  readonly handImbalance: number;
  /** Percentage points by which fingers exceed their load caps, summed. */
  readonly fingerOverload: number;
}

export type FingerSlotName = (typeof FINGER_SLOT_NAMES)[number];

export interface Usage {
  readonly fingers: Record<FingerSlotName, number>;
  readonly hands: Record<Hand, number>;
  /** By the board's row label. */
  readonly rows: Record<string, number>;
}

export interface PlacedChar {
  readonly char: string;
  readonly key: string;
  readonly hand: Hand;
  readonly finger: Finger;
  /** Key centre, key units. */
  readonly x: number;
  readonly y: number;
}

export type NgramShare = [ngram: string, percent: number];

export interface LayoutAnalysis {
  readonly score: number;
  readonly metrics: Metrics;
  /** What each weighted term adds to the score (weight × metric); they sum to the score. */
  readonly contributions: Record<WeightedTerm, number>;
  readonly usage: Usage;
  /** Percent of keystrokes on each board key, in board key order. */
  readonly keyShare: number[];
  readonly keys: PlacedChar[];
  readonly top: {
    readonly sfb: NgramShare[];
    readonly sfs: NgramShare[];
    readonly lsb: NgramShare[];
    readonly scissors: NgramShare[];
    readonly redirect: NgramShare[];
    readonly badRedirect: NgramShare[];
  };
}

const TOP = 10;

function topShares(entries: NgramShare[]): NgramShare[] {
  return entries
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP)
    .map(([gram, share]) => [gram, 100 * share]);
}

/** All metrics of the scorer's current layout, from the same compiled model the search uses. */
export function analyzeLayout(scorer: LayoutScorer): LayoutAnalysis {
  const m = scorer.model;
  const n = m.size;
  const pos = scorer.keyOf;
  const chars = m.chars;
  const pairSums = { sfb: 0, sfs: 0, lsb: 0, halfScissors: 0, fullScissors: 0, distance: 0 };
  const tops = {
    sfb: [] as NgramShare[],
    sfs: [] as NgramShare[],
    lsb: [] as NgramShare[],
    scissors: [] as NgramShare[],
    redirect: [] as NgramShare[],
    badRedirect: [] as NgramShare[],
  };
  for (let a = 0; a < m.charCount; a++) {
    for (let b = 0; b < m.charCount; b++) {
      const keys = (pos[a] as number) * n + (pos[b] as number);
      const bits = m.pairClass[keys] as number;
      const bigram = m.bigram[a * n + b] as number;
      const skipgram = m.skipgram[a * n + b] as number;
      const gram = (chars[a] as string) + (chars[b] as string);
      pairSums.distance += bigram * (m.pairTravel[keys] as number);
      if (bits & PAIR_SFB) {
        pairSums.sfb += bigram;
        pairSums.sfs += skipgram;
        if (bigram > 0) tops.sfb.push([gram, bigram]);
        if (skipgram > 0) tops.sfs.push([gram, skipgram]);
      }
      if (bits & PAIR_LSB) {
        pairSums.lsb += bigram;
        if (bigram > 0) tops.lsb.push([gram, bigram]);
      }
      if (bits & (PAIR_HALF_SCISSOR | PAIR_FULL_SCISSOR)) {
        if (bits & PAIR_HALF_SCISSOR) pairSums.halfScissors += bigram;
        else pairSums.fullScissors += bigram;
        if (bigram > 0) tops.scissors.push([gram, bigram]);
      }
    }
  }

  const classShare = new Float64Array(8);
  const flagShare = { altSfs: 0, badRedirect: 0, sft: 0 };
  const items = m.trigramItems;
  for (let t = 0; t < m.trigramShare.length; t++) {
    const x = items[3 * t] as number;
    const y = items[3 * t + 1] as number;
    const z = items[3 * t + 2] as number;
    const cell =
      (m.trigramPattern[t] as number) +
      slotTrigramIndex(
        0,
        scorer.slotOf[x] as number,
        scorer.slotOf[y] as number,
        scorer.slotOf[z] as number,
      );
    const bits = m.slotTrigramClass[cell] as number;
    const share = m.trigramShare[t] as number;
    const cls = bits & TRIGRAM_CLASS_MASK;
    classShare[cls] = (classShare[cls] as number) + share;
    const gram = (chars[x] as string) + (chars[y] as string) + (chars[z] as string);
    if (bits & TRIGRAM_ALT_SFS) flagShare.altSfs += share;
    if (bits & TRIGRAM_SFT) flagShare.sft += share;
    if (cls === TRIGRAM_REDIRECT) tops.redirect.push([gram, share]);
    if (bits & TRIGRAM_BAD_REDIRECT) {
      flagShare.badRedirect += share;
      tops.badRedirect.push([gram, share]);
    }
  }

  let effort = 0;
  for (let a = 0; a < m.charCount; a++)
    effort += (m.monogram[a] as number) * (m.keyEffort[pos[a] as number] as number);
  const load = scorer.slotLoad;
  let left = 0;
  let right = 0;
  let overload = 0;
  for (let s = 0; s < FINGER_SLOTS; s++) {
    if (s < 4) left += load[s] as number;
    if (s > 5) right += load[s] as number;
    overload += Math.max(0, 100 * ((load[s] as number) - (m.slotCap[s] as number)));
  }
  const metrics: Metrics = {
    sfb: 100 * pairSums.sfb,
    sfs: 100 * pairSums.sfs,
    sft: 100 * flagShare.sft,
    lsb: 100 * pairSums.lsb,
    halfScissors: 100 * pairSums.halfScissors,
    fullScissors: 100 * pairSums.fullScissors,
    alternate: 100 * (classShare[TRIGRAM_ALTERNATE] as number),
    altSfs: 100 * flagShare.altSfs,
    rollIn: 100 * (classShare[TRIGRAM_ROLL_IN] as number),
    rollOut: 100 * (classShare[TRIGRAM_ROLL_OUT] as number),
    onehandIn: 100 * (classShare[TRIGRAM_ONEHAND_IN] as number),
    onehandOut: 100 * (classShare[TRIGRAM_ONEHAND_OUT] as number),
    redirect: 100 * (classShare[TRIGRAM_REDIRECT] as number),
    badRedirect: 100 * flagShare.badRedirect,
    thumb: 100 * (classShare[TRIGRAM_THUMB] as number),
    distance: pairSums.distance,
    effort,
    coverage:
      m.totals.corpusMonograms > 0 ? (100 * m.totals.monograms) / m.totals.corpusMonograms : 0,
    handImbalance: left + right > 0 ? Math.abs(50 - (100 * left) / (left + right)) : 0,
    fingerOverload: overload,
  };
  const w = m.weights.weights;
  const contributions = Object.fromEntries(
    (Object.keys(w) as WeightedTerm[]).map((term) => [term, w[term] * metrics[term]]),
  ) as Record<WeightedTerm, number>;

  const keyShare = m.board.keys.map((_, k) => {
    const item = scorer.itemAt[k] as number;
    return item < m.charCount ? 100 * (m.monogram[item] as number) : 0;
  });
  const rows: Record<string, number> = {};
  m.board.keys.forEach((key, k) => {
    rows[String(key.row)] = (rows[String(key.row)] ?? 0) + (keyShare[k] as number);
  });
  const fingers = Object.fromEntries(
    FINGER_SLOT_NAMES.map((name, s) => [name, 100 * (load[s] as number)]),
  ) as Record<FingerSlotName, number>;
  const keys = m.board.keys.flatMap((key, k): PlacedChar[] => {
    const item = scorer.itemAt[k] as number;
    if (item >= m.charCount) return [];
    return [
      {
        char: chars[item] as string,
        key: key.id,
        hand: key.hand,
        finger: key.finger,
        x: m.keys.x[k] as number,
        y: m.keys.y[k] as number,
      },
    ];
  });
  return {
    score: scorer.score(),
    metrics,
    contributions,
    usage: {
      fingers,
      hands: {
        left: FINGER_SLOT_NAMES.slice(0, 5).reduce((sum, name) => sum + fingers[name], 0),
        right: FINGER_SLOT_NAMES.slice(5).reduce((sum, name) => sum + fingers[name], 0),
      },
      rows,
    },
    keyShare,
    keys,
    top: {
      sfb: topShares(tops.sfb),
      sfs: topShares(tops.sfs),
      lsb: topShares(tops.lsb),
      scissors: topShares(tops.scissors),
      redirect: topShares(tops.redirect),
      badRedirect: topShares(tops.badRedirect),
    },
  };
}
