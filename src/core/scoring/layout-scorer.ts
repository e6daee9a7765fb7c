import type { Board } from "../board.ts";
import { KeyForgeError } from "../errors.ts";
import { type Layout, shiftedLayer, withShifted } from "../layout.ts";
import { FINGER_SLOTS } from "./fingers.ts";
import { balanceMoveDelta, balancePenalty } from "./metrics/balance.ts";
import type { ScoringModel } from "./model.ts";

/** Applied moves between two summations of slotTrigramCost from scratch. */
const REFRESH_INTERVAL = 4096;

/**
 * The score of one layout under a compiled model, kept as item positions so that a swap or a
 * 3-cycle of keys is scored by touching only the n-grams of the moved characters. Deltas
 * allocate nothing and read memory mostly in order; applying a move keeps the per-trigram
 * state (`trigramRow`) in step.
 */
export class LayoutScorer {
  readonly model: ScoringModel;
  /** Key of each item. */
  readonly keyOf: Int32Array;
  /** Item on each key. */
  readonly itemAt: Int32Array;
  /** Finger slot of each item's key. */
  readonly slotOf: Uint8Array;
  /** Share of keystrokes on each finger slot (0–1). */
  readonly slotLoad: Float64Array;
  /** Per trigram record: offset of the record's current cost row (trigram-delta-index.ts). */
  private readonly trigramRow: Int32Array;
  /**
   * With the slot cache on: [item·10 + slot], what the item's trigrams would cost if it alone
   * sat on that slot, the others where they are. A swap's trigram delta then reads two entries
   * per moved item instead of every trigram record, and applying a move updates the entries of
   * the items sharing trigrams with the moved ones (about ten times the work of an apply
   * without it). Worth it when few moves are applied: low temperatures, greedy descent.
   */
  private readonly slotTrigramCost: Float64Array;
  private slotCacheOn = false;
  /** Applied moves since slotTrigramCost was last summed from scratch (bounds rounding drift). */
  private movesSinceRefresh = 0;
  private readonly savedLoad = new Float64Array(FINGER_SLOTS);

  constructor(model: ScoringModel, itemAtKey: ArrayLike<number>) {
    this.model = model;
    const placement = placementOf(model, itemAtKey);
    this.itemAt = placement.itemAt;
    this.keyOf = placement.keyOf;
    this.slotOf = placement.slotOf;
    this.slotLoad = placement.slotLoad;
    const index = model.trigramDelta;
    this.slotTrigramCost = new Float64Array(model.size * FINGER_SLOTS);
    this.trigramRow = Int32Array.from(index.base);
    for (let r = 0; r < this.trigramRow.length; r++) {
      for (let o = 0; o < 4; o += 2) {
        const other = index.others[4 * r + o] as number;
        if (other < 0) continue;
        this.trigramRow[r] =
          (this.trigramRow[r] as number) +
          (index.others[4 * r + o + 1] as number) * (this.slotOf[other] as number);
      }
    }
  }

  /** The full score, from scratch. */
  score(): number {
    return scoreOfPlacement(this.model, this);
  }

  /** Change of the anchor term when item a goes from key pa to pb and item b the other way. */
  private anchorSwapDelta(a: number, b: number, pa: number, pb: number): number {
    const m = this.model;
    const anchorA = m.anchorKey[a] as number;
    const anchorB = m.anchorKey[b] as number;
    let moved = 0;
    if (anchorA >= 0) moved += (anchorA !== pb ? 1 : 0) - (anchorA !== pa ? 1 : 0);
    if (anchorB >= 0) moved += (anchorB !== pa ? 1 : 0) - (anchorB !== pb ? 1 : 0);
    return m.anchorPenalty * moved;
  }

  /** How much the score changes if the contents of keys k1 and k2 are exchanged. */
  swapDelta(k1: number, k2: number): number {
    const m = this.model;
    let a = this.itemAt[k1] as number;
    let b = this.itemAt[k2] as number;
    if (a >= m.charCount && b >= m.charCount) return 0;
    if (a >= m.charCount) {
      const blank = a;
      a = b;
      b = blank;
    }
    const pa = this.keyOf[a] as number;
    const pb = this.keyOf[b] as number;
    let delta = this.pairSwapDelta(a, b, pa, pb);
    if (m.anchorPenalty !== 0) delta += this.anchorSwapDelta(a, b, pa, pb);
    delta +=
      ((m.monogram[a] as number) - (m.monogram[b] as number)) *
      ((m.monogramCost[pb] as number) - (m.monogramCost[pa] as number));
    const sa = m.keys.slot[pa] as number;
    const sb = m.keys.slot[pb] as number;
    // Trigram costs depend only on finger slots: a swap within one finger leaves them all.
    if (sa !== sb) {
      delta += this.trigramMoveDelta(a, sa, sb);
      if (b < m.charCount)
        delta += this.trigramMoveDelta(b, sb, sa) + this.sharedTrigramCorrection(a, b, sa, sb);
      delta += this.loadSwapDelta(a, b, sa, sb);
    }
    return delta;
  }

