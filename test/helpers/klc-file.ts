/**
 * A reader of Microsoft Keyboard Layout Creator sources (.klc), written from the format's
 * description (MSKLC's files, ReactOS kbdtool's parser), not from the exporter: it checks what
 * MSKLC needs of the bytes and the section order, and reads the LAYOUT section back.
 */

/** Sections in the order MSKLC writes them; optional ones may be left out. */
const SECTION_ORDER = [
  "KBD",
  "COPYRIGHT",
  "COMPANY",
  "LOCALENAME",
  "LOCALEID",
  "VERSION",
  "SHIFTSTATE",
  "LAYOUT",
  "LIGATURE",
  "DEADKEY",
  "KEYNAME",
  "KEYNAME_EXT",
  "KEYNAME_DEAD",
  "DESCRIPTIONS",
  "LANGUAGENAMES",
  "ENDKBD",
] as const;

const OPTIONAL = new Set(["LIGATURE", "DEADKEY", "KEYNAME_DEAD"]);

export interface KlcRow {
  /** Scan code, from its hex digits. */
  readonly scanCode: number;
  readonly vk: string;
  readonly cap: number;
  /** One character (or null for -1) per SHIFTSTATE column. */
  readonly chars: readonly (string | null)[];
}

export interface KlcFile {
  /** The section keywords, in file order. */
  readonly sections: readonly string[];
  /** KBD's name and description. */
  readonly name: string;
  readonly description: string;
  readonly shiftStates: readonly number[];
  readonly rows: readonly KlcRow[];
  /** The comment lines before KBD, without `//`. */
  readonly headerComments: readonly string[];
  /** The lines of a section (after the keyword line), without comments and blank lines. */
  readonly body: ReadonlyMap<string, readonly string[]>;
}

/** The text of a .klc file's bytes (U+FEFF first), which must be UTF-16LE after a byte order mark. */
export function decodeKlcBytes(bytes: Uint8Array): string {
  if (bytes[0] !== 0xff || bytes[1] !== 0xfe) throw new Error("a KLC starts with the bytes FF FE");
  if (bytes.length % 2 !== 0) throw new Error("UTF-16 text has an even number of bytes");
  return new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true }).decode(bytes);
}

/** Text without its `//` comment; `//` inside a double-quoted string is text. */
function withoutComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (!quoted && line.startsWith("//", i)) return line.slice(0, i);
  }
  return line;
}

/** A character cell: four hex digits, one literal character, or -1 (none). */
function readCell(cell: string): string | null {
  if (cell === "-1") return null;
  if (/^[0-9a-fA-F]{4}$/.test(cell)) return String.fromCharCode(Number.parseInt(cell, 16));
  if (cell.length === 1) return cell;
  throw new Error(`KLC cell ${JSON.stringify(cell)} is neither 4 hex digits, one character nor -1`);
}

function unquote(value: string): string {
  const match = /^"([^"]*)"$/.exec(value);
  if (!match) throw new Error(`${value} is not a quoted string`);
  return match[1] as string;
}

/**
 * Reads a .klc text (after decoding): every line must end in CRLF, the mandatory sections must
 * all be there, once each, in MSKLC's order, and every LAYOUT row must have a cell per shift
 * state.
 */
export function readKlc(text: string): KlcFile {
  if (!text.startsWith("\uFEFF")) throw new Error("a KLC text starts with U+FEFF");
  if (!text.endsWith("\r\n")) throw new Error("the last line of a KLC ends in CRLF");
  const lines = text.slice(1, -2).split("\r\n");
  const bad = lines.findIndex((line) => /[\r\n]/.test(line));
  if (bad >= 0) throw new Error(`line ${bad + 1} has a line break that is not CRLF`);

  const sections: string[] = [];
  const body = new Map<string, string[]>();
  const headerComments: string[] = [];
  const keywords = new Set<string>(SECTION_ORDER);
  let current: string[] | undefined;
  const fields = new Map<string, string[]>();
  for (const line of lines) {
    if (sections.length === 0 && line.startsWith("//")) {
      headerComments.push(line.replace(/^\/\/ ?/, ""));
      continue;
    }
    const content = withoutComment(line).trim();
    if (content === "" || content.startsWith(";")) continue;
    const parts = content.split("\t").filter((part) => part !== "");
    const word = parts[0] as string;
    if (keywords.has(word)) {
      sections.push(word);
      fields.set(word, parts.slice(1));
      current = [];
      body.set(word, current);
    } else {
      if (!current) throw new Error(`line ${JSON.stringify(line)} comes before any section`);
      current.push(content);
    }
  }

  const mandatory = SECTION_ORDER.filter((word) => !OPTIONAL.has(word));
  const missing = mandatory.filter((word) => !sections.includes(word));
  if (missing.length > 0) throw new Error(`sections missing: ${missing.join(" ")}`);
  const positions = sections
    .filter((word) => word !== "DEADKEY")
    .map((w) => SECTION_ORDER.indexOf(w as never));
  positions.forEach((position, i) => {
    if (i > 0 && position <= (positions[i - 1] as number)) {
      throw new Error(`sections out of MSKLC's order: ${sections.join(" ")}`);
    }
  });
  if (sections.at(-1) !== "ENDKBD") throw new Error("ENDKBD is not the last section");

  const kbd = fields.get("KBD") ?? [];
  const name = kbd[0] ?? "";
  if (!/^[A-Za-z0-9]{1,8}$/.test(name))
    throw new Error(`KBD name ${name} is not 1–8 letters and digits`);
  if (!/^"\d{8}"$/.test(fields.get("LOCALEID")?.[0] ?? ""))
    throw new Error("LOCALEID is not 8 digits");

  const shiftStates = (body.get("SHIFTSTATE") ?? []).map((line) => {
    if (!/^[012367]$/.test(line)) throw new Error(`shift state ${line} is not one of 0 1 2 3 6 7`);
    return Number(line);
  });
  if (shiftStates.length < 2) throw new Error("SHIFTSTATE lists fewer than 2 states");

  const rows = (body.get("LAYOUT") ?? []).map((line): KlcRow => {
    const cells = line.split("\t").filter((cell) => cell !== "");
    if (cells.length !== 3 + shiftStates.length) {
      throw new Error(`LAYOUT row ${JSON.stringify(line)} has not one cell per shift state`);
    }
    const [sc, vk, cap, ...chars] = cells as [string, string, string, ...string[]];
    if (!/^[0-9a-f]{2}$/i.test(sc)) throw new Error(`scan code ${sc} is not 2 hex digits`);
    if (!/^([A-Z0-9]|OEM_[A-Z0-9]+|SPACE|DECIMAL)$/.test(vk))
      throw new Error(`VK ${vk} is not one KLC knows`);
    if (!/^[0145]$/.test(cap))
      throw new Error(`Cap ${cap} is not a KLC flag (SGCap is not read here)`);
    return { scanCode: Number.parseInt(sc, 16), vk, cap: Number(cap), chars: chars.map(readCell) };
  });
  const scanCodes = rows.map((row) => row.scanCode);
  if (new Set(scanCodes).size !== scanCodes.length)
    throw new Error("a scan code has two LAYOUT rows");

  return {
    sections,
    name,
    description: unquote(kbd[1] ?? ""),
    shiftStates,
    rows,
    headerComments,
    body,
  };
}
