import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { Board, Finger, Hand } from "../../../src/core/board.ts";
import { type Corpus, corpusFromTables } from "../../../src/core/corpus.ts";
import { countDocuments } from "../../../src/core/count-documents.ts";
import { parseLayout } from "../../../src/core/layout.ts";
import type { NgramTables } from "../../../src/core/ngram-counter.ts";
import type { LayoutAnalysis } from "../../../src/core/scoring/analysis.ts";
import { evaluateLayout } from "../../../src/core/scoring/layout-evaluation.ts";
import { WEIGHTED_TERMS } from "../../../src/core/scoring/metric-catalogue.ts";
import { overrideWeights, parseWeights, type Weights } from "../../../src/core/scoring/weights.ts";
import { DEFAULT_NORMALIZATION } from "../../../src/core/text-normalization.ts";
import {
  FINGER_PAIR_LAYOUT,
  fingerPairBoard,
  GRID_LAYOUT,
  gridBoard,
  ROTATED_LAYOUT,
  rotatedBoard,
  STAGGERED_LAYOUT,
  staggeredBoard,
} from "../../helpers/tiny-boards.ts";

/*
 * Every metric of analyzeLayout on tiny boards (test/helpers/tiny-boards.ts) with hand-computed
 * values. Board G (gridBoard) with GRID_LAYOUT puts each letter on the key of the same name:
 *
 *   q w e r   u i o p      row 0 (top)   left pinky ring middle index | right index middle ring pinky
 *   a s d f   j k l n      row 1 (home)
 *       v b   m            row 2 thumbs  v, b left thumb (b is its home), m right thumb
 *
 * Centres: column c → x = c + 0.5 (right hand in columns 5–8), row r → y = r + 0.5.
 * Default weights are data/system/weights/balanced.json; effort per finger: thumb 1.2, index 1,
 * middle 1.1, ring 1.3, pinky 1.6; caps: thumb 100, index 19, middle 18, ring 14, pinky 8.5.
 *
 * Effort off home: f + hypot(f · forward, 1.95 · sideways), f the finger's effort; each reach is
 * log2(1 + 1.14 · max(0, |offset| − 0.2)) for a 1 u key, the forward offset taken from the finger's
 * rest point (index 0.32 u below its home key's centre, middle 0.16 above, ring 0.08 above).
 */

const TOLERANCE = 1e-9;

/** Reach along one axis to a 1 u key `offset` u away from the finger's rest point. */
const reach = (offset: number) => Math.log2(1 + 1.14 * Math.max(0, Math.abs(offset) - 0.2));
/** Index top key: 1 u above the home key, 1.32 u above the index's rest point. */
const INDEX_TOP = 1 + reach(1.32);
/** Middle top key: 0.84 u above the middle finger's rest point. */
const MIDDLE_TOP = 1.1 + 1.1 * reach(0.84);
/** Ring top key: 0.92 u above the ring finger's rest point. */
const RING_TOP = 1.3 + 1.3 * reach(0.92);
/** A thumb key 1 u beside the thumb's home key. */
const THUMB_SIDE = 1.2 + 1.95 * reach(1);

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= TOLERANCE,
    `${what}: expected ${expected}, got ${actual} (difference ${actual - expected})`,
  );
}

const DEFAULT_WEIGHTS = parseWeights(
  JSON.parse(
    readFileSync(new URL("../../../data/system/weights/balanced.json", import.meta.url), "utf8"),
  ),
  "balanced",
);

/** The default weights with "name=value" overrides, as on the command line. */
function weightsWith(...overrides: string[]): Weights {
  return overrideWeights(DEFAULT_WEIGHTS, overrides);
}

/** Exact trigram shares: every on-layout trigram is kept. */
const ALL_TRIGRAMS = weightsWith("trigramCoverage=1");

const ABOUT = {
  name: "tiny",
  description: "",
  sources: [{ name: "tiny", licence: "CC0", provenance: "test" }],
  normalization: DEFAULT_NORMALIZATION,
};

