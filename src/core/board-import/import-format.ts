/** The file formats `keyforge board import` reads. */
export type BoardImportFormat = "kle" | "qmk";

/** A person's name for each format, for messages. */
export const BOARD_IMPORT_FORMAT_NAMES: Readonly<Record<BoardImportFormat, string>> = {
  kle: "keyboard-layout-editor raw data",
  qmk: "a QMK keyboard definition",
};

/**
 * Which importer a parsed file needs when it is not a KeyForge board, if it looks like one of
 * theirs: KLE raw data is an array of rows; a QMK info.json/keyboard.json has a `layouts`
 * section and none of a board's fields. Users pass such files where a board goes, and deserve
 * to be told to import them rather than a list of schema failures.
 */
export function boardImportFormatOf(data: unknown): BoardImportFormat | undefined {
  if (Array.isArray(data)) return "kle";
  if (typeof data === "object" && data !== null && "layouts" in data && !("keys" in data)) {
    return "qmk";
  }
  return undefined;
}
