import type { KeyTable } from "../key-pairs.ts";
import type { MetricFamily } from "../metric.ts";
import type { MetricParameters } from "../weights.ts";

/** Same hand, neighbouring fingers, neither a thumb. */
function adjacentFingers(keys: KeyTable, a: number, b: number): boolean {
  return (
    keys.hand[a] === keys.hand[b] &&
    keys.isThumb[a] === 0 &&
    keys.isThumb[b] === 0 &&
    Math.abs((keys.order[a] as number) - (keys.order[b] as number)) === 1
  );
}

/** How far the longer finger of two neighbours sits below the shorter one, in key units. */
function drop(keys: KeyTable, a: number, b: number): number {
  const [longer, shorter] =
    (keys.length[a] as number) > (keys.length[b] as number) ? [a, b] : [b, a];
  return (keys.y[longer] as number) - (keys.y[shorter] as number);
}

function isLateralStretch(keys: KeyTable, a: number, b: number, params: MetricParameters): number {
  if (!adjacentFingers(keys, a, b)) return 0;
  const spread = Math.abs((keys.x[a] as number) - (keys.x[b] as number));
  const homeSpread = Math.abs((keys.homeX[a] as number) - (keys.homeX[b] as number));
  return spread - homeSpread >= params.lsbThreshold ? 1 : 0;
}

function isHalfScissor(keys: KeyTable, a: number, b: number, params: MetricParameters): number {
  if (!adjacentFingers(keys, a, b)) return 0;
  const rows = drop(keys, a, b);
  return rows >= params.halfScissor && rows < params.fullScissor ? 1 : 0;
}

function isFullScissor(keys: KeyTable, a: number, b: number, params: MetricParameters): number {
  return adjacentFingers(keys, a, b) && drop(keys, a, b) >= params.fullScissor ? 1 : 0;
}

const SCISSORS = { id: "scissors", title: "scissors" } as const;

/** Neighbouring fingers forced apart: sideways (lateral stretches) or up and down (scissors). */
export const STRETCHES_AND_SCISSORS = {
  name: "stretches and scissors",
  doc: "Bigrams on neighbouring fingers of one hand that spread the fingers sideways or vertically.",
  metrics: [
    {
      key: "lsb",
      label: "lateral stretch bigrams (LSB)",
      headline: "LSB",
      unit: "%",
      max: 100,
      weighted: true,
      counts: "bigrams",
      doc: "Bigrams on neighbouring fingers whose keys are at least `lsbThreshold` u further apart sideways than the two fingers' home keys.",
      worst: { id: "lsb", title: "LSBs" },
      perPair: isLateralStretch,
    },
    {
      key: "halfScissors",
      label: "half scissors",
      unit: "%",
      max: 100,
      weighted: true,
      counts: "bigrams",
      doc: "Bigrams on neighbouring fingers with the longer finger at least `halfScissor` u (and less than `fullScissor` u) lower than the shorter one.",
      worst: SCISSORS,
      perPair: isHalfScissor,
    },
    {
      key: "fullScissors",
      label: "full scissors",
      headline: "full scissors",
      unit: "%",
      max: 100,
      weighted: true,
      counts: "bigrams",
      doc: "Bigrams on neighbouring fingers with the longer finger at least `fullScissor` u lower than the shorter one.",
      worst: SCISSORS,
      perPair: isFullScissor,
    },
  ],
} as const satisfies MetricFamily;
