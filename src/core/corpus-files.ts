import { z } from "zod";

/** Why `corpus build` leaves a file out, and what that means for people. */
const SKIP_REASONS = {
  binary: "not text (a NUL byte near its start: a binary file, or UTF-16 text)",
  "not-utf8": "not UTF-8 text (convert it first, e.g. with iconv)",
} as const;

export type FileSkipReason = keyof typeof SKIP_REASONS;

/**
 * How many files a corpus lists by name, read and skipped each. Enough to see every file of a
 * small project; a corpus built from thousands of files stays a few kilobytes bigger, not
 * megabytes, and still says how many there were.
 */
export const LISTED_FILES = 50;

const count = z.number().int().nonnegative();

function listOf<T extends z.ZodType>(entry: T) {
  return z.object({ count, first: z.array(entry) });
}

/**
 * What `corpus build` read: a source's files, paths from the folders or files named on the command
 * line (each one's own name first), in reading order. Reasons are kept as plain strings, so a
 * corpus from a newer KeyForge with a reason this one does not know still loads.
 */
export const corpusFilesSchema = z.object({
  markup: z.enum(["stripped", "kept"]),
  markupStripped: count,
  read: listOf(z.object({ path: z.string().min(1), characters: count, markupStripped: count })),
  skipped: listOf(z.object({ path: z.string().min(1), reason: z.string().min(1) })),
});

export type CorpusFiles = z.infer<typeof corpusFilesSchema>;
export type FileRead = CorpusFiles["read"]["first"][number];
export type FileLeftOut = CorpusFiles["skipped"]["first"][number];

/** The record of a build's files, the lists cut to the first LISTED_FILES of each. */
export function corpusFiles(
  markup: CorpusFiles["markup"],
  read: readonly FileRead[],
  skipped: readonly FileLeftOut[],
): CorpusFiles {
  return {
    markup,
    markupStripped: read.reduce((sum, file) => sum + file.markupStripped, 0),
    read: { count: read.length, first: read.slice(0, LISTED_FILES) },
    skipped: { count: skipped.length, first: skipped.slice(0, LISTED_FILES) },
  };
}

/** A recorded skip reason for people; an unknown one (from a newer KeyForge) as it is. */
export function skipReasonText(reason: string): string {
  return Object.hasOwn(SKIP_REASONS, reason) ? SKIP_REASONS[reason as FileSkipReason] : reason;
}
