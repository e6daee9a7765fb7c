import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { type Board, keyCentre, keyCorners, rotatePoint } from "../../../src/core/board.ts";
import { importKleBoard } from "../../../src/core/board-import/kle.ts";
import { parseBoard } from "../../../src/core/board-validation.ts";
import { KeyForgeError } from "../../../src/core/errors.ts";
import {
  escapeXml,
  heatColour,
  layoutSvg,
  SVG_UNIT,
  type SvgAnalysis,
  svgLegend,
  svgPercent,
  UNTYPED_FILL,
} from "../../../src/core/export/svg.ts";
import { type Layout, placeLetterBlock } from "../../../src/core/layout.ts";
import { METRIC_KEYS, type Metrics } from "../../../src/core/scoring/metric-catalogue.ts";
import { QWERTY_BLOCK } from "../../helpers/qwerty-block.ts";

function builtinBoard(id: string): Board {
  const url = new URL(`../../../data/system/boards/${id}.json`, import.meta.url);
  return parseBoard(JSON.parse(readFileSync(url, "utf8")), id);
}

function kleFixtureBoard(name: string): Board {
  const url = new URL(`../../fixtures/kle/${name}.json`, import.meta.url);
  return importKleBoard(JSON.parse(readFileSync(url, "utf8")), { id: name });
}

/** The characters the board's legends give its keys. */
function legendLayout(board: Board): Layout {
  return { name: "legends", boardId: board.id, chars: board.keys.map((k) => k.char ?? null) };
}

/** A share for every key: the used keys get 1, 2, 3 ... percent, unused keys 0. */
function risingShares(layout: Layout): number[] {
  let next = 0;
  return layout.chars.map((char) => (char === null ? 0 : ++next));
}

/** Metrics with a distinct value each, so the heading can be checked figure by figure. */
const METRICS = {
  ...Object.fromEntries(METRIC_KEYS.map((key) => [key, 0])),
  sfb: 1.234,
  sfs: 5.678,
  lsb: 0.456,
  halfScissors: 0.25,
  fullScissors: 0.125,
  alternate: 30.55,
  rollIn: 20.25,
  rollOut: 15.5,
  redirect: 4.321,
} as Metrics;

function analysisOf(keyShare: readonly number[]): SvgAnalysis {
  return { score: 12.3456, metrics: METRICS, keyShare: [...keyShare] };
}

const CORPUS = { id: "en", name: "English prose" };

/** The SVG of a layout whose used keys have rising shares. */
function risingSvg(board: Board, layout: Layout): string {
  return layoutSvg(board, layout, analysisOf(risingShares(layout)), { corpus: CORPUS });
}

/**
 * Checks that the text is one well-formed XML element: tags balanced and properly nested,
 * attributes quoted, no stray `<` or `&` in text. Returns the element names in document order.
 */
function parseXml(text: string): string[] {
  const body = text.replace(/^<\?xml[^?]*\?>\s*/, "");
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  const stack: string[] = [];
  const names: string[] = [];
  let at = 0;
  let roots = 0;
  while (at < body.length) {
    const lt = body.indexOf("<", at);
    const textEnd = lt < 0 ? body.length : lt;
    const content = body.slice(at, textEnd);
    assert.doesNotMatch(content, /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i, "bare &");
    if (stack.length === 0) assert.equal(content.trim(), "", "text outside the root element");
    if (lt < 0) break;
    tag.lastIndex = lt;
    const match = tag.exec(body);
    assert.ok(match, `malformed tag at ${body.slice(lt, lt + 60)}`);
    const [whole, closing, name, , selfClosing] = match;
    for (const value of whole.matchAll(/="([^"]*)"/g)) {
      assert.doesNotMatch(value[1] as string, /&(?!(amp|lt|gt|quot|apos);)/, "bare & in attribute");
    }
    if (closing) {
      assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    } else {
      if (stack.length === 0) roots++;
      names.push(name as string);
      if (!selfClosing) stack.push(name as string);
    }
    at = lt + whole.length;
  }
  assert.deepEqual(stack, [], "unclosed elements");
  assert.equal(roots, 1, "exactly one root element");
  return names;
}

function legendTexts(svg: string): string[] {
  return [...svg.matchAll(/<text class="legend"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] as string);
}

function keyFills(svg: string): string[] {
  return [
    ...svg.matchAll(/<g class="key"[^>]*><title>[^<]*<\/title><rect [^>]*fill="([^"]+)"/g),
  ].map((m) => m[1] as string);
}

function viewBox(svg: string): { x: number; y: number; w: number; h: number } {
  const match = /viewBox="([^"]+)"/.exec(svg);
  assert.ok(match);
  const [x, y, w, h] = (match[1] as string).split(" ").map(Number) as [
    number,
    number,
    number,
    number,
  ];
  return { x, y, w, h };
}

