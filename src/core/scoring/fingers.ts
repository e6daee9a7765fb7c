import type { Finger, Hand } from "../board.ts";

/** Order of the fingers from the outside in; "inward" means towards the index (and thumb). */
export const FINGER_ORDER: Readonly<Record<Finger, number>> = {
  pinky: 0,
  ring: 1,
  middle: 2,
  index: 3,
  thumb: 4,
};

/** Finger length rank for scissors: middle > ring > index > pinky. */
export const FINGER_LENGTH: Readonly<Record<Finger, number>> = {
  pinky: 0,
  index: 1,
  ring: 2,
  middle: 3,
  thumb: -1,
};

export const FINGER_SLOTS = 10;

/** The ten fingers as slots 0–9: left pinky … left thumb, right thumb … right pinky. */
export function fingerSlot(hand: Hand, finger: Finger): number {
  return hand === "left" ? FINGER_ORDER[finger] : 9 - FINGER_ORDER[finger];
}

/** Slot names in the order of the slots, as they appear in reports and JSON. */
export const FINGER_SLOT_NAMES = [
  "leftPinky",
  "leftRing",
  "leftMiddle",
  "leftIndex",
  "leftThumb",
  "rightThumb",
  "rightIndex",
  "rightMiddle",
  "rightRing",
  "rightPinky",
] as const;
