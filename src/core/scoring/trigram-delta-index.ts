import { FINGER_SLOTS } from "./fingers.ts";
import { SLOT_TRIPLES } from "./trigram-classes.ts";

/** Multiplier of each trigram position's finger slot in a slot-table index (slotTrigramIndex). */
const POSITION_MULTIPLIER = [100, 10, 1] as const;

/**
 * The positions an item can hold in a trigram, as bit sets (1 = first, 2 = second, 4 = third),
 * and for each the number of cost rows per same-key pattern: one row per combination of the
 * slots of the positions the item does not hold.
 */
const ROLE_POSITIONS = [1, 2, 4, 3, 5, 6, 7] as const;
const ROLE_ROWS = ROLE_POSITIONS.map((positions) => FINGER_SLOTS ** (3 - bitCount(positions)));
const PATTERNS = 8;

function bitCount(bits: number): number {
  return (bits & 1) + ((bits >> 1) & 1) + ((bits >> 2) & 1);
}

/**
 * What the swap delta needs to score trigrams with a few reads per trigram.
 *
 * For an item moving alone, a trigram's cost is a function of the item's finger slot once the
 * other items' slots are fixed: one row of FINGER_SLOTS costs. `rowCost` holds every such row,
 * for every role (positions the item holds), same-key pattern and slots of the other positions.
 * The scorer keeps, per record, the offset of the current row (`base` plus each other item's
 * multiplier times its slot), updated when another item of the trigram moves; the delta reads
 * rowCost[row + newSlot] − rowCost[row + oldSlot]: two neighbouring numbers.
 *
 * - Records: for each item, the trigrams that contain it and can change cost, contiguous in
 *   [start[i], start[i+1]), with share, the constant part of the row offset, and the other
 *   items with their multipliers.
 * - Dependents: for each item, the records of other items whose row offset it is part of, with
 *   its multiplier there, so moving it updates them.
 * - Pairs: for each pair of items, the trigrams containing both, whose cost the two single-item
 *   sums get wrong when both move; the delta corrects them from the slot table directly.
 */
export interface TrigramDeltaIndex {
  /** Costs by row offset plus the moving item's slot (see above). */
  readonly rowCost: Float64Array;
  readonly start: Int32Array;
  /** The item each record belongs to. */
  readonly owner: Int32Array;
  readonly share: Float64Array;
  readonly base: Int32Array;
  /** Per record: up to two other items and their row multipliers: [item, mult, item, mult], -1 when absent. */
  readonly others: Int32Array;
  readonly dependentStart: Int32Array;
  readonly dependentRecord: Int32Array;
  readonly dependentMult: Int32Array;
  /**
   * Trigrams holding both items of pair p = min(a,b)·size + max(a,b), as entries
   * [pairStart[p], pairStart[p+1]): share, the multipliers of the lower and the higher item, the
   * pattern offset, and the third item with its multiplier (-1 when the trigram has only the two).
   */
  readonly pairStart: Int32Array;
  readonly pairShare: Float64Array;
  readonly pairLowMult: Int32Array;
  readonly pairHighMult: Int32Array;
  readonly pairBase: Int32Array;
  readonly pairOther: Int32Array;
  readonly pairOtherMult: Int32Array;
}

function csr<T>(lists: readonly T[][]): { start: Int32Array; flat: T[] } {
  const start = new Int32Array(lists.length + 1);
  lists.forEach((list, i) => {
    start[i + 1] = (start[i] as number) + list.length;
  });
  return { start, flat: lists.flat() };
}

/** Position multipliers of each distinct item of trigram t. */
function itemMultipliers(items: Int32Array, t: number): Map<number, number> {
  const mults = new Map<number, number>();
  for (let i = 0; i < 3; i++) {
    const item = items[3 * t + i] as number;
    mults.set(item, (mults.get(item) ?? 0) + (POSITION_MULTIPLIER[i] as number));
  }
  return mults;
}

/** First row of each role, per same-key pattern: roles are laid out one after another. */
function roleRowBases(): number[] {
  const bases: number[] = [];
  let next = 0;
  for (const rows of ROLE_ROWS) {
    bases.push(next);
    next += PATTERNS * rows;
  }
  bases.push(next);
  return bases;
}

/**
 * The row multiplier of each slot position the item does not hold: the lowest such position
 * weighs FINGER_SLOTS^(n-1), the next FINGER_SLOTS^(n-2), …
 */
function rowMultipliers(positions: number): Map<number, number> {
  const free = [0, 1, 2].filter((p) => !(positions & (1 << p)));
  return new Map(free.map((p, i) => [p, FINGER_SLOTS ** (free.length - 1 - i)]));
}

