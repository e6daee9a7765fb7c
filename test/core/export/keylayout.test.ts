import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Board } from "../../../src/core/board.ts";
import type { ExportOrigin } from "../../../src/core/export/export-header.ts";
import { layoutKeylayout, type MacKeyboardType } from "../../../src/core/export/keylayout.ts";
import {
  boardPositions,
  KEY_POSITIONS,
  type KeyPosition,
} from "../../../src/core/key-positions.ts";
import { checkedLayout, type Layout } from "../../../src/core/layout.ts";
import { layoutOnBoard } from "../../../src/core/layout-definition.ts";
import { builtinIds, loadBoard, loadLayoutDefinition } from "../../../src/infra/system-data.ts";
import { assertRefused } from "../../helpers/keyforge-errors.ts";
import {
  type KeylayoutFile,
  keyOutput,
  type Modifier,
  readKeylayout,
} from "../../helpers/keylayout-file.ts";
import { randomOsLayout, swapFirstTwo, typedByPlace } from "../../helpers/random-os-layout.ts";

const ORIGIN: ExportOrigin = { version: "9.8.7", corpus: { id: "en-test", name: "English test" } };
const KEYBOARDS: readonly MacKeyboardType[] = ["ansi", "iso"];

const [ansi, iso] = await Promise.all([loadBoard("ansi"), loadBoard("iso")]);

async function builtinLayout(id: string, board: Board): Promise<Layout> {
  return layoutOnBoard(await loadLayoutDefinition(id), board);
}

/**
 * The code macOS gets from a place (Events.h kVK_*): with the keyboard type ISO, the key left
 * of 1 sends kVK_ISO_Section (10) and the key right of the left Shift kVK_ANSI_Grave (50).
 */
function codeOf(place: KeyPosition, keyboard: MacKeyboardType): number {
  if (keyboard === "iso" && place.code === "E00") return 10;
  if (keyboard === "iso" && place.code === "B00") return 50;
  return place.mac;
}

function exportedFile(board: Board, layout: Layout, keyboard: MacKeyboardType): KeylayoutFile {
  return readKeylayout(layoutKeylayout(board, layout, ORIGIN, { keyboard }));
}

/**
 * Every key with a place types the layout's characters without and with Shift, the same with
 * Option, and with Caps Lock the capital on letter keys only.
 */
function assertTypesLayout(board: Board, layout: Layout, keyboard: MacKeyboardType): KeylayoutFile {
  const file = exportedFile(board, layout, keyboard);
  const places = new Map(boardPositions(board).flatMap((p) => (p ? [[p.code, p] as const] : [])));
  for (const [code, [char, shifted]] of typedByPlace(board, layout)) {
    const key = codeOf(places.get(code) as KeyPosition, keyboard);
    const where = `${layout.name} on ${board.id} for ${keyboard}, ${code} (key code ${key})`;
    const typed = (...held: Modifier[]) => keyOutput(file, key, held) || null;
    assert.deepEqual([typed(), typed("shift")], [char, shifted], where);
    assert.equal(typed("option"), char, where);
    const letter =
      char !== null &&
      shifted !== null &&
      char !== shifted &&
      shifted.toLowerCase() === char &&
      /^\p{Ll}$/u.test(char);
    assert.equal(typed("caps"), letter ? shifted : char, `${where}, Caps Lock`);
    assert.equal(typed("caps", "shift"), shifted, `${where}, Caps Lock and Shift`);
  }
  return file;
}