/** A corpus counted from short texts, each one a document (no n-gram spans two of them). */
function textCorpus(...documents: string[]): Corpus {
  return corpusFromTables(countDocuments(documents, DEFAULT_NORMALIZATION), {
    ...ABOUT,
    id: "text",
  });
}

/** A corpus from hand-written tables; the tables left out are empty. */
function tableCorpus(tables: Partial<NgramTables>): Corpus {
  return corpusFromTables(
    { monograms: {}, bigrams: {}, skipgrams: {}, trigrams: {}, ...tables },
    { ...ABOUT, id: "table" },
  );
}

function analyze(
  board: Board,
  layoutText: string,
  corpus: Corpus,
  weights: Weights = ALL_TRIGRAMS,
): LayoutAnalysis {
  const layout = parseLayout(layoutText, board, "test");
  return evaluateLayout({ board, corpus, weights, layout });
}

const onGrid = (corpus: Corpus, weights?: Weights) =>
  analyze(gridBoard(), GRID_LAYOUT, corpus, weights);
const onStaggered = (corpus: Corpus, weights?: Weights) =>
  analyze(staggeredBoard(), STAGGERED_LAYOUT, corpus, weights);

describe("SFB (same-finger bigrams)", () => {
  it("counts different keys of one finger, thumbs included, but not a repeated key", () => {
    // "deekvb": bigrams de ee ek kv vb, all on the layout: 5.
    //   de: left middle, d → e (different keys)         SFB
    //   ee: the same key twice                          not an SFB
    //   ek: left middle → right middle (other hand)     no
    //   kv: right middle → left thumb                   no
    //   vb: left thumb, v → b (different keys)          SFB
    // SFB = 2/5 = 40 %.
    const a = onGrid(textCorpus("deekvb"));
    close(a.metrics.sfb, 40, "sfb");
    assert.deepEqual(a.top.sfb, [
      ["de", 20],
      ["vb", 20],
    ]);
  });

  it("is a share of the bigrams whose characters are all on the layout", () => {
    // "deekvbz": z is not on the layout, so bz is left out: still de ee ek kv vb → 2/5 = 40 %,
    // not 2/6.
    close(onGrid(textCorpus("deekvbz")).metrics.sfb, 40, "sfb");
  });
});

describe("SFS (same-finger 1-skip bigrams)", () => {
  it("pairs characters i and i+2 on different keys of one finger", () => {
    // "dkekdq" = d0 k1 e2 k3 d4 q5. Skipgrams (i, i+2): de, kk, ed, kq: 4.
    //   de: left middle, d and e     SFS
    //   kk: the same key             not an SFS
    //   ed: left middle, e and d     SFS
    //   kq: right middle, left pinky no
    // SFS = 2/4 = 50 %. Its bigrams dk ke ek kd dq all change hand or finger: SFB = 0.
    const a = onGrid(textCorpus("dkekdq"));
    close(a.metrics.sfs, 50, "sfs");
    close(a.metrics.sfb, 0, "sfb");
    assert.deepEqual(a.top.sfs, [
      ["de", 25],
      ["ed", 25],
    ]);
  });
});

describe("SFT (same-finger trigrams)", () => {
  it("needs three presses of one finger with consecutive keys different", () => {
    // "deddzvbv": trigrams ded edd ddz dzv zvb vbv; z is not on the layout, so the on-layout
    // trigrams are ded, edd, vbv: 3.
    //   ded: left middle d, e, d: consecutive keys differ (first and last may be equal)  SFT
    //   edd: the last two are the same key                                               no
    //   vbv: left thumb v, b, v                                                          SFT
    // SFT = 2/3 = 66.67 %. vbv is also a thumb trigram: thumb = 1/3; ded and edd are in no class.
    const a = onGrid(textCorpus("deddzvbv"));
    close(a.metrics.sft, 200 / 3, "sft");
    close(a.metrics.thumb, 100 / 3, "thumb");
    for (const metric of ["alternate", "rollIn", "rollOut", "onehandIn", "onehandOut"] as const) {
      close(a.metrics[metric], 0, metric);
    }
    close(a.metrics.redirect, 0, "redirect");
  });
});