  /** Bigram and skipgram change of exchanging items a and b (on keys pa and pb). */
  private pairSwapDelta(a: number, b: number, pa: number, pb: number): number {
    const m = this.model;
    const n = m.size;
    const pos = this.keyOf;
    const share = m.pairShare4;
    const cost = m.pairCost4;
    const rowA = 4 * a * n;
    const rowB = 4 * b * n;
    const fromA = 4 * pa * n;
    const fromB = 4 * pb * n;
    let delta = 0;
    for (let c = 0; c < m.charCount; c++) {
      if (c === a || c === b) continue;
      const sa = rowA + 4 * c;
      const sb = rowB + 4 * c;
      const pc = 4 * (pos[c] as number);
      const ka = fromA + pc;
      const kb = fromB + pc;
      delta +=
        ((share[sa] as number) - (share[sb] as number)) *
          ((cost[kb] as number) - (cost[ka] as number)) +
        ((share[sa + 1] as number) - (share[sb + 1] as number)) *
          ((cost[kb + 1] as number) - (cost[ka + 1] as number)) +
        ((share[sa + 2] as number) - (share[sb + 2] as number)) *
          ((cost[kb + 2] as number) - (cost[ka + 2] as number)) +
        ((share[sa + 3] as number) - (share[sb + 3] as number)) *
          ((cost[kb + 3] as number) - (cost[ka + 3] as number));
    }
    // The pairs among a and b themselves: a→a, b→b, a→b, b→a, for bigrams ([0]) and skipgrams ([2]).
    const bc = m.bigramCost;
    const sc = m.skipgramCost;
    const bi = m.bigram;
    const sk = m.skipgram;
    const aa = pa * n + pa;
    const bb = pb * n + pb;
    const ab = pa * n + pb;
    const ba = pb * n + pa;
    return (
      delta +
      ((bi[a * n + a] as number) - (bi[b * n + b] as number)) *
        ((bc[bb] as number) - (bc[aa] as number)) +
      ((bi[a * n + b] as number) - (bi[b * n + a] as number)) *
        ((bc[ba] as number) - (bc[ab] as number)) +
      ((sk[a * n + a] as number) - (sk[b * n + b] as number)) *
        ((sc[bb] as number) - (sc[aa] as number)) +
      ((sk[a * n + b] as number) - (sk[b * n + a] as number)) *
        ((sc[ba] as number) - (sc[ab] as number))
    );
  }

  /** Cost change of the trigrams of `item` if it alone moved from slot `from` to slot `to`. */
  private trigramMoveDelta(item: number, from: number, to: number): number {
    if (this.slotCacheOn) {
      const base = item * FINGER_SLOTS;
      return (
        (this.slotTrigramCost[base + to] as number) - (this.slotTrigramCost[base + from] as number)
      );
    }
    const index = this.model.trigramDelta;
    const cost = index.rowCost;
    const row = this.trigramRow;
    const share = index.share;
    let delta = 0;
    const end = index.start[item + 1] as number;
    for (let r = index.start[item] as number; r < end; r++) {
      const at = row[r] as number;
      delta += (share[r] as number) * ((cost[at + to] as number) - (cost[at + from] as number));
    }
    return delta;
  }

  /** Turns the slot cache (see slotTrigramCost) on or off; the score is the same either way. */
  useSlotCache(on: boolean): void {
    this.slotCacheOn = on;
    if (on) this.refreshSlotTrigramCost();
  }

  /** Sums slotTrigramCost from the trigram records. */
  private refreshSlotTrigramCost(): void {
    const index = this.model.trigramDelta;
    const cost = index.rowCost;
    const perSlot = this.slotTrigramCost;
    perSlot.fill(0);
    for (let r = 0; r < this.trigramRow.length; r++) {
      const at = this.trigramRow[r] as number;
      const share = index.share[r] as number;
      const base = (index.owner[r] as number) * FINGER_SLOTS;
      for (let slot = 0; slot < FINGER_SLOTS; slot++) {
        perSlot[base + slot] =
          (perSlot[base + slot] as number) + share * (cost[at + slot] as number);
      }
    }
    this.movesSinceRefresh = 0;
  }

