import { type Board, boardRows, keyIndexById } from "./board.ts";
import { failWithProblems, KeyForgeError, type Problem } from "./errors.ts";
import { explicitShifted, resolveShifted } from "./shift-layer.ts";

/** Which character sits on which key: `chars[i]` is on `board.keys[i]`, null when unused. */
export interface Layout {
  readonly name: string;
  readonly boardId: string;
  readonly chars: readonly (string | null)[];
  /**
   * What Shift gives on each key, when some key differs from its default (shift-layer.ts);
   * absent when every key keeps its default. Read it with `shiftedLayer`.
   */
  readonly shifted?: readonly (string | null)[];
}

/** What one key of layout text holds: its character, and its Shift character when set. */
export interface KeyToken {
  readonly char: string | null;
  /** The Shift character (null: nothing); undefined: the default. */
  readonly shifted?: string | null;
}

/** What Shift gives on each key of the layout: its own layer, or the board's defaults. */
export function shiftedLayer(layout: Layout, board: Pick<Board, "shiftPairs">): (string | null)[] {
  return layout.shifted ? [...layout.shifted] : resolveShifted(layout.chars, undefined, board);
}

/** Token of an unused key in layout text. */
export const UNUSED_TOKEN = "_";

/**
 * Two-character tokens for characters that cannot stand alone between whitespace, and for a
 * backslash followed by its Shift character (`\\|`), where `\_` or `\s` would be an escape.
 */
const ESCAPES: ReadonlyMap<string, string> = new Map([
  ["\\s", " "],
  ["\\n", "\n"],
  ["\\t", "\t"],
  ["\\_", "_"],
  ["\\\\", "\\"],
]);
/** A lone backslash is a token of its own. */
const ESCAPE_OF: ReadonlyMap<string, string> = new Map(
  [...ESCAPES].filter(([, c]) => c !== "\\").map(([t, c]) => [c, t]),
);

/** A token's characters: an escape (`\s`) counts as one. */
function tokenUnits(token: string): string[] {
  const units: string[] = [];
  for (let i = 0; i < token.length; ) {
    const pair = token.slice(i, i + 2);
    const unit = ESCAPES.has(pair) ? pair : String.fromCodePoint(token.codePointAt(i) as number);
    units.push(unit);
    i += unit.length;
  }
  return units;
}

/** One unit of a token: its character, or null for `_`. */
function unitChar(unit: string): string | null {
  return unit === UNUSED_TOKEN ? null : (ESCAPES.get(unit) ?? unit);
}

function invalidToken(token: string, why: string): KeyForgeError {
  return new KeyForgeError(
    "LAYOUT_TOKEN_INVALID",
    `"${token}" is not a layout key: ${why}: write one character (its Shift character then follows by default), two for a key and its Shift character (\`${UNUSED_TOKEN}\` second for none), ${UNUSED_TOKEN} for an unused key, or one of ${[...ESCAPES.keys()].join(" ")} for a character`,
  );
}

/** One layout-text token: a key's character and, when written, its Shift character. */
export function parseKeyToken(token: string): KeyToken {
  const units = tokenUnits(token);
  if (units.length === 1) return { char: unitChar(units[0] as string) };
  if (units.length !== 2) throw invalidToken(token, `it has ${units.length} characters`);
  const char = unitChar(units[0] as string);
  if (char === null) throw invalidToken(token, "an unused key has no Shift character");
  return { char, shifted: unitChar(units[1] as string) };
}

export function formatToken(char: string | null): string {
  if (char === null) return UNUSED_TOKEN;
  return ESCAPE_OF.get(char) ?? char;
}

/** A key's token: its character, then its Shift character when that is not the default. */
export function formatKeyToken({ char, shifted }: KeyToken): string {
  if (shifted === undefined || char === null) return formatToken(char);
  const first = char === "\\" ? "\\\\" : formatToken(char);
  return `${first}${formatToken(shifted)}`;
}

/**
 * The layout with its characters arranged as `chars` (the same characters, moved between keys,
 * e.g. by swaps): each key's Shift character moves with its character.
 */
export function rearrangedLayout(
  layout: Layout,
  chars: readonly (string | null)[],
  board: Board,
  name: string = layout.name,
): Layout {
  const layer = shiftedLayer(layout, board);
  const shiftOf = new Map(layout.chars.map((char, key) => [char, layer[key] ?? null]));
  const moved = { name, boardId: layout.boardId, chars: [...chars] };
  return withShifted(
    moved,
    chars.map((char) => (char === null ? null : (shiftOf.get(char) ?? null))),
    board,
  );
}

/** Non-blank lines of layout text, each split into its tokens. */
export function tokenLines(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => line.split(/\s+/u));
}

/**
 * Every character placed twice, on either layer (a key may type its own character with Shift),
 * and every Shift character set on a key without a character. Defaults are never duplicates.
 */