describe("LSB (lateral stretch bigrams)", () => {
  // Board S (row-staggered left half). Home keys a s d f at x centres 0.75 1.75 2.75 3.75, so
  // adjacent fingers' homes are 1 u apart. Index keys t (4.5, top), g (4.75, home row), b (5.25,
  // bottom); middle keys e (2.5), d (2.75), c (3.25). LSB when |Δx| − 1 ≥ lsbThreshold.
  //   gd: |4.75 − 2.75| = 2,   excess 1    (exactly the default threshold 1)  LSB
  //   dt: |2.75 − 4.5|  = 1.75, excess 0.75                                   no
  //   te: |4.5 − 2.5|   = 2,   excess 1                                        LSB
  //   ed: same finger (an SFB), never an LSB                                   no
  //   bw: index and ring: |5.25 − 1.5| − 2 = 1.75, but the fingers are not adjacent  no
  // Documents "gdted" and "bw": bigrams gd dt te ed bw = 5.
  const corpus = textCorpus("gdted", "bw");

  it("counts an excess exactly at the threshold, not one below it", () => {
    // LSB = gd + te = 2/5 = 40 %.
    const a = onStaggered(corpus);
    close(a.metrics.lsb, 40, "lsb");
    close(a.metrics.sfb, 20, "sfb (ed)");
    assert.deepEqual(a.top.lsb, [
      ["gd", 20],
      ["te", 20],
    ]);
  });

  it("follows the lsbThreshold parameter", () => {
    // Threshold 0.75: dt (excess 0.75) joins: 3/5 = 60 %. Threshold 1.25: none (0 %).
    close(onStaggered(corpus, weightsWith("lsbThreshold=0.75")).metrics.lsb, 60, "lsb at 0.75");
    close(onStaggered(corpus, weightsWith("lsbThreshold=1.25")).metrics.lsb, 0, "lsb at 1.25");
  });
});

describe("scissors", () => {
  // Two adjacent fingers' keys x then y, y `drop` u below x (fingerPairBoard); documents "xy" and
  // "yx", so both directions of the pair are 50 % each. Both keys are home keys 1 u apart:
  // never an LSB. Half scissor: drop of the longer finger's key 0.5 ≤ d < 1.5; full: ≥ 1.5.
  // Finger length: middle > ring > index > pinky.
  const cases: [Hand, Finger, Finger, number, "none" | "half" | "full"][] = [
    ["left", "ring", "middle", 0.4, "none"],
    ["left", "ring", "middle", 0.5, "half"], // edge: exactly halfScissor
    ["left", "ring", "middle", 1.0, "half"],
    ["left", "ring", "middle", 1.5, "full"], // edge: exactly fullScissor
    ["left", "ring", "middle", 2.0, "full"],
    ["left", "ring", "middle", -1.0, "none"], // the shorter ring is the lower one
    ["left", "pinky", "ring", 1.0, "half"], // ring is longer than pinky
    ["left", "pinky", "ring", -2.0, "none"], // pinky lower: natural
    ["left", "index", "middle", 2.0, "full"], // middle is longer than index
    ["left", "index", "middle", -2.0, "none"], // index lower: natural
    ["right", "ring", "middle", 1.0, "half"],
    ["right", "middle", "ring", 2.0, "none"], // right ring 2 u below the right middle
    ["left", "index", "thumb", 2.0, "none"], // thumbs never scissor
    ["left", "pinky", "middle", 2.0, "none"], // not adjacent
  ];
  for (const [hand, first, second, drop, expected] of cases) {
    it(`${hand} ${first} then ${second} ${drop} u lower: ${expected}`, () => {
      const board = fingerPairBoard(hand, first, second, drop);
      const a = analyze(board, FINGER_PAIR_LAYOUT, textCorpus("xy", "yx"));
      close(a.metrics.halfScissors, expected === "half" ? 100 : 0, "halfScissors");
      close(a.metrics.fullScissors, expected === "full" ? 100 : 0, "fullScissors");
      close(a.metrics.lsb, 0, "lsb");
      close(a.metrics.sfb, 0, "sfb");
    });
  }

  it("classifies a row-staggered board's pairs in both directions", () => {
    // Board S, y centres: top 0.5, home 1.5, bottom 2.5. Documents: wc xq cr wd ve zw = 6 bigrams.
    //   wc: ring top (0.5), middle bottom (2.5): the longer middle 2 u lower     full
    //   xq: ring bottom (2.5), pinky top (0.5): the longer ring 2 u lower        full
    //   cr: middle bottom (2.5), index top (0.5): the longer middle 2 u lower    full
    //   wd: ring top (0.5), middle home (1.5): middle 1 u lower                  half
    //   ve: index bottom (2.5), middle top (0.5): the longer middle is higher   none
    //   zw: pinky bottom (2.5), ring top (0.5): the longer ring is higher       none
    // None is an LSB (largest excess: wc, xq, ve 0.75). Full = 3/6 = 50 %, half = 1/6.
    const a = onStaggered(textCorpus("wc", "xq", "cr", "wd", "ve", "zw"));
    close(a.metrics.fullScissors, 50, "fullScissors");
    close(a.metrics.halfScissors, 100 / 6, "halfScissors");
    close(a.metrics.lsb, 0, "lsb");
    assert.deepEqual(
      a.top.scissors.map(([gram]) => gram),
      ["cr", "wc", "wd", "xq"],
    );
  });
});