describe("layoutSvg", () => {
  it("is one well-formed standalone SVG element", () => {
    for (const board of [builtinBoard("corne"), kleFixtureBoard("ergodox")]) {
      const layout = board.letterBlock
        ? placeLetterBlock(QWERTY_BLOCK, board, "qwerty")
        : legendLayout(board);
      const svg = risingSvg(board, layout);
      const names = parseXml(svg);
      assert.equal(names[0], "svg");
      assert.match(
        svg,
        /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" /,
      );
      assert.equal(names.filter((n) => n === "g").length >= board.keys.length, true);
    }
  });

  it("draws one legend per used key, in key order, with symbols for invisible characters", () => {
    const board = builtinBoard("corne");
    const layout = placeLetterBlock(QWERTY_BLOCK, board, "qwerty");
    const svg = risingSvg(board, layout);
    const used = layout.chars.filter((c): c is string => c !== null);
    assert.ok(used.includes(" "));
    assert.deepEqual(
      legendTexts(svg),
      used.map((c) => escapeXml(svgLegend(c))),
    );
    assert.ok(legendTexts(svg).includes("␣"));
    assert.equal(svgLegend("\n"), "⏎");
    assert.equal(svgLegend(null), "");
    assert.equal((svg.match(/<g class="key"/g) ?? []).length, board.keys.length);
  });

  it("escapes XML characters in legends, the title and the corpus line", () => {
    const board = builtinBoard("ortho-3x10");
    const block = [[..."<&>\"'yuiop"], [..."asdfghjkl;"], [..."zxcvbnm,./"]];
    const layout = placeLetterBlock(block, board, "Fish & <Chips>");
    const svg = layoutSvg(board, layout, analysisOf(risingShares(layout)), {
      corpus: { id: "mine", name: 'Tom\'s "quotes" & <tags>' },
    });
    parseXml(svg);
    assert.deepEqual(legendTexts(svg).slice(0, 5), ["&lt;", "&amp;", "&gt;", "&quot;", "&apos;"]);
    assert.match(
      svg,
      /<text class="title"[^>]*>Fish &amp; &lt;Chips&gt; on Ortholinear 3x10<\/text>/,
    );
    assert.match(
      svg,
      /<text class="corpus"[^>]*>corpus: Tom&apos;s &quot;quotes&quot; &amp; &lt;tags&gt; \(mine\)<\/text>/,
    );
    assert.doesNotMatch(svg, /Fish & </);
  });

  it("names the layout, the board and the corpus, and gives the headline metrics", () => {
    const board = builtinBoard("ferris");
    const layout = placeLetterBlock(QWERTY_BLOCK, board, "qwerty");
    const svg = risingSvg(board, layout);
    assert.match(
      svg,
      /<title>qwerty on Ferris Sweep 3x5\+2, corpus: English prose \(en\)<\/title>/,
    );
    assert.match(svg, /<text class="title"[^>]*>qwerty on Ferris Sweep 3x5\+2<\/text>/);
    const metrics = Object.fromEntries(
      [
        ...svg.matchAll(
          /<text class="metric"[^>]*><tspan[^>]*>([^<]+)<\/tspan> <tspan[^>]*>([^<]+)<\/tspan><\/text>/g,
        ),
      ].map((m) => [m[1], m[2]]),
    );
    assert.deepEqual(metrics, {
      score: "12.346",
      SFB: "1.2%",
      SFS: "5.7%",
      LSB: "0.46%",
      scissors: "0.38%",
      rolls: "35.8%",
      alternation: "30.6%",
      redirects: "4.3%",
    });
  });

  it("writes every used key's share of keystrokes on it, under its character", () => {
    for (const board of [builtinBoard("corne"), kleFixtureBoard("ergodox")]) {
      const layout = board.letterBlock
        ? placeLetterBlock(QWERTY_BLOCK, board, "qwerty")
        : legendLayout(board);
      const shares = board.keys.map((_, i) => (layout.chars[i] === null ? 0 : (i * 0.37) % 20));
      const svg = layoutSvg(board, layout, analysisOf(shares), { corpus: CORPUS });
      const keys = [...svg.matchAll(/<g class="key"[^>]*>(.*?)<\/g>/g)].map((m) => m[1] as string);
      assert.equal(keys.length, board.keys.length);
      keys.forEach((key, i) => {
        const share = /<text class="share" [^>]*y="([^"]+)"[^>]*>([^<]*)<\/text>/.exec(key);
        if (layout.chars[i] === null) {
          assert.equal(share, null, `${board.id}: unused key ${i} shows no share`);
          return;
        }
        assert.ok(share, `${board.id}: key ${i} shows its share`);
        assert.equal(share[2], svgPercent(shares[i] as number));
        const legendY = Number(/<text class="legend" [^>]*y="([^"]+)"/.exec(key)?.[1]);
        assert.ok(Number(share[1]) > legendY, "the share is written under the character");
      });
    }
    assert.equal(svgPercent(4.2), "4.2%");
    assert.equal(svgPercent(0.354), "0.35%");
  });

  it("colours keys by share, light to dark, and leaves untyped keys grey", () => {
    const board = builtinBoard("ortho-3x10");
    const layout = placeLetterBlock(QWERTY_BLOCK, board, "qwerty");
    const shares = board.keys.map((_, i) => (i < 30 ? i / 3 : 0));
    const fills = keyFills(layoutSvg(board, layout, analysisOf(shares), { corpus: CORPUS }));
    assert.equal(fills.length, board.keys.length);
    assert.equal(fills[0], UNTYPED_FILL, "share 0 is grey");
    assert.equal(fills[31], UNTYPED_FILL, "an unused key is grey");
    const typed = fills.slice(1, 30);
    assert.equal(new Set(typed).size, typed.length, "every share has its own colour");
    assert.ok(!typed.includes(UNTYPED_FILL));
    const lightness = (hex: string) =>
      [1, 3, 5].reduce((sum, i) => sum + Number.parseInt(hex.slice(i, i + 2), 16), 0);
    for (let i = 1; i < typed.length; i++) {
      assert.ok(lightness(typed[i] as string) < lightness(typed[i - 1] as string), "darker");
    }
    assert.equal(fills[29], heatColour(1), "the busiest key has the darkest colour");
    assert.match(
      layoutSvg(board, layout, analysisOf(shares), { corpus: CORPUS }),
      /9\.7%/,
      "the scale names the top share",
    );
  });

  it("rotates keys about their origin and fits every rotated corner in the view box", () => {
    for (const board of [
      kleFixtureBoard("ergodox"),
      kleFixtureBoard("kinesis-advantage"),
      kleFixtureBoard("atreus"),
      builtinBoard("ansi"),
    ]) {
      const layout = legendLayout(board);
      const svg = risingSvg(board, layout);
      const box = viewBox(svg);
      for (const key of board.keys) {
        for (const corner of keyCorners(key)) {
          const x = corner.x * SVG_UNIT;
          const y = corner.y * SVG_UNIT;
          assert.ok(x > box.x && x < box.x + box.w, `${board.id} ${key.id}: x ${x} outside`);
          assert.ok(y > box.y && y < box.y + box.h, `${board.id} ${key.id}: y ${y} outside`);
        }
      }
      const rotated = board.keys.filter((k) => k.r !== 0);
      const transforms = [
        ...svg.matchAll(
          /<g class="key" transform="rotate\(([^)]*)\)"><title>[^<]*<\/title><rect ([^>]*)>/g,
        ),
      ].map((m) => ({
        rotate: (m[1] as string).split(" ").map(Number) as [number, number, number],
        rect: Object.fromEntries(
          [...(m[2] as string).matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], Number(a[2])]),
        ),
      }));
      assert.equal(transforms.length, rotated.length);
      rotated.forEach((key, i) => {
        const { rotate, rect } = transforms[i] as (typeof transforms)[number];
        const [r, cx, cy] = rotate;
        assert.equal(r, key.r);
        assert.ok(Math.abs(cx - key.rx * SVG_UNIT) < 0.01);
        assert.ok(Math.abs(cy - key.ry * SVG_UNIT) < 0.01);
        // The keycap, turned as the SVG turns it, is centred where the board model puts the key.
        const middle = rotatePoint(
          {
            x: (rect.x as number) + (rect.width as number) / 2,
            y: (rect.y as number) + (rect.height as number) / 2,
          },
          r,
          { x: cx, y: cy },
        );
        const centre = keyCentre(key);
        assert.ok(Math.abs(middle.x - centre.x * SVG_UNIT) < 0.02, `${board.id} ${key.id} x`);
        assert.ok(Math.abs(middle.y - centre.y * SVG_UNIT) < 0.02, `${board.id} ${key.id} y`);
      });
    }
    assert.ok(kleFixtureBoard("ergodox").keys.some((k) => k.r !== 0));
  });

  it("marks every home key", () => {
    const board = builtinBoard("corne");
    const layout = placeLetterBlock(QWERTY_BLOCK, board, "qwerty");
    const svg = risingSvg(board, layout);
    const homes = board.keys.filter((k) => k.home).length;
    assert.equal((svg.match(/class="home-mark"/g) ?? []).length, homes);
  });

  it("rejects shares or layouts that do not fit the board", () => {
    const board = builtinBoard("corne");
    const layout = placeLetterBlock(QWERTY_BLOCK, board, "qwerty");
    assert.throws(
      () => layoutSvg(board, layout, analysisOf([1, 2, 3]), { corpus: CORPUS }),
      (e: unknown) => e instanceof KeyForgeError && e.code === "EXPORT_KEY_SHARE_MISMATCH",
    );
    const other = builtinBoard("ferris");
    assert.throws(
      () => risingSvg(other, layout),
      (e: unknown) => e instanceof KeyForgeError && e.code === "EXPORT_LAYOUT_MISMATCH",
    );
  });
});
