import { FINGER_SLOTS } from "./fingers.ts";

/**
 * Trigram classes. A trigram's class depends only on the finger slots of its three keys and on
 * which of them are the same key, so it is tabulated per (slots, same-key pattern): a few
 * thousand entries, whatever the board.
 */
export const TRIGRAM_OTHER = 0;
export const TRIGRAM_THUMB = 1;
export const TRIGRAM_ALTERNATE = 2;
export const TRIGRAM_ROLL_IN = 3;
export const TRIGRAM_ROLL_OUT = 4;
export const TRIGRAM_ONEHAND_IN = 5;
export const TRIGRAM_ONEHAND_OUT = 6;
export const TRIGRAM_REDIRECT = 7;
export const TRIGRAM_CLASS_MASK = 7;
/** Flags that refine a class or stand beside it. */
export const TRIGRAM_ALT_SFS = 8;
export const TRIGRAM_BAD_REDIRECT = 16;
export const TRIGRAM_SFT = 32;

/** Same-key pattern bits: first and second, second and third, first and third key equal. */
export const SAME_12 = 1;
export const SAME_23 = 2;
export const SAME_13 = 4;
export const SLOT_TRIPLES = FINGER_SLOTS * FINGER_SLOTS * FINGER_SLOTS;
export const SLOT_TRIGRAM_TABLE_SIZE = 8 * SLOT_TRIPLES;

/** Index of a trigram in the slot table: same-key pattern, then the three slots. */
export function slotTrigramIndex(pattern: number, s1: number, s2: number, s3: number): number {
  return pattern * SLOT_TRIPLES + (s1 * FINGER_SLOTS + s2) * FINGER_SLOTS + s3;
}

const handOf = (slot: number) => (slot < 5 ? 0 : 1);
/** 0 pinky … 3 index, 4 thumb (fingers.ts FINGER_ORDER). */
const orderOf = (slot: number) => (slot < 5 ? slot : 9 - slot);
const INDEX = 3;
const THUMB = 4;

/** Two consecutive keys of one hand, pressed by different fingers: a roll in or out. */
function roll(from: number, to: number): number {
  const a = orderOf(from);
  const b = orderOf(to);
  if (a === b) return TRIGRAM_OTHER;
  return b > a ? TRIGRAM_ROLL_IN : TRIGRAM_ROLL_OUT;
}

function oneHand(s1: number, s2: number, s3: number): number {
  const a = orderOf(s1);
  const b = orderOf(s2);
  const c = orderOf(s3);
  if (a < b && b < c) return TRIGRAM_ONEHAND_IN;
  if (a > b && b > c) return TRIGRAM_ONEHAND_OUT;
  if (a === b || b === c) return TRIGRAM_OTHER;
  const usesIndex = a === INDEX || b === INDEX || c === INDEX;
  return TRIGRAM_REDIRECT | (usesIndex ? 0 : TRIGRAM_BAD_REDIRECT);
}

/** Class and flags of a trigram pressed with finger slots s1, s2, s3 and this same-key pattern. */
export function trigramClass(s1: number, s2: number, s3: number, pattern: number): number {
  const sft =
    s1 === s2 && s2 === s3 && !(pattern & SAME_12) && !(pattern & SAME_23) ? TRIGRAM_SFT : 0;
  if (orderOf(s1) === THUMB || orderOf(s2) === THUMB || orderOf(s3) === THUMB)
    return TRIGRAM_THUMB | sft;
  const h1 = handOf(s1);
  const h2 = handOf(s2);
  const h3 = handOf(s3);
  if (h1 !== h2 && h2 !== h3) {
    return TRIGRAM_ALTERNATE | (s1 === s3 && !(pattern & SAME_13) ? TRIGRAM_ALT_SFS : 0);
  }
  if (h1 === h2 && h2 !== h3) return roll(s1, s2);
  if (h1 !== h2 && h2 === h3) return roll(s2, s3);
  return oneHand(s1, s2, s3) | sft;
}

/** The class of every (same-key pattern, slot, slot, slot), indexed by slotTrigramIndex. */
export function slotTrigramClasses(): Uint8Array {
  const table = new Uint8Array(SLOT_TRIGRAM_TABLE_SIZE);
  for (let pattern = 0; pattern < 8; pattern++) {
    for (let s1 = 0; s1 < FINGER_SLOTS; s1++) {
      for (let s2 = 0; s2 < FINGER_SLOTS; s2++) {
        for (let s3 = 0; s3 < FINGER_SLOTS; s3++) {
          table[slotTrigramIndex(pattern, s1, s2, s3)] = trigramClass(s1, s2, s3, pattern);
        }
      }
    }
  }
  return table;
}

/** Same-key pattern of a trigram of items (equal items always sit on the same key). */
export function sameKeyPattern(x: number, y: number, z: number): number {
  return (x === y ? SAME_12 : 0) | (y === z ? SAME_23 : 0) | (x === z ? SAME_13 : 0);
}