describe("trigram classes", () => {
  // On board G, hand-written trigram counts (total 20, so each count is 5 %):
  const trigrams = {
    akf: 1, // L pinky, R, L index: alternate
    dke: 2, // L middle d, R, L middle e (another key): alternate and alt-SFS
    dkd: 1, // L middle d, R, the same key d: alternate, not alt-SFS
    sdk: 1, // L ring → L middle (inward), then R: roll in
    alk: 1, // L, then R ring → R middle (inward): roll in
    dsk: 1, // L middle → L ring (outward), then R: roll out
    fkl: 1, // L, then R middle → R ring (outward): roll out
    asd: 1, // L pinky, ring, middle: one-hand in
    lkj: 1, // R ring, middle, index: one-hand in
    fds: 1, // L index, middle, ring: one-hand out
    fsd: 1, // L index, ring, middle: direction changes, index involved: redirect
    sfd: 1, // L ring, index, middle: redirect
    dsf: 1, // L middle, ring, index: redirect
    sda: 1, // L ring, middle, pinky: direction changes, no index: redirect and bad redirect
    sad: 1, // L ring, pinky, middle: redirect and bad redirect
    dvk: 1, // uses a thumb key: thumb
    dek: 1, // L middle twice (an SFB) then R: no class
    add: 1, // L pinky then the same key d twice: no class
    swd: 1, // L ring twice (an SFB) then L middle: no class
  };

  it("puts every trigram in its class, percent of the on-layout trigram mass", () => {
    // alternate 1+2+1 = 4 → 20 %, altSfs 2 → 10 %; rollIn 1+1 = 2 → 10 %; rollOut 1+1 → 10 %;
    // onehandIn 1+1 = 2 → 10 %; onehandOut 1 → 5 %; redirect 5 → 25 %, badRedirect 2 → 10 %;
    // thumb 1 → 5 %; no class 3 → 15 % (20+10+10+10+5+25+5+15 = 100).
    const m = onGrid(tableCorpus({ trigrams })).metrics;
    close(m.alternate, 20, "alternate");
    close(m.altSfs, 10, "altSfs");
    close(m.rollIn, 10, "rollIn");
    close(m.rollOut, 10, "rollOut");
    close(m.onehandIn, 10, "onehandIn");
    close(m.onehandOut, 5, "onehandOut");
    close(m.redirect, 25, "redirect");
    close(m.badRedirect, 10, "badRedirect");
    close(m.thumb, 5, "thumb");
    close(m.sft, 0, "sft");
  });

  it("lists redirects and bad redirects", () => {
    // Equal shares are listed in string order.
    const a = onGrid(tableCorpus({ trigrams }));
    assert.deepEqual(a.top.redirect, [
      ["dsf", 5],
      ["fsd", 5],
      ["sad", 5],
      ["sda", 5],
      ["sfd", 5],
    ]);
    assert.deepEqual(a.top.badRedirect, [
      ["sad", 5],
      ["sda", 5],
    ]);
  });

  it("leaves trigrams with a character off the layout out of the denominator", () => {
    // asd 3 on the layout, asz 5 not (z): one-hand in = 3/3 = 100 %.
    close(
      onGrid(tableCorpus({ trigrams: { asd: 3, asz: 5 } })).metrics.onehandIn,
      100,
      "onehandIn",
    );
  });
});

