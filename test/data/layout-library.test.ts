import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { formatToken } from "../../src/core/layout.ts";
import { type LayoutDefinition, parseLayoutDefinition } from "../../src/core/layout-definition.ts";

const LAYOUTS_DIR = new URL("../../data/system/layouts/", import.meta.url);

const REQUIRED_IDS = [
  "qwerty",
  "dvorak",
  "colemak",
  "colemak-dh",
  "workman",
  "halmak",
  "mtgap",
  "isrt",
  "engram",
  "canary",
  "graphite",
  "gallium",
  "sturdy",
  "semimak",
  "recurva",
  "focal",
  "whorf",
  "nerps",
  "apt-v3",
  "hands-down-neu",
  "ctgap",
  "northstar",
];

/**
 * Layouts whose letters do not all sit in the 3x10 block (on a thumb key or an extra column),
 * with exactly the letters they leave out.
 */
const LETTERS_OUTSIDE_BLOCK: ReadonlyMap<string, readonly string[]> = new Map([
  ["engram", ["q", "z"]],
  ["hands-down-neu", ["j", "z"]],
]);

const ALPHABET = [..."abcdefghijklmnopqrstuvwxyz"];

interface LibraryEntry {
  readonly fileId: string;
  readonly definition: LayoutDefinition;
}

function loadLibrary(): LibraryEntry[] {
  return readdirSync(LAYOUTS_DIR)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => {
      const fileId = name.slice(0, -".json".length);
      const data: unknown = JSON.parse(readFileSync(new URL(name, LAYOUTS_DIR), "utf8"));
      return { fileId, definition: parseLayoutDefinition(data, fileId) };
    });
}

const library = loadLibrary();
const byId = new Map(library.map((entry) => [entry.definition.id, entry.definition]));

function row(id: string, index: number): string {
  const definition = byId.get(id);
  assert.ok(definition, `layout ${id} is missing`);
  const keys = definition.letterBlock[index];
  assert.ok(keys, `layout ${id} has no row ${index}`);
  return keys.map(formatToken).join(" ");
}

describe("built-in layout library", () => {
  it("names every file after the id inside it", () => {
    for (const { fileId, definition } of library) {
      assert.equal(definition.id, fileId, `${fileId}.json declares id ${definition.id}`);
    }
  });

  it("ships every required layout", () => {
    const missing = REQUIRED_IDS.filter((id) => !byId.has(id));
    assert.deepEqual(missing, []);
  });

  it("gives every layout 30 keys with no character twice", () => {
    for (const { fileId, definition } of library) {
      const keys = definition.letterBlock.flat();
      assert.equal(keys.length, 30, `${fileId} has ${keys.length} keys`);
      const chars = keys.filter((char): char is string => char !== null);
      const duplicates = chars.filter((char, i) => chars.indexOf(char) !== i);
      assert.deepEqual(duplicates, [], `${fileId} repeats ${duplicates.join(" ")}`);
    }
  });

  it("puts all 26 letters in the block, except the letters a layout keeps elsewhere", () => {
    for (const { fileId, definition } of library) {
      const chars = new Set(definition.letterBlock.flat());
      const missing = ALPHABET.filter((letter) => !chars.has(letter));
      assert.deepEqual(missing, LETTERS_OUTSIDE_BLOCK.get(fileId) ?? [], `${fileId} letters`);
    }
  });

  it("records who made each layout", () => {
    for (const { fileId, definition } of library) {
      assert.ok(definition.author.trim() !== "", `${fileId} has no author`);
      assert.ok((definition.source ?? "").trim() !== "", `${fileId} has no source`);
    }
  });

  it("matches the well-known rows users will check", () => {
    assert.equal(row("qwerty", 0), "q w e r t y u i o p");
    assert.equal(row("qwerty", 1), "a s d f g h j k l ;");
    assert.equal(row("dvorak", 0), "' , . p y f g c r l");
    assert.equal(row("dvorak", 1), "a o e u i d h t n s");
    assert.equal(row("colemak", 1), "a r s t d h n e i o");
    assert.equal(row("colemak-dh", 1), "a r s t g m n e i o");
    assert.equal(row("colemak-dh", 2), "z x c d v k h , . /");
    assert.equal(row("workman", 1), "a s h t g y n e o i");
    assert.equal(row("canary", 1), "c r s t g m n e i a");
    assert.equal(row("graphite", 1), "n r t s g y h a e i");
    assert.equal(row("semimak", 1), "s r n t k c d e a i");
    assert.equal(row("engram", 1), "c i e a , . h t s n");
  });
});
