import { KeyForgeError } from "../core/errors.ts";
import type { JobContent, JobSubmission } from "../protocol/job-messages.ts";
import type { AssetCatalog } from "./asset-catalog.ts";

async function pinned(catalog: AssetCatalog, folder: string, id: string, what: string) {
  const path = `${folder}/${id}.json`;
  const entry = await catalog.entry(path);
  if (!entry) {
    throw new KeyForgeError("ASSET_UNKNOWN", `no published ${what} "${id}" (looked for ${path})`);
  }
  return { path, sha256: entry.sha256 };
}

/** Each character once, in code-unit order. */
function sortedChars(chars: string): string {
  return [...new Set(chars)].sort().join("");
}

/**
 * The content of a submitted job: every asset it names pinned to the SHA-256 published now,
 * and everything order does not change (corpora, pinned and placed characters, excluded keys)
 * in one order, so the same job always hashes to the same id.
 */
export async function resolveJobContent(
  submission: JobSubmission,
  catalog: AssetCatalog,
): Promise<JobContent> {
  const ids = submission.corpora.map((c) => c.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) {
    throw new KeyForgeError(
      "CORPUS_REPEATED",
      `corpus "${repeated}" is named twice; give it one weight`,
    );
  }
  const corpora = await Promise.all(
    submission.corpora.map(async (c) => ({
      ...(await pinned(catalog, "corpora", c.id, "corpus")),
      weight: c.weight,
    })),
  );
  const { search } = submission;
  return {
    format: "keyforge-job/1",
    board:
      typeof submission.board === "string"
        ? await pinned(catalog, "boards", submission.board, "board")
        : { inline: submission.board },
    start:
      search.startLayout !== undefined
        ? { text: search.startLayout }
        : await pinned(catalog, "layouts", search.from, "layout"),
    corpora: corpora.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    weights:
      typeof submission.weights === "string"
        ? await pinned(catalog, "weights", submission.weights, "weights")
        : { inline: submission.weights },
    weightOverrides: submission.weightOverrides,
    search: {
      // Left out when not given, so that a job keeps its id whatever fields came after it.
      ...(search.timeSeconds === undefined
        ? { units: search.units, stepsPerUnit: search.stepsPerUnit }
        : { timeSeconds: search.timeSeconds }),
      ...(search.convergeSeconds !== undefined && { convergeSeconds: search.convergeSeconds }),
      ...(search.topDistance !== undefined && { topDistance: search.topDistance }),
      seed: search.seed,
      pins: sortedChars(search.pins),
      allKeys: search.allKeys,
      // Left out when they change nothing, so that a job without them keeps its id.
      ...(search.place !== undefined && { place: sortedChars(search.place) }),
      ...(search.exclude !== undefined &&
        search.exclude.length > 0 && { exclude: [...new Set(search.exclude)].sort() }),
      ...(search.stayClose !== undefined &&
        search.stayClose > 0 && { stayClose: search.stayClose }),
    },
  };
}
