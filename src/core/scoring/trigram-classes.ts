import { FINGER_SLOTS } from "./fingers.ts";

/**
 * Trigram classes. A trigram's class depends only on the finger slots of its three keys; the
 * trigram metrics (metrics/*.ts) also look at which of them are the same key, so their costs are
 * tabulated per (same-key pattern, slots): a few thousand entries, whatever the board.
 */
export const TRIGRAM_OTHER = 0;
export const TRIGRAM_THUMB = 1;
export const TRIGRAM_ALTERNATE = 2;
export const TRIGRAM_ROLL_IN = 3;
export const TRIGRAM_ROLL_OUT = 4;
export const TRIGRAM_ONEHAND_IN = 5;
export const TRIGRAM_ONEHAND_OUT = 6;
export const TRIGRAM_REDIRECT = 7;

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
  return TRIGRAM_REDIRECT;
}

/** Whether one of the three slots is an index finger's. */
export function involvesIndex(s1: number, s2: number, s3: number): boolean {
  return orderOf(s1) === INDEX || orderOf(s2) === INDEX || orderOf(s3) === INDEX;
}

/** Class of a trigram pressed with finger slots s1, s2, s3 (the same-key pattern does not matter). */
export function trigramClass(s1: number, s2: number, s3: number): number {
  if (orderOf(s1) === THUMB || orderOf(s2) === THUMB || orderOf(s3) === THUMB) return TRIGRAM_THUMB;
  const h1 = handOf(s1);
  const h2 = handOf(s2);
  const h3 = handOf(s3);
  if (h1 !== h2 && h2 !== h3) return TRIGRAM_ALTERNATE;
  if (h1 === h2 && h2 !== h3) return roll(s1, s2);
  if (h1 !== h2 && h2 === h3) return roll(s2, s3);
  return oneHand(s1, s2, s3);
}

/** Same-key pattern of a trigram of items (equal items always sit on the same key). */
export function sameKeyPattern(x: number, y: number, z: number): number {
  return (x === y ? SAME_12 : 0) | (y === z ? SAME_23 : 0) | (x === z ? SAME_13 : 0);
}