  /**
   * Trigrams holding both a and b were scored above as if each moved alone; this adds what is
   * missing: cost(both moved) − cost(a moved) − cost(b moved) + cost(neither).
   */
  private sharedTrigramCorrection(a: number, b: number, sa: number, sb: number): number {
    const m = this.model;
    const index = m.trigramDelta;
    const cost = m.trigramCost;
    // Entries are stored for the lower item first; slots of the lower and higher item now.
    const [low, high] = a < b ? [sa, sb] : [sb, sa];
    const pair = a < b ? a * m.size + b : b * m.size + a;
    const end = index.pairStart[pair + 1] as number;
    let correction = 0;
    for (let e = index.pairStart[pair] as number; e < end; e++) {
      const other = index.pairOther[e] as number;
      const f =
        (index.pairBase[e] as number) +
        (other < 0 ? 0 : (index.pairOtherMult[e] as number) * (this.slotOf[other] as number));
      const ml = index.pairLowMult[e] as number;
      const mh = index.pairHighMult[e] as number;
      correction +=
        (index.pairShare[e] as number) *
        ((cost[f + ml * high + mh * low] as number) -
          (cost[f + ml * high + mh * high] as number) -
          (cost[f + ml * low + mh * low] as number) +
          (cost[f + ml * low + mh * high] as number));
    }
    return correction;
  }

  /** Change of the load terms when items a and b exchange slots sa and sb. */
  private loadSwapDelta(a: number, b: number, sa: number, sb: number): number {
    const m = this.model;
    const moved = (m.monogram[a] as number) - (m.monogram[b] as number);
    if (moved === 0) return 0;
    return balanceMoveDelta(m.weights.weights, this.slotLoad, m.slotCap, sa, sb, moved);
  }

  /** Exchanges the contents of keys k1 and k2. */
  applySwap(k1: number, k2: number): void {
    const m = this.model;
    const a = this.itemAt[k1] as number;
    const b = this.itemAt[k2] as number;
    this.itemAt[k1] = b;
    this.itemAt[k2] = a;
    this.keyOf[a] = k2;
    this.keyOf[b] = k1;
    const s1 = m.keys.slot[k1] as number;
    const s2 = m.keys.slot[k2] as number;
    if (s1 === s2) return;
    this.moveSlot(a, s1, s2);
    this.moveSlot(b, s2, s1);
    if (this.slotCacheOn && ++this.movesSinceRefresh >= REFRESH_INTERVAL)
      this.refreshSlotTrigramCost();
    const moved = (m.monogram[a] as number) - (m.monogram[b] as number);
    this.slotLoad[s1] = (this.slotLoad[s1] as number) - moved;
    this.slotLoad[s2] = (this.slotLoad[s2] as number) + moved;
  }

  private moveSlot(item: number, from: number, to: number): void {
    this.slotOf[item] = to;
    const index = this.model.trigramDelta;
    const cost = index.rowCost;
    const perSlot = this.slotTrigramCost;
    const cached = this.slotCacheOn;
    const end = index.dependentStart[item + 1] as number;
    for (let i = index.dependentStart[item] as number; i < end; i++) {
      const r = index.dependentRecord[i] as number;
      const before = this.trigramRow[r] as number;
      const after = before + (index.dependentMult[i] as number) * (to - from);
      this.trigramRow[r] = after;
      if (!cached) continue;
      const share = index.share[r] as number;
      const base = (index.owner[r] as number) * FINGER_SLOTS;
      for (let slot = 0; slot < FINGER_SLOTS; slot++) {
        perSlot[base + slot] =
          (perSlot[base + slot] as number) +
          share * ((cost[after + slot] as number) - (cost[before + slot] as number));
      }
    }
  }

  /** Score change of moving the contents of k1 to k2, k2 to k3 and k3 to k1. */
  cycleDelta(k1: number, k2: number, k3: number): number {
    // Scored as two swaps; undoing the first restores every integer exactly, the loads from a
    // copy. The slot cache is left alone meanwhile: the net move is nothing.
    const cached = this.slotCacheOn;
    this.savedLoad.set(this.slotLoad);
    const first = this.swapDelta(k1, k2);
    this.slotCacheOn = false;
    this.applySwap(k1, k2);
    const second = this.swapDelta(k1, k3);
    this.applySwap(k1, k2);
    this.slotCacheOn = cached;
    this.slotLoad.set(this.savedLoad);
    return first + second;
  }

  applyCycle(k1: number, k2: number, k3: number): void {
    this.applySwap(k1, k2);
    this.applySwap(k1, k3);
  }
}

/** Where each item sits, checked: every item on exactly one key, every pin kept. */
interface Placement {
  readonly itemAt: Int32Array;
  readonly keyOf: Int32Array;
  readonly slotOf: Uint8Array;
  readonly slotLoad: Float64Array;
}

