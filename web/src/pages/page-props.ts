import type { AssetLibrary } from "../data/asset-library.ts";

/**
 * What the frame gives a page whose view lives in the URL: the asset library, the query of the
 * hash (after `#/<page>?`) and how to replace it.
 */
export interface PageProps {
  readonly library: AssetLibrary;
  readonly query: string;
  readonly onQuery: (query: string) => void;
}
