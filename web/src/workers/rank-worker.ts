/// <reference lib="webworker" />
import "../no-eval.ts";
import { type Layout, layoutFromText } from "../../../src/core/layout.ts";
import { type RankedLayout, rankLayouts } from "../analysis/layout-ranking.ts";
import type { ScoringChoice } from "../analysis/scoring-choice.ts";
import { AssetLibrary } from "../data/asset-library.ts";
import type { OwnLayout } from "../data/own-layouts.ts";
import { messageOf } from "../error-message.ts";

/** What the Compare page asks: every published layout, and the user's own, scored on this choice. */
export interface RankRequest {
  readonly assets: string;
  readonly choice: ScoringChoice;
  readonly own: readonly OwnLayout[];
}

export type RankReply =
  | {
      readonly kind: "ranked";
      readonly ranked: RankedLayout[];
      /** Layouts that do not fit the board, with the reason. */
      readonly skipped: { readonly name: string; readonly reason: string }[];
    }
  | { readonly kind: "failed"; readonly message: string };

/** Scores the library off the page's thread: compiling a model per character set takes time. */
self.onmessage = async (event: MessageEvent<RankRequest>) => {
  const { assets, choice, own } = event.data;
  let reply: RankReply;
  try {
    const library = new AssetLibrary(assets);
    const { board, corpus, weights } = await library.scoringInputs(choice);
    const layouts: Layout[] = [];
    const skipped: { name: string; reason: string }[] = [];
    for (const name of await library.ids("layouts")) {
      try {
        layouts.push(await library.layout(name, board));
      } catch (error) {
        skipped.push({ name, reason: messageOf(error) });
      }
    }
    for (const { name, text } of own) {
      try {
        layouts.push(layoutFromText(text, board, name));
      } catch (error) {
        skipped.push({ name, reason: messageOf(error) });
      }
    }
    reply = { kind: "ranked", ranked: rankLayouts(board, corpus, weights, layouts), skipped };
  } catch (error) {
    reply = { kind: "failed", message: messageOf(error) };
  }
  self.postMessage(reply);
};
