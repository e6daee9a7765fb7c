/// <reference lib="webworker" />
import "../no-eval.ts";
import { corpusDocument, corpusFromTables } from "../../../src/core/corpus.ts";
import { countDocuments } from "../../../src/core/count-documents.ts";
import { DEFAULT_NORMALIZATION } from "../../../src/core/text-normalization.ts";
import { messageOf } from "../error-message.ts";

/** Text the user pasted, to count as a corpus of its own. */
export interface CountRequest {
  readonly id: string;
  readonly text: string;
}

export type CountReply =
  | { readonly kind: "counted"; readonly document: Record<string, unknown> }
  | { readonly kind: "failed"; readonly message: string };

/**
 * Counts the text's n-grams off the page's thread, normalised as `keyforge corpus build` does by
 * default, and answers with the corpus document.
 */
self.onmessage = (event: MessageEvent<CountRequest>) => {
  const { id, text } = event.data;
  let reply: CountReply;
  try {
    const corpus = corpusFromTables(countDocuments([text], DEFAULT_NORMALIZATION), {
      id,
      name: "Pasted text",
      description: `${text.length} characters pasted into the web app`,
      sources: [
        { name: "pasted text", licence: "the user's own", provenance: "pasted into the web app" },
      ],
      normalization: DEFAULT_NORMALIZATION,
    });
    reply = { kind: "counted", document: corpusDocument(corpus) };
  } catch (error) {
    reply = { kind: "failed", message: messageOf(error) };
  }
  self.postMessage(reply);
};
