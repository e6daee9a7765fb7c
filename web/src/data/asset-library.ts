import type { Board } from "../../../src/core/board.ts";
import { parseBoard } from "../../../src/core/board-validation.ts";
import { type Corpus, parseCorpus } from "../../../src/core/corpus.ts";
import { corpusOfSpec } from "../../../src/core/corpus-spec.ts";
import { KeyForgeError } from "../../../src/core/errors.ts";
import { type Layout, layoutFromText } from "../../../src/core/layout.ts";
import { layoutOnBoard, parseLayoutDefinition } from "../../../src/core/layout-definition.ts";
import { overrideWeights, parseWeights, type Weights } from "../../../src/core/scoring/weights.ts";
import type { LayoutChoice } from "../analysis/analysis-view.ts";
import type { ScoringChoice } from "../analysis/scoring-choice.ts";

/** A scoring choice loaded: the board, the corpus (blended) and the weights with overrides. */
export interface ScoringInputs {
  readonly board: Board;
  readonly corpus: Corpus;
  readonly weights: Weights;
  /** The weights as published, before the overrides. */
  readonly preset: Weights;
}

export type AssetKind = "boards" | "layouts" | "corpora" | "weights";

interface ManifestEntry {
  readonly path: string;
  readonly sha256: string;
}

/**
 * The published boards, layouts, corpora and weights, read from the assets gateway: its manifest
 * names each file's SHA-256, and the content comes from /blobs/<sha256>, which never changes and
 * is cached by the browser for good. Parsed with the same validators as the command line.
 */
export class AssetLibrary {
  private manifest: Promise<Map<string, string>> | null = null;
  private readonly parsed = new Map<string, Promise<unknown>>();
  /** Documents made in this browser (an imported board, a counted text), by path. */
  private readonly local = new Map<string, unknown>();

  private readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  private entries(): Promise<Map<string, string>> {
    this.manifest ??= fetch(`${this.baseUrl}/manifest`).then(async (response) => {
      if (!response.ok) throw new Error(`the assets gateway answered ${response.status}`);
      const entries = (await response.json()) as ManifestEntry[];
      return new Map(entries.map((entry) => [entry.path, entry.sha256]));
    });
    return this.manifest;
  }

  /**
   * Adds a document made here under an id of its own: the pages find it like a published one,
   * for as long as the page lives (a link to it works in this browser only).
   */
  addLocal(kind: AssetKind, id: string, document: unknown): void {
    const path = `${kind}/${id}.json`;
    this.local.set(path, document);
    this.parsed.delete(path);
  }

  /** The ids of one kind of asset, sorted, those made here among them. */
  async ids(kind: AssetKind): Promise<string[]> {
    const prefix = `${kind}/`;
    return [...new Set([...(await this.entries()).keys(), ...this.local.keys()])]
      .filter((path) => path.startsWith(prefix) && path.endsWith(".json"))
      .map((path) => path.slice(prefix.length, -".json".length))
      .sort();
  }

  private json(kind: AssetKind, id: string): Promise<unknown> {
    const path = `${kind}/${id}.json`;
    let document = this.parsed.get(path);
    if (this.local.has(path)) return Promise.resolve(this.local.get(path));
    if (document === undefined) {
      document = this.entries().then(async (entries) => {
        const sha256 = entries.get(path);
        if (sha256 === undefined)
          throw new KeyForgeError("ASSET_NOT_FOUND", `no ${kind} named ${id}`);
        return JSON.parse(new TextDecoder().decode(await this.blob(sha256, path)));
      });
      this.parsed.set(path, document);
    }
    return document;
  }

  /**
   * A published file's bytes by its SHA-256, as the hive and agents read a job's pinned assets:
   * the version a job was submitted against, even after a newer one is published.
   */
  async blob(sha256: string, name = sha256): Promise<Uint8Array> {
    const response = await fetch(`${this.baseUrl}/blobs/${encodeURIComponent(sha256)}`);
    if (!response.ok) throw new Error(`${name}: the assets gateway answered ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  async board(id: string): Promise<Board> {
    return parseBoard(await this.json("boards", id), id);
  }

  async layout(name: string, board: Board): Promise<Layout> {
    return layoutOnBoard(parseLayoutDefinition(await this.json("layouts", name), name), board);
  }

  /** A built-in layout by name, or layout text typed into the page, on the board. */
  async chosenLayout(choice: LayoutChoice, board: Board): Promise<Layout> {
    return choice.kind === "builtin"
      ? this.layout(choice.name, board)
      : layoutFromText(choice.text, board, "typed layout");
  }

  async weights(id: string): Promise<Weights> {
    return parseWeights(await this.json("weights", id), id);
  }

  async scoringInputs(choice: ScoringChoice): Promise<ScoringInputs> {
    const [board, corpus, preset] = await Promise.all([
      this.board(choice.board),
      this.corpus(choice.corpus),
      this.weights(choice.weights),
    ]);
    const overrides = Object.entries(choice.overrides).map(([name, value]) => `${name}=${value}`);
    return { board, corpus, weights: overrideWeights(preset, overrides), preset };
  }

  /** A corpus id, or a blend of published corpora ("en:0.7,de:0.3"). */
  corpus(spec: string): Promise<Corpus> {
    return corpusOfSpec(spec, async (id) => parseCorpus(await this.json("corpora", id), id));
  }
}