describe("trigram coverage", () => {
  // asd 6 (one-hand in), fds 3 (one-hand out), sda 1 (bad redirect): on-layout mass 10.
  const corpus = tableCorpus({ trigrams: { asd: 6, fds: 3, sda: 1 } });

  it("keeps the most frequent trigrams up to the coverage, still in percent of all of them", () => {
    // Coverage 1: all kept: 60 / 30 / 10.
    let m = onGrid(corpus, weightsWith("trigramCoverage=1")).metrics;
    close(m.onehandIn, 60, "onehandIn at 1");
    close(m.onehandOut, 30, "onehandOut at 1");
    close(m.redirect, 10, "redirect at 1");
    // Coverage 0.9: keep until the kept mass reaches 0.9 × 10 = 9: asd (6) then fds (9), stop;
    // sda is not scored. Shares stay relative to 10: 60 / 30 / 0.
    m = onGrid(corpus, weightsWith("trigramCoverage=0.9")).metrics;
    close(m.onehandIn, 60, "onehandIn at 0.9");
    close(m.onehandOut, 30, "onehandOut at 0.9");
    close(m.redirect, 0, "redirect at 0.9");
    close(m.badRedirect, 0, "badRedirect at 0.9");
    // Coverage 0.5: asd (6 ≥ 5) alone: 60 / 0 / 0.
    m = onGrid(corpus, weightsWith("trigramCoverage=0.5")).metrics;
    close(m.onehandIn, 60, "onehandIn at 0.5");
    close(m.onehandOut, 0, "onehandOut at 0.5");
  });
});

