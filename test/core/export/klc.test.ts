import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Board } from "../../../src/core/board.ts";
import type { ExportOrigin } from "../../../src/core/export/export-header.ts";
import { encodeKlc, klcKbdName, layoutKlc } from "../../../src/core/export/klc.ts";
import { boardPositions, KEY_POSITIONS } from "../../../src/core/key-positions.ts";
import { checkedLayout, type Layout } from "../../../src/core/layout.ts";
import { layoutOnBoard } from "../../../src/core/layout-definition.ts";
import { builtinIds, loadBoard, loadLayoutDefinition } from "../../../src/infra/system-data.ts";
import { assertRefused } from "../../helpers/keyforge-errors.ts";
import { decodeKlcBytes, type KlcFile, readKlc } from "../../helpers/klc-file.ts";
import { randomOsLayout, swapFirstTwo, typedByPlace } from "../../helpers/random-os-layout.ts";

const ORIGIN: ExportOrigin = { version: "9.8.7", corpus: { id: "en-test", name: "English test" } };

const [ansi, iso] = await Promise.all([loadBoard("ansi"), loadBoard("iso")]);

async function builtinLayout(id: string, board: Board): Promise<Layout> {
  return layoutOnBoard(await loadLayoutDefinition(id), board);
}

/** The file as Windows gets it: the bytes written, decoded and read. */
function exportedFile(board: Board, layout: Layout): KlcFile {
  return readKlc(decodeKlcBytes(encodeKlc(layoutKlc(board, layout, ORIGIN))));
}

/** The file's LAYOUT rows back on the board's places: place → [base, Shift]. */
function typedByFile(board: Board, file: KlcFile): Map<string, [string | null, string | null]> {
  const placeOfScanCode = new Map(
    boardPositions(board).flatMap((place) => (place ? [[place.evdev, place.code] as const] : [])),
  );
  const typed = new Map<string, [string | null, string | null]>();
  assert.deepEqual(file.shiftStates, [0, 1]);
  for (const row of file.rows) {
    const code = placeOfScanCode.get(row.scanCode);
    assert.ok(code, `scan code ${row.scanCode.toString(16)} is no place of board ${board.id}`);
    typed.set(code, [row.chars[0] ?? null, row.chars[1] ?? null]);
  }
  return typed;
}

/** Every key with a place types the layout's characters, and only those keys have rows. */
function assertTypesLayout(board: Board, layout: Layout): KlcFile {
  const file = exportedFile(board, layout);
  const fromFile = typedByFile(board, file);
  for (const [code, chars] of typedByPlace(board, layout)) {
    assert.deepEqual(
      fromFile.get(code) ?? [null, null],
      chars,
      `${layout.name} on ${board.id}, ${code}`,
    );
  }
  return file;
}

const MSKLC_SECTIONS = [
  "KBD",
  "COPYRIGHT",
  "COMPANY",
  "LOCALENAME",
  "LOCALEID",
  "VERSION",
  "SHIFTSTATE",
  "LAYOUT",
  "KEYNAME",
  "KEYNAME_EXT",
  "DESCRIPTIONS",
  "LANGUAGENAMES",
  "ENDKBD",
];