describe("the macOS keylayout export", () => {
  it("is a keyboard element with a negative id in group 126, the same for the same layout", async () => {
    const layout = await builtinLayout("colemak", ansi);
    const text = layoutKeylayout(ansi, layout, ORIGIN, { keyboard: "ansi" });
    assert.equal(layoutKeylayout(ansi, layout, ORIGIN, { keyboard: "ansi" }), text);
    const file = readKeylayout(text);
    assert.equal(file.keyboard.group, "126");
    assert.equal(file.keyboard.name, "colemak");
    assert.equal(file.keyboard.maxout, "1");
    const id = Number(file.keyboard.id);
    assert.ok(Number.isInteger(id) && id < 0 && id >= -32768, `id ${id}`);
    const changed = checkedLayout("colemak", ansi, swapFirstTwo(layout.chars));
    const changedId = Number(exportedFile(ansi, changed, "ansi").keyboard.id);
    assert.notEqual(changedId, id, "macOS caches by id: a changed layout needs a new one");
  });

  for (const keyboard of KEYBOARDS) {
    it(`types every built-in layout on ansi and on iso, for a Mac keyboard of type ${keyboard}`, async () => {
      const ids = await builtinIds("layouts");
      assert.ok(ids.length > 10);
      for (const id of ids) {
        for (const board of [ansi, iso])
          assertTypesLayout(board, await builtinLayout(id, board), keyboard);
      }
    });

    it(`types random layouts with explicit Shift characters (keyboard type ${keyboard})`, () => {
      for (const board of [ansi, iso]) {
        fc.assert(
          fc.property(randomOsLayout(board), (layout) => {
            assertTypesLayout(board, layout, keyboard);
          }),
          { numRuns: 40 },
        );
      }
    });

    it(`types QWERTY with Command held, on every place, whatever the layout (type ${keyboard})`, async () => {
      const file = exportedFile(iso, await builtinLayout("dvorak", iso), keyboard);
      for (const place of KEY_POSITIONS) {
        const code = codeOf(place, keyboard);
        assert.equal(keyOutput(file, code, ["command"]), place.us[0], place.code);
        assert.equal(keyOutput(file, code, ["command", "shift"]), place.us[1], place.code);
        assert.equal(keyOutput(file, code, ["command", "option"]), place.us[0], place.code);
        assert.equal(keyOutput(file, code, ["command", "control"]), place.us[0], place.code);
      }
      // Dvorak's j is on QWERTY's c (key code 8): ⌘ on it still copies.
      assert.equal(keyOutput(file, 8), "j");
      assert.equal(keyOutput(file, 8, ["command"]), "c");
      assert.equal(keyOutput(file, 9, ["command"]), "v");
      assert.equal(keyOutput(file, 6, ["command"]), "z");
      assert.equal(keyOutput(file, 6, ["command", "shift"]), "Z");
    });
  }

  it("puts the key left of 1 on code 50 for ANSI and on 10 for ISO, and always writes both", async () => {
    const layout = await builtinLayout("qwerty", iso);
    const ansiFile = exportedFile(iso, layout, "ansi");
    const isoFile = exportedFile(iso, layout, "iso");
    assert.deepEqual([keyOutput(ansiFile, 50), keyOutput(ansiFile, 10)], ["`", "\\"]);
    assert.deepEqual([keyOutput(isoFile, 10), keyOutput(isoFile, 50)], ["`", "\\"]);
    const ansiBoardFile = exportedFile(ansi, await builtinLayout("qwerty", ansi), "iso");
    assert.deepEqual([keyOutput(ansiBoardFile, 10), keyOutput(ansiBoardFile, 50)], ["`", ""]);
    for (const file of [ansiFile, isoFile, ansiBoardFile]) {
      for (const keys of file.keyMaps.values()) {
        assert.ok(keys.has(10) && keys.has(50), "a code left out is a dead key");
      }
    }
  });

  it("keeps Return, Tab, Delete, Escape, the arrows and the space bar working", async () => {
    const file = exportedFile(ansi, await builtinLayout("graphite", ansi), "ansi");
    for (const held of [[], ["shift"], ["caps"], ["command"], ["option"]] as const) {
      assert.equal(keyOutput(file, 36, [...held]), "\r");
      assert.equal(keyOutput(file, 48, [...held]), "\t");
      assert.equal(keyOutput(file, 51, [...held]), "\b");
      assert.equal(keyOutput(file, 53, [...held]), "\u001b");
      assert.deepEqual(
        [123, 124, 125, 126].map((code) => keyOutput(file, code, [...held])),
        ["\u001c", "\u001d", "\u001f", "\u001e"],
      );
    }
    assert.equal(keyOutput(file, 49), " ");
  });

  it("escapes markup characters as references and writes a character outside the BMP as one", () => {
    const chars = ansi.keys.map(
      (key) =>
        ({ C01: "<", C02: "&", C03: '"', C04: "'", C05: "😀", C06: " " })[key.position ?? ""] ??
        null,
    );
    const explicit = ansi.keys.map((key) => (key.position === "C01" ? ">" : undefined));
    const layout = checkedLayout("a < b & \"c\" 'd'", ansi, chars, explicit);
    const text = layoutKeylayout(ansi, layout, ORIGIN, { keyboard: "ansi" });
    assert.match(text, /output="&#x1F600;"/);
    assert.doesNotMatch(text, /output="[<&"'>]"/);
    const file = assertTypesLayout(ansi, layout, "ansi");
    assert.equal(file.keyboard.name, layout.name);
    assert.equal(file.keyboard.maxout, "2", "😀 is two UTF-16 units");
  });

  it("refuses characters no XML file can hold, naming every key", () => {
    const chars = ansi.keys.map((key) =>
      key.position === "D01" ? "\u0000" : key.position === "D02" ? "w" : null,
    );
    const explicit = ansi.keys.map((key) => (key.position === "D02" ? "\uFFFF" : undefined));
    assertRefused(
      () =>
        layoutKeylayout(ansi, checkedLayout("nul", ansi, chars, explicit), ORIGIN, {
          keyboard: "iso",
        }),
      "EXPORT_KEYLAYOUT_UNMAPPED",
      ["r1c1", "r1c2"],
    );
  });

  it("refuses a character on a key with no place on a PC keyboard", () => {
    const chars = ansi.keys.map((key) => (key.id === "space-l" ? "x" : null));
    assertRefused(
      () =>
        layoutKeylayout(ansi, checkedLayout("thumb", ansi, chars), ORIGIN, { keyboard: "ansi" }),
      "EXPORT_KEY_PLACE_INVALID",
      ["space-l"],
    );
  });

  it("starts with the export header and the install steps in a comment without --", async () => {
    const layout = { ...(await builtinLayout("qwerty", iso)), name: "a--b -- c-" };
    for (const keyboard of KEYBOARDS) {
      const text = layoutKeylayout(iso, layout, ORIGIN, { keyboard });
      const file = readKeylayout(text);
      assert.equal(file.comments.length, 1);
      const comment = file.comments[0] as string;
      assert.doesNotMatch(comment, /--/);
      assert.doesNotMatch(comment, /-$/);
      const lines = comment.trim().split("\n");
      assert.deepEqual(lines.slice(1, 4), [
        `Board: ${iso.name} (iso)`,
        "Corpus: English test (en-test)",
        "Exported by KeyForge 9.8.7",
      ]);
      assert.match(lines[0] as string, /^Layout: a- -b - - c-$/);
      assert.match(comment, /~\/Library\/Keyboard Layouts\//);
      assert.match(comment, /log out/);
      assert.match(comment, /Input Sources/);
      assert.match(comment, new RegExp(`type ${keyboard.toUpperCase()}`));
      assert.match(comment, /Command\+C is the key where QWERTY has C/);
      assert.equal(file.keyboard.name, layout.name, "the name attribute keeps the name");
    }
  });
});

describe("the keylayout reader used above", () => {
  const good = () =>
    layoutKeylayout(
      ansi,
      checkedLayout(
        "q",
        ansi,
        ansi.keys.map((k) => k.char ?? null),
      ),
      ORIGIN,
      { keyboard: "ansi" },
    );

  it("rejects misnested elements, missing attributes, repeated codes and indices, named entities", () => {
    assert.doesNotThrow(() => readKeylayout(good()));
    assert.throws(
      () => readKeylayout(good().replace("\t</keyMapSet>", "\t</keyMap></keyMapSet>")),
      /closing tag|closed/,
    );
    assert.throws(
      () => readKeylayout(good().replace("</layouts>", "")),
      /never closed|closes|inside/,
    );
    assert.throws(() => readKeylayout(good().replace('group="126" ', "")), /lacks group/);
    assert.throws(
      () => readKeylayout(good().replace('<key code="1" ', '<key code="0" ')),
      /key code 0 twice/,
    );
    assert.throws(
      () => readKeylayout(good().replace('mapIndex="5"', 'mapIndex="4"')),
      /share an index/,
    );
    assert.throws(() => readKeylayout(good().replace("&#x0027;", "&apos;")), /named entities/);
    assert.throws(
      () => readKeylayout(good().replace('<key code="0" output="a"/>', '<modifier keys=""/>')),
      /inside <keyMap>/,
    );
  });
});
