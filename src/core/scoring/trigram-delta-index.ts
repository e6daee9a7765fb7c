/** Multiplier of each trigram position's finger slot in a slot-table index (slotTrigramIndex). */
const POSITION_MULTIPLIER = [100, 10, 1] as const;

/** Every sum of position multipliers an item can have in a trigram (the positions it holds). */
export const ROLE_MULTIPLIERS = [100, 10, 1, 110, 101, 11, 111] as const;
const ROLES = ROLE_MULTIPLIERS.length;

/**
 * What the swap delta needs to score trigrams in O(1) per trigram. A trigram's cost is
 * trigramCost[pattern + 100·s1 + 10·s2 + s3] (s = finger slots), which is linear in the slots,
 * so for an item moving alone it is cost[fixed + mult·slotOfItem], where `mult` sums the
 * multipliers of the positions the item holds and `fixed` is the rest (kept by the scorer and
 * updated when another item of the trigram moves).
 *
 * - Records: for each item, the trigrams that contain it and can change cost, grouped by the
 *   item's role (which positions it holds, ROLE_MULTIPLIERS): item i's records in role g are
 *   [start[7i+g], start[7i+g+1]), with share and the constant part of `fixed` (the pattern
 *   offset). Within a group the multiplier is the same, so the delta loop reads only `fixed`
 *   and share.
 * - Dependents: for each item, the records of other items in whose `fixed` it appears, with its
 *   multiplier there, so moving it updates them.
 * - Pairs: for each pair of items, the trigrams containing both, whose cost the two single-item
 *   sums get wrong when both move; the delta corrects them.
 */
export interface TrigramDeltaIndex {
  readonly start: Int32Array;
  readonly share: Float64Array;
  readonly base: Int32Array;
  /** Per record: up to two other items and their multipliers: [item, mult, item, mult], -1 when absent. */
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

export function trigramDeltaIndex(
  items: Int32Array,
  pattern: Int32Array,
  share: Float64Array,
  size: number,
  isConstant: (t: number) => boolean,
): TrigramDeltaIndex {
  const byRole: number[][] = Array.from({ length: size * ROLES }, () => []);
  const byPair = new Map<number, number[]>();
  const variable: number[] = [];
  for (let t = 0; t < share.length; t++) {
    if (isConstant(t)) continue;
    variable.push(t);
    const members = [...itemMultipliers(items, t).keys()].sort((a, b) => a - b);
    const mults = itemMultipliers(items, t);
    for (const item of members) {
      const role = ROLE_MULTIPLIERS.indexOf(mults.get(item) as (typeof ROLE_MULTIPLIERS)[number]);
      (byRole[item * ROLES + role] as number[]).push(t);
    }
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const key = (members[i] as number) * size + (members[j] as number);
        const list = byPair.get(key) ?? [];
        list.push(t);
        byPair.set(key, list);
      }
    }
  }
  const records = csr(byRole);
  const count = records.flat.length;
  const recordShare = new Float64Array(count);
  const base = new Int32Array(count);
  const others = new Int32Array(4 * count).fill(-1);
  const dependents: [number, number][][] = Array.from({ length: size }, () => []);
  let r = 0;
  for (let group = 0; group < size * ROLES; group++) {
    const item = Math.floor(group / ROLES);
    for (const t of byRole[group] as number[]) {
      const mults = itemMultipliers(items, t);
      recordShare[r] = share[t] as number;
      base[r] = pattern[t] as number;
      let slot = 0;
      for (const [other, m] of mults) {
        if (other === item) continue;
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
    start: records.start,
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