describe("the Windows KLC export", () => {
  it("is UTF-16LE bytes after FF FE, every line ending in CRLF, MSKLC's sections in order", async () => {
    const text = layoutKlc(ansi, await builtinLayout("qwerty", ansi), ORIGIN);
    const bytes = encodeKlc(text);
    assert.deepEqual([...bytes.subarray(0, 4)], [0xff, 0xfe, 0x2f, 0x00], "BOM, then '/' of //");
    assert.equal(Buffer.from(bytes).toString("utf16le"), text);
    assert.equal(decodeKlcBytes(bytes), text);
    assert.match(text, /^\uFEFF/);
    assert.doesNotMatch(text.replace(/\r\n/g, ""), /[\r\n]/);
    const file = readKlc(text);
    assert.deepEqual(file.sections, MSKLC_SECTIONS);
    assert.equal(file.body.get("DESCRIPTIONS")?.[0], "0409\tqwerty");
    assert.deepEqual(file.body.get("LANGUAGENAMES"), ["0409\tEnglish (United States)"]);
    assert.ok(file.body.get("KEYNAME")?.includes("39\tSpace"));
    assert.ok(file.body.get("KEYNAME_EXT")?.includes('5b\t"Left Windows"'));
  });

  it("keeps the US virtual keys on QWERTY, and gives the UK keys of ISO their own", async () => {
    for (const board of [ansi, iso]) {
      const file = exportedFile(board, await builtinLayout("qwerty", board));
      const vkOfScanCode = new Map(KEY_POSITIONS.map((place) => [place.evdev, place.vk]));
      for (const row of file.rows) assert.equal(row.vk, vkOfScanCode.get(row.scanCode), board.id);
    }
  });

  it("makes Ctrl shortcuts follow the letters on Dvorak, with each virtual key once", async () => {
    const file = exportedFile(ansi, await builtinLayout("dvorak", ansi));
    const vks = file.rows.map((row) => row.vk);
    assert.equal(new Set(vks).size, vks.length, "a VK on two rows works on the first only");
    for (const row of file.rows) {
      const base = row.chars[0];
      if (base && /^[a-z]$/.test(base)) assert.equal(row.vk, base.toUpperCase(), `row of ${base}`);
    }
    // Dvorak's c is on QWERTY's i: scan code 17.
    assert.equal(file.rows.find((row) => row.scanCode === 0x17)?.vk, "C");
  });

  it("sets Caps Lock to act as Shift on letter keys only", async () => {
    const layout = checkedLayout(
      "caps",
      ansi,
      ansi.keys.map((key) =>
        key.position === "C01"
          ? "é"
          : key.position === "C02"
            ? "ß"
            : key.position === "C03"
              ? "d"
              : null,
      ),
      ansi.keys.map((key) => (key.position === "C03" ? "x" : undefined)),
    );
    const file = exportedFile(ansi, layout);
    const capOf = (sc: number) => file.rows.find((row) => row.scanCode === sc)?.cap;
    assert.equal(capOf(0x1e), 1, "é É");
    assert.equal(capOf(0x1f), 1, "ß ẞ");
    assert.equal(capOf(0x20), 0, "a letter whose Shift character is not its capital");
    for (const row of exportedFile(ansi, await builtinLayout("qwerty", ansi)).rows) {
      assert.equal(row.cap, /^[a-z]$/.test(row.chars[0] ?? "") ? 1 : 0, row.chars.join(" "));
    }
  });

  it("types every built-in layout on ansi and on iso", async () => {
    const ids = await builtinIds("layouts");
    assert.ok(ids.length > 10);
    for (const id of ids) {
      for (const board of [ansi, iso]) assertTypesLayout(board, await builtinLayout(id, board));
    }
  });

  it("types random layouts with explicit Shift characters, on ansi and iso", () => {
    for (const board of [ansi, iso]) {
      fc.assert(
        fc.property(randomOsLayout(board), (layout) => {
          assertTypesLayout(board, layout);
        }),
        { numRuns: 60 },
      );
    }
  });

  it("refuses characters outside the BMP and Windows' reserved code points, naming every key", () => {
    const chars = ansi.keys.map((key) =>
      key.position === "D01"
        ? "😀"
        : key.position === "D02"
          ? "\uF001"
          : key.position === "C05"
            ? "g"
            : null,
    );
    const explicit = ansi.keys.map((key) => (key.position === "C05" ? "𝔸" : undefined));
    assertRefused(
      () => layoutKlc(ansi, checkedLayout("wide", ansi, chars, explicit), ORIGIN),
      "EXPORT_KLC_UNMAPPED",
      ["r1c1", "r1c2", "r2c5"],
    );
  });

  it("refuses a character on a key with no place on a PC keyboard", () => {
    const chars = ansi.keys.map((key) => (key.id === "space-l" ? "x" : null));
    const error = assertRefused(
      () => layoutKlc(ansi, checkedLayout("thumb", ansi, chars), ORIGIN),
      "EXPORT_KEY_PLACE_INVALID",
      ["space-l"],
    );
    assert.match(error.message, /position/);
  });

  it("starts with the export header and MSKLC's install steps as // comments", async () => {
    const layout = await builtinLayout("colemak", ansi);
    const text = layoutKlc(ansi, layout, ORIGIN);
    const file = readKlc(text);
    assert.deepEqual(file.headerComments.slice(0, 4), [
      "Layout: colemak",
      `Board: ${ansi.name} (ansi)`,
      "Corpus: English test (en-test)",
      "Exported by KeyForge 9.8.7",
    ]);
    const header = file.headerComments.join(" ");
    assert.match(header, /Build DLL and Setup Package/);
    assert.match(header, /setup\.exe/);
    assert.match(header, /Ctrl\+C is the key that types c/);
    assert.ok(header.includes(file.name), "names MSKLC's build folder");
  });

  it("names the DLL with 8 letters and digits, new for every changed layout", async () => {
    const colemak = await builtinLayout("colemak", ansi);
    const name = klcKbdName(colemak, ansi);
    assert.match(name, /^cole[0-9a-f]{4}$/);
    assert.equal(klcKbdName(colemak, ansi), name);
    const changed = checkedLayout(colemak.name, ansi, swapFirstTwo(colemak.chars));
    assert.notEqual(klcKbdName(changed, ansi), name);
    assert.match(klcKbdName({ ...colemak, name: "ÄÖ 2 ü" }, ansi), /^kf[0-9a-f]{6}$/);
    const file = exportedFile(ansi, { ...colemak, name: 'Say "hi"\tnow // ok' });
    assert.equal(file.description, "Say 'hi' now // ok");
  });
});

describe("the KLC reader used above", () => {
  const good = () =>
    layoutKlc(
      ansi,
      checkedLayout(
        "q",
        ansi,
        ansi.keys.map((k) => k.char ?? null),
      ),
      ORIGIN,
    );

  it("rejects bytes without the byte order mark, LF line ends, and sections missing or out of order", () => {
    assert.throws(() => decodeKlcBytes(encodeKlc(good().slice(1))), /FF FE/);
    assert.throws(() => readKlc(good().replace(/\r\n/g, "\n")), /CRLF/);
    assert.throws(() => readKlc(good().replace("KEYNAME_EXT\r\n", "")), /missing: KEYNAME_EXT/);
    const swapped = good()
      .replace("COPYRIGHT", "COMPANY_")
      .replace("COMPANY\t", "COPYRIGHT\t")
      .replace("COMPANY_", "COMPANY");
    assert.throws(() => readKlc(swapped), /order/);
    assert.throws(() => readKlc(good().replace("\t0020\t", "\t20\t")), /neither 4 hex digits/);
  });
});