/** rowCost from the slot-table costs: every role, pattern, other slots and item slot. */
function rowCosts(slotCost: Float64Array, bases: readonly number[]): Float64Array {
  const rowCost = new Float64Array((bases[bases.length - 1] as number) * FINGER_SLOTS);
  ROLE_POSITIONS.forEach((positions, role) => {
    const rows = ROLE_ROWS[role] as number;
    const multipliers = rowMultipliers(positions);
    for (let pattern = 0; pattern < PATTERNS; pattern++) {
      for (let row = 0; row < rows; row++) {
        for (let slot = 0; slot < FINGER_SLOTS; slot++) {
          let cell = pattern * SLOT_TRIPLES;
          for (let p = 0; p < 3; p++) {
            const held = positions & (1 << p);
            const s = held ? slot : Math.floor(row / (multipliers.get(p) as number)) % FINGER_SLOTS;
            cell += s * (POSITION_MULTIPLIER[p] as number);
          }
          const at = ((bases[role] as number) + pattern * rows + row) * FINGER_SLOTS + slot;
          rowCost[at] = slotCost[cell] as number;
        }
      }
    }
  });
  return rowCost;
}

export function trigramDeltaIndex(
  items: Int32Array,
  pattern: Int32Array,
  share: Float64Array,
  size: number,
  slotCost: Float64Array,
  isConstant: (t: number) => boolean,
): TrigramDeltaIndex {
  const bases = roleRowBases();
  const byItem: number[][] = Array.from({ length: size }, () => []);
  const byPair = new Map<number, number[]>();
  for (let t = 0; t < share.length; t++) {
    if (isConstant(t)) continue;
    const members = [...itemMultipliers(items, t).keys()].sort((a, b) => a - b);
    for (const item of members) (byItem[item] as number[]).push(t);
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const key = (members[i] as number) * size + (members[j] as number);
        const list = byPair.get(key) ?? [];
        list.push(t);
        byPair.set(key, list);
      }
    }
  }
  const records = csr(byItem);
  const count = records.flat.length;
  const recordShare = new Float64Array(count);
  const owner = new Int32Array(count);
  const base = new Int32Array(count);
  const others = new Int32Array(4 * count).fill(-1);
  const dependents: [number, number][][] = Array.from({ length: size }, () => []);
  let r = 0;
  for (let item = 0; item < size; item++) {
    for (const t of byItem[item] as number[]) {
      let positions = 0;
      for (let p = 0; p < 3; p++) if (items[3 * t + p] === item) positions |= 1 << p;
      const role = ROLE_POSITIONS.indexOf(positions as (typeof ROLE_POSITIONS)[number]);
      const rows = ROLE_ROWS[role] as number;
      const patternIndex = (pattern[t] as number) / SLOT_TRIPLES;
      recordShare[r] = share[t] as number;
      owner[r] = item;
      base[r] = ((bases[role] as number) + patternIndex * rows) * FINGER_SLOTS;
      const otherMultipliers = new Map<number, number>();
      for (const [p, m] of rowMultipliers(positions)) {
        const other = items[3 * t + p] as number;
        otherMultipliers.set(other, (otherMultipliers.get(other) ?? 0) + m * FINGER_SLOTS);
      }
      let slot = 0;
      for (const [other, m] of otherMultipliers) {
        others[4 * r + 2 * slot] = other;
        others[4 * r + 2 * slot + 1] = m;
        (dependents[other] as [number, number][]).push([r, m]);
        slot++;
      }
      r++;
    }
  }
  const dependentIndex = csr(dependents);
  const dependentPairs = dependentIndex.flat;
  const pairLists: number[][] = Array.from(
    { length: size * size },
    (_, key) => byPair.get(key) ?? [],
  );
  const pairs = csr(pairLists);
  const pairShare = new Float64Array(pairs.flat.length);
  const pairLowMult = new Int32Array(pairs.flat.length);
  const pairHighMult = new Int32Array(pairs.flat.length);
  const pairBase = new Int32Array(pairs.flat.length);
  const pairOther = new Int32Array(pairs.flat.length).fill(-1);
  const pairOtherMult = new Int32Array(pairs.flat.length);
  pairLists.forEach((list, key) => {
    const low = Math.floor(key / size);
    const high = key % size;
    list.forEach((t, i) => {
      const e = (pairs.start[key] as number) + i;
      const mults = itemMultipliers(items, t);
      pairShare[e] = share[t] as number;
      pairLowMult[e] = mults.get(low) as number;
      pairHighMult[e] = mults.get(high) as number;
      pairBase[e] = pattern[t] as number;
      for (const [other, m] of mults) {
        if (other === low || other === high) continue;
        pairOther[e] = other;
        pairOtherMult[e] = m;
      }
    });
  });
  return {
    rowCost: rowCosts(slotCost, bases),
    start: records.start,
    owner,
    share: recordShare,
    base,
    others,
    dependentStart: dependentIndex.start,
    dependentRecord: Int32Array.from(dependentPairs, ([record]) => record),
    dependentMult: Int32Array.from(dependentPairs, ([, m]) => m),
    pairStart: pairs.start,
    pairShare,
    pairLowMult,
    pairHighMult,
    pairBase,
    pairOther,
    pairOtherMult,
  };
}
