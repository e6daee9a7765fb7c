import { z } from "zod";
import { assetIdSchema } from "./asset-id.ts";
import type { Board } from "./board.ts";
import { failWithProblems, type Problem } from "./errors.ts";
import { type Layout, parseKeyToken, placeLetterBlock, tokenLines } from "./layout.ts";

export const LAYOUT_FORMAT = "keyforge-layout/1";

/** A named layout of the 3x10 letter block, independent of any board. */
export interface LayoutDefinition {
  readonly id: string;
  readonly name: string;
  readonly author: string;
  readonly year?: number;
  readonly source?: string;
  /** Three rows of ten characters (null for an unused key). */
  readonly letterBlock: readonly (readonly (string | null)[])[];
  /**
   * The Shift characters the definition sets, in the same three rows (null: nothing); absent,
   * or undefined for a key, where the key's Shift character is its default.
   */
  readonly shiftedBlock?: readonly (readonly (string | null | undefined)[])[];
}

const definitionSchema = z.object({
  format: z.literal(LAYOUT_FORMAT),
  id: assetIdSchema.optional(),
  name: z.string().min(1),
  author: z.string().min(1),
  year: z.number().int().min(1800).max(2100).optional(),
  source: z.string().optional(),
  letterBlock: z.array(z.string()).length(3),
});

function letterBlockProblems(rows: readonly string[]): {
  block: (string | null)[][];
  shiftedBlock: (string | null | undefined)[][];
  problems: Problem[];
} {
  const problems: Problem[] = [];
  const block: (string | null)[][] = [];
  const shiftedBlock: (string | null | undefined)[][] = [];
  rows.forEach((row, r) => {
    const tokens = tokenLines(row).flat();
    if (tokens.length !== 10) {
      problems.push({
        code: "LAYOUT_ROW_LENGTH",
        subject: `letterBlock[${r}]`,
        message: `has ${tokens.length} keys, expected 10`,
      });
      return;
    }
    try {
      const keys = tokens.map(parseKeyToken);
      block.push(keys.map((key) => key.char));
      shiftedBlock.push(keys.map((key) => key.shifted));
    } catch (error) {
      problems.push({
        code: "LAYOUT_TOKEN_INVALID",
        subject: `letterBlock[${r}]`,
        message: (error as Error).message,
      });
    }
  });
  return { block, shiftedBlock, problems };
}

/** Checks a layout definition file and returns it, or throws LAYOUT_INVALID with every problem. */
export function parseLayoutDefinition(data: unknown, fallbackId: string): LayoutDefinition {
  const parsed = definitionSchema.safeParse(data);
  const what = `layout ${fallbackId} is invalid`;
  if (!parsed.success) {
    failWithProblems(
      "LAYOUT_INVALID",
      what,
      parsed.error.issues.map((issue) => ({
        code: "LAYOUT_FIELD_INVALID",
        subject: issue.path.join("."),
        message: issue.message,
      })),
    );
  }
  const { block, shiftedBlock, problems } = letterBlockProblems(parsed.data.letterBlock);
  if (problems.length > 0) failWithProblems("LAYOUT_INVALID", what, problems);
  const { format: _format, id, letterBlock: _rows, ...rest } = parsed.data;
  const setsShift = shiftedBlock.some((row) => row.some((char) => char !== undefined));
  return {
    ...rest,
    id: id ?? fallbackId,
    letterBlock: block,
    ...(setsShift ? { shiftedBlock } : {}),
  };
}

/** The definition placed on a board's letter block. */
export function layoutOnBoard(definition: LayoutDefinition, board: Board): Layout {
  return placeLetterBlock(definition.letterBlock, board, definition.id, definition.shiftedBlock);
}