function placementOf(model: ScoringModel, itemAtKey: ArrayLike<number>): Placement {
  const n = model.size;
  const itemAt = Int32Array.from(itemAtKey);
  const keyOf = new Int32Array(n).fill(-1);
  const slotOf = new Uint8Array(n);
  itemAt.forEach((item, key) => {
    if (item >= 0 && item < n) {
      keyOf[item] = key;
      slotOf[item] = model.keys.slot[key] as number;
    }
  });
  if (itemAt.length !== n || keyOf.includes(-1)) {
    throw new KeyForgeError(
      "LAYOUT_STATE_INVALID",
      "a layout must place every item on exactly one key",
    );
  }
  for (const [char, key] of model.pins) {
    if (keyOf[model.itemOfChar.get(char) as number] !== key) {
      throw new KeyForgeError(
        "LAYOUT_VIOLATES_PIN",
        `character ${JSON.stringify(char)} is pinned to key ${model.board.keys[key]?.id} but the layout puts it elsewhere`,
      );
    }
  }
  const slotLoad = new Float64Array(FINGER_SLOTS);
  for (let item = 0; item < model.charCount; item++) {
    const slot = slotOf[item] as number;
    slotLoad[slot] = (slotLoad[slot] as number) + (model.monogram[item] as number);
  }
  return { itemAt, keyOf, slotOf, slotLoad };
}

/** The full score of a placement, from scratch. */
function scoreOfPlacement(m: ScoringModel, placement: Placement): number {
  const n = m.size;
  const pos = placement.keyOf;
  let total = 0;
  for (let a = 0; a < m.charCount; a++) {
    const pa = pos[a] as number;
    total += (m.monogram[a] as number) * (m.monogramCost[pa] as number);
    for (let b = 0; b < m.charCount; b++) {
      const pair = pa * n + (pos[b] as number);
      total +=
        (m.bigram[a * n + b] as number) * (m.bigramCost[pair] as number) +
        (m.skipgram[a * n + b] as number) * (m.skipgramCost[pair] as number);
    }
  }
  const items = m.trigramItems;
  const slot = placement.slotOf;
  for (let t = 0; t < m.trigramShare.length; t++) {
    const cell =
      (m.trigramPattern[t] as number) +
      ((slot[items[3 * t] as number] as number) * 10 +
        (slot[items[3 * t + 1] as number] as number)) *
        10 +
      (slot[items[3 * t + 2] as number] as number);
    total += (m.trigramShare[t] as number) * (m.trigramCost[cell] as number);
  }
  return (
    total + balancePenalty(m.weights.weights, placement.slotLoad, m.slotCap) + anchorCostOf(m, pos)
  );
}

/** The anchor term: the penalty for each character away from its anchor key. */
function anchorCostOf(m: ScoringModel, keyOf: Int32Array): number {
  if (m.anchorPenalty === 0) return 0;
  let moved = 0;
  for (let item = 0; item < m.charCount; item++) {
    const anchor = m.anchorKey[item] as number;
    if (anchor >= 0 && anchor !== keyOf[item]) moved++;
  }
  return m.anchorPenalty * moved;
}

/**
 * The full score of the layout given as the item on each key, without building the state
 * deltas need: for checking a finished layout (a result, a search's end).
 */
export function scoreItems(model: ScoringModel, itemAtKey: ArrayLike<number>): number {
  return scoreOfPlacement(model, placementOf(model, itemAtKey));
}

/** Item on each key for a layout: its characters, and blanks on the keys it leaves unused. */
export function itemsOfLayout(model: ScoringModel, layout: Layout): Int32Array {
  const itemAt = new Int32Array(model.size);
  let blank = model.charCount;
  layout.chars.forEach((char, key) => {
    const item = char === null ? undefined : model.itemOfChar.get(char);
    if (char !== null && item === undefined) {
      throw new KeyForgeError(
        "LAYOUT_CHAR_NOT_IN_MODEL",
        `character ${JSON.stringify(char)} is not part of the scoring model`,
      );
    }
    itemAt[key] = item ?? blank++;
  });
  return itemAt;
}

/** The layout an arrangement of the model's items stands for (the inverse of itemsOfLayout). */
export function layoutOfItems(
  model: ScoringModel,
  itemAtKey: ArrayLike<number>,
  name: string,
): Layout {
  const onKey = <T>(of: readonly T[]) =>
    Array.from(itemAtKey, (item) => (item < model.charCount ? (of[item] as T) : null));
  const layout = { name, boardId: model.board.id, chars: onKey(model.chars) };
  return withShifted(layout, onKey(model.shifted), model.board);
}

/**
 * The characters of a layout in key order, and the Shift character of each one's key: the
 * character set a model is compiled for.
 */
export function charsOfLayout(
  layout: Layout,
  board: Board,
): { chars: string[]; shifted: (string | null)[] } {
  const shifted = shiftedLayer(layout, board);
  const keys = layout.chars.flatMap((char, key) => (char === null ? [] : [key]));
  return {
    chars: keys.map((key) => layout.chars[key] as string),
    shifted: keys.map((key) => shifted[key] ?? null),
  };
}
