import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Board } from "../../../src/core/board.ts";
import { KeyForgeError } from "../../../src/core/errors.ts";
import { type ExportOrigin, exportHeaderLines } from "../../../src/core/export/export-header.ts";
import {
  layoutXkbKeymap,
  layoutXkbSymbols,
  xkbSymbolsFileName,
} from "../../../src/core/export/xkb.ts";
import { boardPositions } from "../../../src/core/key-positions.ts";
import { checkedLayout, type Layout, shiftedLayer } from "../../../src/core/layout.ts";
import { layoutOnBoard } from "../../../src/core/layout-definition.ts";
import { builtinIds, loadBoard, loadLayoutDefinition } from "../../../src/infra/system-data.ts";
import {
  type CompiledKeymap,
  compileXkb,
  keyCharacters,
  keymapIncluding,
  readCompiledKeymap,
  readsEveryKeysymName,
} from "../../helpers/xkb-compiled.ts";

const ORIGIN: ExportOrigin = { version: "9.8.7", corpus: { id: "en-test", name: "English test" } };

/** The two exports, each compiled the way a system loads it and read back. */
const COMPILED_FORMS = {
  "symbols file (loaded after pc, as the system's rules do)": (board: Board, layout: Layout) => {
    const name = xkbSymbolsFileName(layout);
    const text = layoutXkbSymbols(board, layout, ORIGIN);
    return readCompiledKeymap(compileXkb(keymapIncluding(name), { name, text }));
  },
  "complete keymap": (board: Board, layout: Layout) =>
    readCompiledKeymap(compileXkb(layoutXkbKeymap(board, layout, ORIGIN))),
};

/** Is `capital` the capital of the letter `letter`, so that Caps Lock should type it? */
function isLetterAndCapital(letter: string | null, capital: string | null): boolean {
  if (letter === null || capital === null || letter === capital) return false;
  return /^\p{Ll}$/u.test(letter) && capital.toLowerCase() === letter;
}

/**
 * Every board key with a place types, on its X key code (evdev code + 8), the layout's
 * character and its Shift character, on exactly two levels, and Caps Lock types the capital
 * on letter keys only (the ALPHABETIC type) and the character itself elsewhere (TWO_LEVEL).
 */
function assertTypesLayout(compiled: CompiledKeymap, board: Board, layout: Layout): void {
  const shifted = shiftedLayer(layout, board);
  boardPositions(board).forEach((place, k) => {
    if (!place) return;
    const key = compiled.keys.get(place.evdev + 8);
    const where = `${layout.name} on ${board.id}, key ${board.keys[k]?.id} <${place.xkb}>`;
    assert.ok(key, `${where}: not in the compiled keymap`);
    const expected = [layout.chars[k] ?? null, shifted[k] ?? null];
    assert.deepEqual(keyCharacters(key), expected, where);
    const capsLock = isLetterAndCapital(layout.chars[k] ?? null, shifted[k] ?? null);
    assert.equal(key.type, capsLock ? "ALPHABETIC" : "TWO_LEVEL", where);
  });
}

const BOARD_IDS = ["ansi", "iso"] as const;
const boards = Object.fromEntries(
  await Promise.all(BOARD_IDS.map(async (id) => [id, await loadBoard(id)] as const)),
) as Record<(typeof BOARD_IDS)[number], Board>;