function duplicateCharProblems(
  chars: readonly (string | null)[],
  explicit: readonly (string | null | undefined)[] | undefined,
  keyIds: readonly string[],
): Problem[] {
  const firstPlace = new Map<string, string>();
  const problems: Problem[] = [];
  const place = (char: string, i: number, where: string) => {
    const other = firstPlace.get(char);
    if (other !== undefined) {
      problems.push({
        code: "LAYOUT_DUPLICATE_CHAR",
        subject: `${keyIds[i] as string}${where}`,
        message: `${JSON.stringify(char)} is already on key ${other}`,
      });
    } else firstPlace.set(char, `${keyIds[i] as string}${where}`);
  };
  chars.forEach((char, i) => {
    if (char !== null) place(char, i, "");
  });
  explicit?.forEach((shifted, i) => {
    if (shifted === null || shifted === undefined || shifted === chars[i]) return;
    if (chars[i] === null) {
      problems.push({
        code: "LAYOUT_SHIFT_WITHOUT_CHAR",
        subject: keyIds[i] as string,
        message: `an unused key cannot type ${JSON.stringify(shifted)} with Shift`,
      });
    } else place(shifted, i, " with Shift");
  });
  return problems;
}

/**
 * A layout of `chars`, with Shift characters set on some keys (`explicit`, undefined for the
 * default), or throws LAYOUT_INVALID naming every character placed twice.
 */
export function checkedLayout(
  name: string,
  board: Board,
  chars: (string | null)[],
  explicit?: readonly (string | null | undefined)[],
): Layout {
  const problems = duplicateCharProblems(
    chars,
    explicit,
    board.keys.map((k) => k.id),
  );
  if (problems.length > 0)
    failWithProblems("LAYOUT_INVALID", `layout ${name} is invalid`, problems);
  const layout: Layout = { name, boardId: board.id, chars };
  if (!explicit?.some((char) => char !== undefined)) return layout;
  return withShifted(layout, resolveShifted(chars, explicit, board), board);
}

/**
 * The layout with `shifted` as its Shift layer, kept only where it differs from the defaults
 * (so equal layouts are equal objects).
 */
export function withShifted(
  layout: Layout,
  shifted: readonly (string | null)[],
  board: Pick<Board, "shiftPairs">,
): Layout {
  const { shifted: _old, ...rest } = layout;
  return explicitShifted(layout.chars, shifted, board) ? { ...rest, shifted } : rest;
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
  const explicit: (string | null | undefined)[] = new Array(board.keys.length).fill(undefined);
  rows.forEach((row, r) => {
    row.forEach((key, c) => {
      const token = parseKeyToken((lines[r] as string[])[c] as string);
      chars[index.get(key.id) as number] = token.char;
      explicit[index.get(key.id) as number] = token.shifted;
    });
  });
  return checkedLayout(name, board, chars, explicit);
}

/** Layout text: one line per board row, tokens separated by one space, ending in a newline. */
export function formatLayout(layout: Layout, board: Board): string {
  const index = keyIndexById(board);
  const explicit = layout.shifted && explicitShifted(layout.chars, layout.shifted, board);
  const token = (k: number) =>
    formatKeyToken({ char: layout.chars[k] ?? null, shifted: explicit?.[k] });
  return boardRows(board)
    .map((row) => row.map((key) => token(index.get(key.id) as number)).join(" "))
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
  shiftedBlock?: readonly (readonly (string | null | undefined)[])[],
): Layout {
  if (!board.letterBlock) {
    throw new KeyForgeError(
      "BOARD_HAS_NO_LETTER_BLOCK",
      `board ${board.id} has no 3x10 letter block; write layout ${name} for all of its keys`,
    );
  }
  const index = keyIndexById(board);
  const chars: (string | null)[] = new Array(board.keys.length).fill(null);
  const explicit: (string | null | undefined)[] = new Array(board.keys.length).fill(undefined);
  board.letterBlock.forEach((ids, r) => {
    ids.forEach((id, c) => {
      chars[index.get(id) as number] = block[r]?.[c] ?? null;
      explicit[index.get(id) as number] = shiftedBlock?.[r]?.[c];
    });
  });
  const used = new Set([...chars, ...explicit]);
  board.keys.forEach((key, i) => {
    if (chars[i] === null && key.char !== undefined && !used.has(key.char)) chars[i] = key.char;
  });
  return checkedLayout(name, board, chars, explicit);
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
    const tokens = tokenLines(text).map((line) => line.map(parseKeyToken));
    return placeLetterBlock(
      tokens.map((line) => line.map((token) => token.char)),
      board,
      name,
      tokens.map((line) => line.map((token) => token.shifted)),
    );
  }
  return parseLayout(text, board, name);
}
