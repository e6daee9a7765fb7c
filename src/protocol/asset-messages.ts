import { z } from "zod";

const sha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe("SHA-256 of the content, 64 lower-case hex digits.");
const assetPath = z
  .string()
  .min(1)
  .describe('Path under data/system with forward slashes, e.g. "boards/corne.json".');
const kind = z.string().describe("boards, layouts, corpora or weights.");

/** One asset as the assets gateway lists it in GET /manifest. */
export const manifestEntrySchema = z.strictObject({
  path: assetPath,
  sha256,
  size: z.number().int().min(0).describe("Size in bytes."),
  kind,
  updated: z.iso.datetime().describe("When this content was uploaded (ISO 8601)."),
});

/** GET /manifest: every asset the gateway serves, sorted by path. */
export const manifestSchema = z
  .array(manifestEntrySchema)
  .describe("The current version of every asset, sorted by path.");

/** Published on the event bus when an asset gets new content (or first appears). */
export const assetUpdatedEventSchema = manifestEntrySchema
  .extend({ type: z.literal("asset.updated") })
  .describe("An asset has new content: the manifest entry now points at this SHA-256.");

/** Published on the event bus when an asset's file is gone and its entry left the manifest. */
export const assetRemovedEventSchema = z
  .strictObject({
    type: z.literal("asset.removed"),
    path: assetPath,
    kind,
    sha256: sha256.describe("SHA-256 of the content the entry pointed at until it was removed."),
    updated: z.iso.datetime().describe("When the entry was removed (ISO 8601)."),
  })
  .describe("An asset's file was deleted: the path is no longer in the manifest.");

export const assetEventSchema = z.discriminatedUnion("type", [
  assetUpdatedEventSchema,
  assetRemovedEventSchema,
]);

export type AssetUpdatedEvent = z.infer<typeof assetUpdatedEventSchema>;
export type AssetRemovedEvent = z.infer<typeof assetRemovedEventSchema>;
export type AssetEvent = z.infer<typeof assetEventSchema>;