describe("usage, effort, hand imbalance and finger overload", () => {
  // "fjdkasjdfv": f2 j2 d2 k1 a1 s1 v1 = 10 keystrokes, each 10 %.
  const a = onGrid(textCorpus("fjdkasjdfv"));

  it("shares keystrokes per finger, hand and row", () => {
    assert.deepEqual(Object.keys(a.usage.fingers), [
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
    ]);
    const expected = {
      leftPinky: 10, // a
      leftRing: 10, // s
      leftMiddle: 20, // d d
      leftIndex: 20, // f f
      leftThumb: 10, // v
      rightThumb: 0,
      rightIndex: 20, // j j
      rightMiddle: 10, // k
      rightRing: 0,
      rightPinky: 0,
    };
    for (const [finger, share] of Object.entries(expected)) {
      close(a.usage.fingers[finger as keyof typeof expected], share, finger);
    }
    // Hands include the thumbs: left 10+10+20+20+10 = 70, right 20+10 = 30.
    close(a.usage.hands.left, 70, "left hand");
    close(a.usage.hands.right, 30, "right hand");
    // Rows: top 0, home 90, thumb row 10 (v).
    close(a.usage.rows["0"] ?? Number.NaN, 0, "row 0");
    close(a.usage.rows["1"] ?? Number.NaN, 90, "row 1");
    close(a.usage.rows["2"] ?? Number.NaN, 10, "row 2");
  });

  it("averages the effort of each keystroke", () => {
    // A home key costs its finger's effort. Only v is off home (1 u beside b, THUMB_SIDE ≈ 3.02).
    // a 1.6·0.1 + s 1.3·0.1 + d 1.1·0.2 + f 1·0.2 + j 1·0.2 + k 1.1·0.1 + v·0.1
    //   = 0.16 + 0.13 + 0.22 + 0.2 + 0.2 + 0.11 + 0.1·THUMB_SIDE = 1.02 + 0.1·THUMB_SIDE ≈ 1.322.
    close(a.metrics.effort, 1.02 + 0.1 * THUMB_SIDE, "effort");
  });

  it("takes a key's effort from the board when the board sets one", () => {
    // The board says a costs 5 instead of its pinky's 1.6: 0.34 more per keystroke.
    const grid = gridBoard();
    const board = {
      ...grid,
      keys: grid.keys.map((key) => (key.id === "a" ? { ...key, effort: 5 } : key)),
    };
    const layout = parseLayout(GRID_LAYOUT, board, "test");
    const b = evaluateLayout({
      board,
      corpus: textCorpus("fjdkasjdfv"),
      weights: ALL_TRIGRAMS,
      layout,
    });
    close(
      b.metrics.effort,
      1.02 + 0.1 * THUMB_SIDE + (5 - 1.6) * 0.1,
      "effort with a board override",
    );
  });

  it("measures hand imbalance on the non-thumb keystrokes", () => {
    // Non-thumb: left 60 (a s d d f f), right 30 (j j k). |50 − 100·60/90| = 16.67.
    close(a.metrics.handImbalance, 50 / 3, "handImbalance");
  });

  it("sums each finger's load beyond its cap", () => {
    // leftPinky 10 − 8.5 = 1.5; leftMiddle 20 − 18 = 2; both index fingers 20 − 19 = 1;
    // leftRing 10 < 14, rightMiddle 10 < 18, leftThumb 10 < 100. Total 5.5.
    close(a.metrics.fingerOverload, 5.5, "fingerOverload");
    // Caps are parameters: pinky 5 → pinky 10 − 5 = 5, total 5 + 2 + 2 = 9.
    const capped = onGrid(textCorpus("fjdkasjdfv"), weightsWith("fingerCaps.pinky=5"));
    close(capped.metrics.fingerOverload, 9, "fingerOverload with pinky cap 5");
  });
});

describe("home keys", () => {
  it("counts the keystrokes on the fingers' home keys, the thumbs' left out", () => {
    // "fjbre": f and j on home keys, b on the left thumb's home key, r and e above home.
    close(onGrid(textCorpus("fjbre")).metrics.homeKeys, 40, "homeKeys");
  });
});

describe("distance", () => {
  it("moves a finger from its last key when it presses twice in a row, else from home", () => {
    // Board S: index home f (3.75, 1.5), r (3.5, 0.5), t (4.5, 0.5); middle home d.
    // Documents "rt", "dt", "tt": bigrams rt, dt, tt.
    //   rt: index twice: r → t = 1
    //   dt: index after the middle: from home f to t = √(0.75² + 1²) = 1.25
    //   tt: the same key twice: 0
    // Distance = (1 + 1.25 + 0) / 3 = 0.75 per keystroke.
    close(onStaggered(textCorpus("rt", "dt", "tt")).metrics.distance, 0.75, "distance");
  });
});

describe("coverage", () => {
  it("is the share of the corpus's characters the layout can type", () => {
    // "deddzvbv": 8 characters, z is not on the layout: 7/8 = 87.5 %.
    close(onGrid(textCorpus("deddzvbv")).metrics.coverage, 87.5, "coverage");
    close(onGrid(textCorpus("deddvbv")).metrics.coverage, 100, "coverage without z");
  });
});