describe("the xkb export", () => {
  for (const [form, compile] of Object.entries(COMPILED_FORMS)) {
    it(`types every built-in layout on ansi and iso through xkbcomp: ${form}`, async () => {
      const ids = await builtinIds("layouts");
      assert.ok(ids.length > 0);
      for (const id of ids) {
        const definition = await loadLayoutDefinition(id);
        for (const board of Object.values(boards)) {
          const layout = layoutOnBoard(definition, board);
          assertTypesLayout(compile(board, layout), board, layout);
        }
      }
    });
  }

  it("types random layouts, with any characters and Shift layers, through xkbcomp", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(boards)).chain(randomLayout),
        fc.constantFrom(...Object.values(COMPILED_FORMS)),
        ({ board, layout }, compile) => {
          assertTypesLayout(compile(board, layout), board, layout);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("leaves a key the layout does not use empty, the ISO key included (pc puts < > | ¦ on it)", () => {
    const iso = boards.iso;
    const places = boardPositions(iso);
    const unused = new Set(["LSGT", "AE01"]);
    const chars = iso.keys.map((key, k) =>
      unused.has(places[k]?.xkb ?? "") ? null : (key.char ?? null),
    );
    const layout = checkedLayout("gaps", iso, chars);
    for (const compile of Object.values(COMPILED_FORMS)) {
      const compiled = compile(iso, layout);
      for (const [name, code] of [
        ["LSGT", 86 + 8],
        ["AE01", 2 + 8],
      ] as const) {
        assert.deepEqual(compiled.keys.get(code)?.keysyms, ["VoidSymbol", "VoidSymbol"], name);
      }
      assertTypesLayout(compiled, iso, layout);
    }
  });

  it("refuses a character on a key with no place on a PC keyboard, naming every such key", () => {
    const ansi = boards.ansi;
    // Without its position, the key left of 1 has no place either.
    const board: Board = {
      ...ansi,
      keys: ansi.keys.map((key) => (key.id === "r0c0" ? { ...key, position: undefined } : key)),
    };
    const chars = board.keys.map((key) => (key.id === "space-l" ? "x" : (key.char ?? null)));
    const layout = checkedLayout("left space", board, chars);
    for (const write of [layoutXkbSymbols, layoutXkbKeymap]) {
      assert.throws(
        () => write(board, layout, ORIGIN),
        (error: unknown) => {
          assert.ok(error instanceof KeyForgeError);
          assert.equal(error.code, "EXPORT_KEY_PLACE_INVALID");
          assert.deepEqual(
            error.problems.map((problem) => problem.subject),
            ["r0c0", "space-l"],
          );
          assert.match(error.message, /r0c0[\s\S]*space-l/);
          return true;
        },
      );
    }
    const unusedLeftSpace = checkedLayout(
      "unused left space",
      ansi,
      ansi.keys.map((key) => key.char ?? null),
    );
    assert.equal(unusedLeftSpace.chars[ansi.keys.findIndex((key) => key.id === "space-l")], null);
    assert.ok(layoutXkbSymbols(ansi, unusedLeftSpace, ORIGIN).includes("key <SPCE>"));
  });

  it("refuses characters no keysym types (control characters), naming every key", () => {
    const ansi = boards.ansi;
    const chars = ansi.keys.map((key) => key.char ?? null);
    const r0c1 = ansi.keys.findIndex((key) => key.id === "r0c1");
    const r0c2 = ansi.keys.findIndex((key) => key.id === "r0c2");
    chars[r0c1] = "\u0007";
    const layout = checkedLayout("bell", ansi, chars, Object.assign([], { [r0c2]: "\u0085" }));
    for (const write of [layoutXkbSymbols, layoutXkbKeymap]) {
      assert.throws(
        () => write(ansi, layout, ORIGIN),
        (error: unknown) => {
          assert.ok(error instanceof KeyForgeError);
          assert.equal(error.code, "EXPORT_XKB_UNMAPPED");
          assert.deepEqual(
            error.problems.map((problem) => [problem.code, problem.subject]),
            [
              ["XKB_NO_KEYSYM", "r0c1"],
              ["XKB_NO_KEYSYM", "r0c2"],
            ],
          );
          return true;
        },
      );
    }
  });

  it("starts both files with the export header and how to install them", async () => {
    const board = boards.iso;
    const layout = { ...layoutOnBoard(await loadLayoutDefinition("qwerty"), board), name: "X" };
    for (const [write, mentions] of [
      [
        layoutXkbSymbols,
        [
          "/usr/share/X11/xkb/symbols/keyforge_x",
          "~/.config/xkb/symbols/keyforge_x",
          "/usr/share/X11/xkb/symbols/custom",
          "KDE Plasma",
          "GNOME",
          "Wayland",
          "X11",
        ],
      ],
      [layoutXkbKeymap, ["xkb_file", "xkbcomp", "Sway", "X11"]],
    ] as const) {
      const text = write(board, layout, ORIGIN);
      const comments = text
        .slice(0, text.search(/^[^/\n]/m))
        .trimEnd()
        .split("\n");
      const header = exportHeaderLines(layout, board, ORIGIN);
      assert.deepEqual(
        comments.slice(0, header.length),
        header.map((line) => `// ${line}`),
      );
      for (const line of comments) assert.match(line, /^\/\/( |$)/);
      for (const mention of mentions) assert.ok(text.includes(mention), mention);
    }
  });

  it("keeps any layout name inside its xkb string and its header line", async () => {
    const board = boards.ansi;
    const name = 'Say "012" \\ then\nbreak\r\n};\u2028 é 😀 "';
    const layout = { ...layoutOnBoard(await loadLayoutDefinition("qwerty"), board), name };
    for (const [form, compile] of Object.entries(COMPILED_FORMS)) {
      const compiled = compile(board, layout);
      assert.equal(compiled.groupName, 'Say "012" \\ then break };  é 😀 "', form);
      assertTypesLayout(compiled, board, layout);
    }
    const symbols = layoutXkbSymbols(board, layout, ORIGIN);
    assert.ok(symbols.startsWith('// Layout: Say "012" \\ then break };  é 😀 "\n'));
    assert.match(xkbSymbolsFileName(layout), /^keyforge_[a-z0-9_]+$/);
    assert.equal(xkbSymbolsFileName({ name: "\"'\n" }), "keyforge");
  });
});

/** What one key gets: a character or none, and a Shift character of which kind. */
function keyContent(): fc.Arbitrary<{ base: boolean; shift: "default" | "character" | "none" }> {
  return fc.record({
    base: fc.boolean(),
    shift: fc.constantFrom("default", "default", "character", "none"),
  });
}

/**
 * A valid layout on `board` with random characters (each placed once), some keys unused, and
 * on some used keys a Shift character set: another character, or none. Keys with no place stay
 * unused (a character there is refused, see below).
 */
function randomLayout(board: Board): fc.Arbitrary<{ board: Board; layout: Layout }> {
  const n = board.keys.length;
  const places = boardPositions(board);
  return fc
    .tuple(
      fc.array(keyContent(), { minLength: n, maxLength: n }),
      fc.uniqueArray(layoutCharacter(), { minLength: 2 * n, maxLength: 2 * n }),
    )
    .map(([contents, pool]) => {
      const placed = (k: number) => places[k] !== null;
      const chars = contents.map(({ base }, k) =>
        placed(k) && base ? (pool[2 * k] as string) : null,
      );
      const explicit = contents.map(({ shift }, k) => {
        if (chars[k] === null || shift === "default") return undefined;
        return shift === "none" ? null : (pool[2 * k + 1] as string);
      });
      return { board, layout: checkedLayout("random", board, chars, explicit) };
    });
}

/**
 * Characters of every kind a layout may hold: ASCII, Latin-1 (xkbcomp prints legacy names),
 * Greek and CJK (Unicode keysyms), emoji beyond the BMP, Enter and Tab; and any character but
 * a control one where the reader knows every keysym name xkbcomp may print (`wcircumflex` for
 * U+0175), which it learns from keysymdef.h.
 */
function layoutCharacter(): fc.Arbitrary<string> {
  const range = (from: number, to: number) =>
    fc.integer({ min: from, max: to }).map((c) => String.fromCodePoint(c));
  const anyCharacter = range(0xa0, 0x10ffff).filter((c) => !/^[\p{Cc}\p{Cs}]$/u.test(c));
  return fc.oneof(
    range(0x20, 0x7e),
    range(0xa0, 0xff),
    range(0x370, 0x3ff),
    range(0x4e00, 0x9fff),
    range(0x1f300, 0x1f64f),
    fc.constantFrom("\n", "\t"),
    ...(readsEveryKeysymName() ? [anyCharacter] : []),
  );
}
