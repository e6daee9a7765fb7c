import type { Finger, Hand } from "../board.ts";
import { FINGER_SLOT_NAMES } from "./fingers.ts";
import type { LayoutScorer } from "./layout-scorer.ts";
import { type MetricDefinition, unitScale } from "./metric.ts";
import {
  METRICS,
  type MetricKey,
  type Metrics,
  WEIGHTED_TERMS,
  type WeightedTerm,
  WORST_LISTS,
  type WorstListId,
} from "./metric-catalogue.ts";
import { type ShiftUse, shiftUse } from "./shift-use.ts";
import { sameKeyPattern } from "./trigram-classes.ts";

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
  /** The most frequent n-grams of each worst list (metric-catalogue.ts WORST_LISTS). */
  readonly top: Record<WorstListId, NgramShare[]>;
  /** How Shift is used, on a board with Shift keys (shift-use.ts). */
  readonly shift?: ShiftUse;
}

const TOP = 10;

function topShares(entries: NgramShare[]): NgramShare[] {
  return entries
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP)
    .map(([gram, share]) => [gram, 100 * share]);
}

type Sums = Record<MetricKey, number>;
type Worst = Record<WorstListId, NgramShare[]>;

/** Adds up each pair metric over the character pairs as they are placed. */
function measurePairs(
  scorer: LayoutScorer,
  metrics: readonly MetricDefinition[],
  sums: Sums,
  worst: Worst,
) {
  const m = scorer.model;
  const n = m.size;
  const pos = scorer.keyOf;
  const params = m.weights.parameters;
  for (const metric of metrics) {
    if (metric.counts !== "bigrams" && metric.counts !== "skipgrams") continue;
    const shares = metric.counts === "bigrams" ? m.bigram : m.skipgram;
    const list = metric.worst ? worst[metric.worst.id as WorstListId] : undefined;
    let sum = 0;
    for (let a = 0; a < m.charCount; a++) {
      for (let b = 0; b < m.charCount; b++) {
        const share = shares[a * n + b] as number;
        if (share === 0) continue;
        const amount = metric.perPair(m.keys, pos[a] as number, pos[b] as number, params);
        if (amount === 0) continue;
        sum += share * amount;
        list?.push([(m.chars[a] as string) + (m.chars[b] as string), share]);
      }
    }
    sums[metric.key as MetricKey] = sum;
  }
}

/** Adds up each trigram metric over the kept trigrams as they are placed. */
function measureTrigrams(
  scorer: LayoutScorer,
  metrics: readonly MetricDefinition[],
  sums: Sums,
  worst: Worst,
) {
  const m = scorer.model;
  const items = m.trigramItems;
  const slot = scorer.slotOf;
  for (const metric of metrics) {
    if (metric.counts !== "trigrams") continue;
    const list = metric.worst ? worst[metric.worst.id as WorstListId] : undefined;
    let sum = 0;
    for (let t = 0; t < m.trigramShare.length; t++) {
      const x = items[3 * t] as number;
      const y = items[3 * t + 1] as number;
      const z = items[3 * t + 2] as number;
      const amount = metric.perTrigram(
        slot[x] as number,
        slot[y] as number,
        slot[z] as number,
        sameKeyPattern(x, y, z),
      );
      if (amount === 0) continue;
      const share = m.trigramShare[t] as number;
      sum += share * amount;
      list?.push([(m.chars[x] as string) + (m.chars[y] as string) + (m.chars[z] as string), share]);
    }
    sums[metric.key as MetricKey] = sum;
  }
}

/** Every metric of the scorer's layout, each by the rule its family states. */
function measure(scorer: LayoutScorer): { metrics: Metrics; worst: Worst } {
  const m = scorer.model;
  const sums = {} as Sums;
  const worst = Object.fromEntries(WORST_LISTS.map((list) => [list.id, []])) as unknown as Worst;
  measurePairs(scorer, METRICS, sums, worst);
  measureTrigrams(scorer, METRICS, sums, worst);
  const metrics = {} as Record<MetricKey, number>;
  for (const metric of METRICS as readonly MetricDefinition[]) {
    const key = metric.key as MetricKey;
    switch (metric.counts) {
      case "keystrokes": {
        let sum = 0;
        for (let a = 0; a < m.charCount; a++) {
          const k = scorer.keyOf[a] as number;
          sum +=
            (m.monogram[a] as number) * metric.perKey(m.board, m.keys, k, m.weights.parameters);
        }
        metrics[key] = unitScale(metric.unit) * sum;
        break;
      }
      case "finger load":
        metrics[key] = metric.ofLoad(scorer.slotLoad, m.slotCap);
        break;
      case "corpus":
        metrics[key] = metric.ofTotals(m.totals);
        break;
      default:
        metrics[key] = unitScale(metric.unit) * sums[key];
    }
  }
  return { metrics, worst };
}

/** All metrics of the scorer's current layout, from the same compiled model the search uses. */
export function analyzeLayout(scorer: LayoutScorer): LayoutAnalysis {
  const m = scorer.model;
  const chars = m.chars;
  const load = scorer.slotLoad;
  const { metrics, worst } = measure(scorer);
  const w = m.weights.weights;
  const contributions = Object.fromEntries(
    WEIGHTED_TERMS.map((term) => [term, w[term] * metrics[term]]),
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
  const shift = shiftUse(scorer);
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
    top: Object.fromEntries(
      WORST_LISTS.map((list) => [list.id, topShares(worst[list.id])]),
    ) as Worst,
    ...(shift && { shift }),
  };
}