describe("rotated keys", () => {
  // Board R: k written at x 3, y 2 (centre 3.5, 2.5, below the index home f at 3.5, 1.5);
  // rotated 90° about (4.75, 2.75) its centre is (5, 1.5). Documents "dk", "ke", "fk".
  const corpus = textCorpus("dk", "ke", "fk");
  const rotated = analyze(rotatedBoard(true), ROTATED_LAYOUT, corpus);
  const unrotated = analyze(rotatedBoard(false), ROTATED_LAYOUT, corpus);

  it("places the key at its rotated centre", () => {
    const k = rotated.keys.find((key) => key.char === "k");
    close(k?.x ?? Number.NaN, 5, "rotated k x");
    close(k?.y ?? Number.NaN, 1.5, "rotated k y");
  });

  it("measures lateral stretches from the rotated centre", () => {
    // Rotated: dk |5 − 2.5| − 1 = 1.5 ≥ 1 LSB; ke |5 − 2.5| − 1 = 1.5 LSB; fk same finger (SFB).
    // LSB 2/3. Unrotated: dk and ke |3.5 − 2.5| − 1 = 0: no LSB. SFB 1/3 either way.
    close(rotated.metrics.lsb, 200 / 3, "rotated lsb");
    close(unrotated.metrics.lsb, 0, "unrotated lsb");
    close(rotated.metrics.sfb, 100 / 3, "rotated sfb");
    close(unrotated.metrics.sfb, 100 / 3, "unrotated sfb");
    // Scissors: k level with d (1.5) or below the middle key: none either way.
    close(rotated.metrics.halfScissors + rotated.metrics.fullScissors, 0, "rotated scissors");
  });

  it("measures distance and effort from the rotated centre", () => {
    // Travel: dk from home f to k, ke from home d to e (1), fk from f to k.
    //   rotated:   f → k = 1.5:  (1.5 + 1 + 1.5) / 3 = 4/3
    //   unrotated: f → k = 1:    (1 + 1 + 1) / 3 = 1
    close(rotated.metrics.distance, 4 / 3, "rotated distance");
    close(unrotated.metrics.distance, 1, "unrotated distance");
    // Keystrokes d k k e f k = 6. Effort: d 1.1, e MIDDLE_TOP, f 1, and k: unrotated 1 u below
    // f (0.68 u below the index's rest point), rotated 1.5 u beside f (0.32 u above its rest).
    const kBelow = 1 + reach(0.68);
    const kBeside = 1 + Math.hypot(reach(0.32), 1.95 * reach(1.5));
    close(rotated.metrics.effort, (1.1 + 3 * kBeside + MIDDLE_TOP + 1) / 6, "rotated effort");
    close(unrotated.metrics.effort, (1.1 + 3 * kBelow + MIDDLE_TOP + 1) / 6, "unrotated effort");
  });
});

describe("score", () => {
  const setups: [string, LayoutAnalysis][] = [
    ["grid, text", onGrid(textCorpus("we sell papers and mops in our lake room"), DEFAULT_WEIGHTS)],
    ["grid, trigram table", onGrid(tableCorpus({ trigrams: { sda: 2, dke: 1, lkf: 3 } }))],
    ["staggered", onStaggered(textCorpus("gdted", "bw", "wc", "xq", "sdtfts"), DEFAULT_WEIGHTS)],
    ["rotated", analyze(rotatedBoard(true), ROTATED_LAYOUT, textCorpus("dk", "ke", "fk"))],
  ];
  for (const [name, a] of setups) {
    it(`is the sum of the contributions, each weight × metric (${name})`, () => {
      const w = DEFAULT_WEIGHTS.weights;
      let sum = 0;
      for (const term of WEIGHTED_TERMS) {
        close(a.contributions[term], w[term] * a.metrics[term], `contribution of ${term}`);
        sum += a.contributions[term];
      }
      assert.deepEqual(Object.keys(a.contributions).sort(), [...WEIGHTED_TERMS].sort());
      assert.ok(Math.abs(a.score - sum) <= TOLERANCE * Math.max(1, Math.abs(sum)), name);
    });
  }
});

