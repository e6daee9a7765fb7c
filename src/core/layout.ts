import { type Board, boardRows, keyIndexById } from "./board.ts";
import { failWithProblems, KeyForgeError, type Problem } from "./errors.ts";

/** Which character sits on which key: `chars[i]` is on `board.keys[i]`, null when unused. */
export interface Layout {
  readonly name: string;
  readonly boardId: string;
  readonly chars: readonly (string | null)[];
}

/** Token of an unused key in layout text. */
export const UNUSED_TOKEN = "_";

/** Two-character tokens for characters that cannot stand alone between whitespace. */
const ESCAPES: ReadonlyMap<string, string> = new Map([
  ["\\s", " "],
  ["\\n", "\n"],
  ["\\t", "\t"],
  ["\\_", "_"],
]);
const ESCAPE_OF: ReadonlyMap<string, string> = new Map([...ESCAPES].map(([t, c]) => [c, t]));

/** One layout-text token to its character (null for an unused key). */
export function parseToken(token: string): string | null {
  if (token === UNUSED_TOKEN) return null;
  const escaped = ESCAPES.get(token);
  if (escaped !== undefined) return escaped;
  if ([...token].length === 1) return token;
  throw new KeyForgeError(
    "LAYOUT_TOKEN_INVALID",
    `"${token}" is not a layout key: write one character, ${UNUSED_TOKEN} for an unused key, or one of ${[...ESCAPES.keys()].join(" ")}`,
  );
}

export function formatToken(char: string | null): string {
  if (char === null) return UNUSED_TOKEN;
  return ESCAPE_OF.get(char) ?? char;
}

/** Non-blank lines of layout text, each split into its tokens. */
export function tokenLines(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => line.split(/\s+/u));
}

function duplicateCharProblems(
  chars: readonly (string | null)[],
  keyIds: readonly string[],
): Problem[] {
  const firstKey = new Map<string, string>();
  const problems: Problem[] = [];
  chars.forEach((char, i) => {
    if (char === null) return;
    const other = firstKey.get(char);
    if (other !== undefined) {
      problems.push({
        code: "LAYOUT_DUPLICATE_CHAR",
        subject: keyIds[i] as string,
        message: `${JSON.stringify(char)} is already on key ${other}`,
      });
    } else firstKey.set(char, keyIds[i] as string);
  });
  return problems;
}

function checkedLayout(name: string, board: Board, chars: (string | null)[]): Layout {
  const problems = duplicateCharProblems(
    chars,
    board.keys.map((k) => k.id),
  );
  if (problems.length > 0)
    failWithProblems("LAYOUT_INVALID", `layout ${name} is invalid`, problems);
  return { name, boardId: board.id, chars };
}

function shapeOf(lines: readonly (readonly unknown[])[]): string {
  return lines.map((l) => l.length).join("+");
}

/** Parses layout text written for every key of the board, one line per board row. */
export function parseLayout(text: string, board: Board, name: string): Layout {
  const lines = tokenLines(text);
  const rows = boardRows(board);
  if (lines.length === 0) throw new KeyForgeError("LAYOUT_EMPTY", `layout ${name} is empty`);
  if (shapeOf(lines) !== shapeOf(rows)) {
    throw new KeyForgeError(
      "LAYOUT_SHAPE_MISMATCH",
      `layout ${name} has rows of ${shapeOf(lines)} keys, board ${board.id} has rows of ${shapeOf(rows)}`,
    );
  }
  const index = keyIndexById(board);
  const chars: (string | null)[] = new Array(board.keys.length).fill(null);
  rows.forEach((row, r) => {
    row.forEach((key, c) => {
      chars[index.get(key.id) as number] = parseToken((lines[r] as string[])[c] as string);
    });
  });
  return checkedLayout(name, board, chars);
}

/** Layout text: one line per board row, tokens separated by one space, ending in a newline. */
export function formatLayout(layout: Layout, board: Board): string {
  const index = keyIndexById(board);
  return boardRows(board)
    .map((row) =>
      row.map((key) => formatToken(layout.chars[index.get(key.id) as number] ?? null)).join(" "),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/**
 * Places three rows of ten characters on the board's letter block. Keys outside the block keep
 * their board character (e.g. space) unless the block already uses it.
 */
export function placeLetterBlock(
  block: readonly (readonly (string | null)[])[],
  board: Board,
  name: string,
): Layout {
  if (!board.letterBlock) {
    throw new KeyForgeError(
      "BOARD_HAS_NO_LETTER_BLOCK",
      `board ${board.id} has no 3x10 letter block; write layout ${name} for all of its keys`,
    );
  }
  const index = keyIndexById(board);
  const chars: (string | null)[] = new Array(board.keys.length).fill(null);
  board.letterBlock.forEach((ids, r) => {
    ids.forEach((id, c) => {
      chars[index.get(id) as number] = block[r]?.[c] ?? null;
    });
  });
  const used = new Set(chars);
  board.keys.forEach((key, i) => {
    if (chars[i] === null && key.char !== undefined && !used.has(key.char)) chars[i] = key.char;
  });
  return checkedLayout(name, board, chars);
}

/** Is this text three lines of ten keys, the board-independent letter-block form? */
export function isLetterBlockText(text: string): boolean {
  return shapeOf(tokenLines(text)) === "10+10+10";
}

/**
 * Reads layout text for a board: either a line for every board row, or the 3x10 letter block
 * placed on the board's letter block.
 */
export function layoutFromText(text: string, board: Board, name: string): Layout {
  if (isLetterBlockText(text) && shapeOf(boardRows(board)) !== "10+10+10") {
    return placeLetterBlock(
      tokenLines(text).map((line) => line.map(parseToken)),
      board,
      name,
    );
  }
  return parseLayout(text, board, name);
}