describe("worked example of docs/metrics.md", () => {
  it("scores 'drew desk' on board G with the default weights", () => {
    // Characters d r e w ␣ d e s k: 9; the space is not on the layout: coverage 8/9.
    // Keystrokes on the layout: d2 r1 e2 w1 s1 k1 = 8.
    // Bigrams on the layout: dr re ew de es sk = 6 (w␣ and ␣d are left out).
    //   dr: middle home (y 1.5) and index top (y 0.5): the longer middle 1 u lower: half scissor
    //   de: left middle, two keys: SFB
    //   re, ew, es: neighbours on one row or the longer finger higher: nothing; sk: other hand
    //   SFB 1/6 = 16.67 %, half scissors 1/6 = 16.67 %, LSB 0 (no |Δx| above 1).
    // Skipgrams on the layout: de rw wd ds ek = 5 (e␣ and ␣e are left out); de is an SFS: 20 %.
    // Trigrams on the layout: dre rew des esk = 4 (all kept at the default coverage 0.99).
    //   dre: middle, index, middle: redirect (index involved, so not bad)
    //   rew: index, middle, ring: one-hand out
    //   des: middle twice (an SFB) then ring: no class
    //   esk: middle → ring (outward) then the right hand: roll out
    //   redirect 25 %, onehandOut 25 %, rollOut 25 %.
    // Distance: dr 1 (f → r), re 1 (d → e), ew 1 (s → w), de 1 (d → e), es 0, sk 0: 4/6.
    // Effort: d 1.1·2 + r INDEX_TOP (2.1870) + e MIDDLE_TOP·2 (3.9390) + w RING_TOP (2.4239)
    //   + s 1.3 + k 1.1 = 13.1499; / 8 = 1.6437.
    // Usage: leftMiddle 4/8 = 50, leftRing 25, leftIndex 12.5, rightMiddle 12.5.
    // Hand imbalance: |50 − 87.5| = 37.5. Overload: (50 − 18) + (25 − 14) = 43.
    // Home keys: d d s k, 4/8 = 50 %.
    // Score: 12·16.667 + 2.5·20 + 2·16.667 − 1·25 + 0·25 + 3·25 + 5·(4/6) + 100·1.6437
    //   + 0.3·37.5 + 3·43 = 200 + 50 + 33.333 − 25 + 75 + 3.333 + 164.374 + 11.25 + 129
    //   = 641.291.
    const a = onGrid(textCorpus("drew desk"), DEFAULT_WEIGHTS);
    const m = a.metrics;
    close(m.coverage, 800 / 9, "coverage");
    close(m.sfb, 100 / 6, "sfb");
    close(m.halfScissors, 100 / 6, "halfScissors");
    close(m.fullScissors, 0, "fullScissors");
    close(m.lsb, 0, "lsb");
    close(m.sfs, 20, "sfs");
    close(m.sft, 0, "sft");
    close(m.redirect, 25, "redirect");
    close(m.badRedirect, 0, "badRedirect");
    close(m.onehandOut, 25, "onehandOut");
    close(m.rollOut, 25, "rollOut");
    close(m.alternate + m.rollIn + m.onehandIn + m.thumb, 0, "other classes");
    close(m.distance, 4 / 6, "distance");
    close(m.effort, (2 * 1.1 + INDEX_TOP + 2 * MIDDLE_TOP + RING_TOP + 1.3 + 1.1) / 8, "effort");
    close(m.homeKeys, 50, "homeKeys");
    close(a.usage.fingers.leftMiddle, 50, "leftMiddle");
    close(a.usage.fingers.leftRing, 25, "leftRing");
    close(a.usage.fingers.leftIndex, 12.5, "leftIndex");
    close(a.usage.fingers.rightMiddle, 12.5, "rightMiddle");
    close(m.handImbalance, 37.5, "handImbalance");
    close(m.fingerOverload, 43, "fingerOverload");
    close(a.contributions.sfb, 200, "sfb contribution");
    close(a.contributions.rollOut, -25, "rollOut contribution");
    close(a.score, 1700 / 6 - 25 + 75 + 20 / 6 + 100 * m.effort + 11.25 + 129, "score");
  });
});
