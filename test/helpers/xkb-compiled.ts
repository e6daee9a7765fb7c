import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Compiles xkb files with xkbcomp, the X server's compiler, and reads back what each key types:
 * a check of an exported layout by the tool that will load it, written from the format (the
 * compiled `xkb_keycodes` and `xkb_symbols` sections) and not from the exporter.
 */

/** What a compiled key holds in its first group. */
export interface CompiledKey {
  /** xkb key name, e.g. AC01. */
  readonly name: string;
  /** The key type when xkbcomp prints it (the long form of a key); undefined in the short form. */
  readonly type: string | undefined;
  /** The keysym name of each level, as printed (`a`, `eacute`, `U20AC`, `VoidSymbol`). */
  readonly keysyms: readonly string[];
}

/** A compiled keymap: the label of its first group and its keys by X key code. */
export interface CompiledKeymap {
  readonly groupName: string | undefined;
  readonly keys: ReadonlyMap<number, CompiledKey>;
}

const XKBCOMP_MISSING =
  "xkbcomp or the xkb data files are missing: install Debian's x11-xkb-utils and xkb-data " +
  "(apt-get install x11-xkb-utils xkb-data)";

/** Warnings that mean the file did not say what it meant; xkbcomp still exits 0 for them. */
const BAD_WARNING = /could not resolve keysym|error|syntax/i;

/**
 * Runs `xkbcomp -w 0 -I<dir> -xkb` on a keymap, with `symbols` written to `<dir>/symbols/<name>`
 * first, and returns the compiled text. Throws on a non-zero exit or a warning of BAD_WARNING:
 * an unknown keysym is only a warning, and the key silently keeps what was there before.
 */
export function compileXkb(
  keymap: string,
  symbols?: { readonly name: string; readonly text: string },
): string {
  if (!existsSync("/usr/share/X11/xkb/symbols/pc")) throw new Error(XKBCOMP_MISSING);
  const dir = mkdtempSync(join(tmpdir(), "keyforge-xkb-"));
  try {
    if (symbols) {
      mkdirSync(join(dir, "symbols"));
      writeFileSync(join(dir, "symbols", symbols.name), symbols.text);
    }
    writeFileSync(join(dir, "keymap.xkb"), keymap);
    const run = spawnSync("xkbcomp", ["-w", "0", `-I${dir}`, "-xkb", "keymap.xkb", "out.xkb"], {
      cwd: dir,
      encoding: "utf8",
    });
    if (run.error) {
      throw (run.error as NodeJS.ErrnoException).code === "ENOENT"
        ? new Error(XKBCOMP_MISSING)
        : run.error;
    }
    const bad = run.stderr.split("\n").filter((line) => BAD_WARNING.test(line));
    if (run.status !== 0 || bad.length > 0) {
      throw new Error(`xkbcomp failed (exit ${run.status}):\n${bad.join("\n") || run.stderr}`);
    }
    return readFileSync(join(dir, "out.xkb"), "latin1");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A keymap that loads the symbols file `name` the way the system's rules do: after `pc`. */
export function keymapIncluding(name: string): string {
  return `xkb_keymap {
    xkb_keycodes { include "evdev+aliases(qwerty)" };
    xkb_types { include "complete" };
    xkb_compat { include "complete" };
    xkb_symbols { include "pc+${name}" };
};
`;
}

/** The body of the compiled section `kind` (xkb_keycodes, xkb_symbols, …). */
function section(compiled: string, kind: string): string {
  const start = compiled.search(new RegExp(`^${kind} "[^"\\n]*" \\{$`, "m"));
  if (start < 0) throw new Error(`the compiled keymap has no ${kind} section`);
  const end = compiled.indexOf("\n};", start);
  return compiled.slice(start, end < 0 ? undefined : end);
}

/** X key code of every key name in `xkb_keycodes` (`<AC01> = 38;`). */
function keycodes(compiled: string): Map<string, number> {
  const codes = new Map<string, number>();
  for (const match of section(compiled, "xkb_keycodes").matchAll(/^\s*<([^>]+)>\s*=\s*(\d+);/gm)) {
    codes.set(match[1] as string, Number(match[2]));
  }
  return codes;
}

/**
 * The key blocks of `xkb_symbols`, in either shape xkbcomp prints: on one line,
 * `key <AE01> { [ 1, exclam ] };`, or over several, `key <AC01> {` … `type= "ALPHABETIC",` …
 * `symbols[Group1]= [ a, A ]` … `};`.
 */
function keyBlocks(compiled: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const pattern = /^\s*key\s+<([^>]+)>\s*\{(.*?)\};$/gms;
  for (const match of section(compiled, "xkb_symbols").matchAll(pattern)) {
    blocks.set(match[1] as string, match[2] as string);
  }
  return blocks;
}

function compiledKey(name: string, block: string): CompiledKey {
  const type = /\btype(?:\[group1\])?\s*=\s*"([^"]*)"/i.exec(block)?.[1];
  const symbols =
    /symbols\[group1\]\s*=\s*\[([^\]]*)\]/i.exec(block) ?? /^\s*\[([^\]]*)\]/.exec(block);
  const names = symbols ? (symbols[1] as string).split(",").map((s) => s.trim()) : [];
  return { name, type, keysyms: names };
}

/** Reads a compiled keymap (xkbcomp -xkb output). */
export function readCompiledKeymap(compiled: string): CompiledKeymap {
  const codes = keycodes(compiled);
  const keys = new Map<number, CompiledKey>();
  for (const [name, block] of keyBlocks(compiled)) {
    const code = codes.get(name);
    if (code === undefined) throw new Error(`key <${name}> has no key code in xkb_keycodes`);
    keys.set(code, compiledKey(name, block));
  }
  const label = /^\s*name\[group1\]\s*=\s*"(.*)";$/im.exec(section(compiled, "xkb_symbols"))?.[1];
  return { groupName: label === undefined ? undefined : printedString(label), keys };
}

/**
 * A string as xkbcomp prints it: bytes as they are, except unprintable ones as `\` + octal of a
 * signed char (`\037777777703` for the byte 0xC3). The file is read as Latin-1, byte for char.
 */
function printedString(text: string): string {
  const bytes = text.replace(/\\([0-7]+)/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8) & 0xff),
  );
  return Buffer.from(bytes, "latin1").toString("utf8");
}

/**
 * keysymdef.h's names of the characters whose keysym is their code point, in runs from a first
 * code point: ASCII punctuation (letters and digits are their own names) and U+00A0..U+00FF,
 * the Latin-1 keysyms xkbcomp prints by name.
 */
const NAMED_RUNS: readonly (readonly [number, string])[] = [
  [
    0x20,
    "space exclam quotedbl numbersign dollar percent ampersand apostrophe parenleft parenright " +
      "asterisk plus comma minus period slash",
  ],
  [0x3a, "colon semicolon less equal greater question at"],
  [0x5b, "bracketleft backslash bracketright asciicircum underscore grave"],
  [0x7b, "braceleft bar braceright asciitilde"],
  [
    0xa0,
    "nobreakspace exclamdown cent sterling currency yen brokenbar section diaeresis copyright " +
      "ordfeminine guillemotleft notsign hyphen registered macron degree plusminus twosuperior " +
      "threesuperior acute mu paragraph periodcentered cedilla onesuperior masculine " +
      "guillemotright onequarter onehalf threequarters questiondown Agrave Aacute Acircumflex " +
      "Atilde Adiaeresis Aring AE Ccedilla Egrave Eacute Ecircumflex Ediaeresis Igrave Iacute " +
      "Icircumflex Idiaeresis ETH Ntilde Ograve Oacute Ocircumflex Otilde Odiaeresis multiply " +
      "Oslash Ugrave Uacute Ucircumflex Udiaeresis Yacute THORN ssharp agrave aacute " +
      "acircumflex atilde adiaeresis aring ae ccedilla egrave eacute ecircumflex ediaeresis " +
      "igrave iacute icircumflex idiaeresis eth ntilde ograve oacute ocircumflex otilde " +
      "odiaeresis division oslash ugrave uacute ucircumflex udiaeresis yacute thorn ydiaeresis",
  ],
];

/** Names keysymdef.h gives the same Latin-1 keysyms besides the ones above. */
const LATIN1_ALIASES: Readonly<Record<string, string>> = {
  guillemetleft: "«",
  guillemetright: "»",
  ordmasculine: "º",
  Eth: "Ð",
  Ooblique: "Ø",
  Thorn: "Þ",
  ooblique: "ø",
};

const BUILT_IN_NAMES: ReadonlyMap<string, string> = new Map([
  ...NAMED_RUNS.flatMap(([first, names]) =>
    names.split(" ").map((name, i): [string, string] => [name, String.fromCodePoint(first + i)]),
  ),
  ...Object.entries(LATIN1_ALIASES),
  ["Return", "\n"],
  ["Tab", "\t"],
]);

const KEYSYMDEF = "/usr/include/X11/keysymdef.h";

/**
 * Every keysym name of keysymdef.h (Debian's x11proto-dev) with its value, when the file is
 * there: xkbcomp also prints by name the Unicode keysyms that have one (`zerosubscript` for
 * U+2080, `Armenian_AYB`, `braille_dots_1`, …).
 */
let keysymdefValues: Map<string, number> | undefined;
function keysymdef(): Map<string, number> {
  if (keysymdefValues) return keysymdefValues;
  keysymdefValues = new Map();
  if (existsSync(KEYSYMDEF)) {
    const pattern = /^#define XK_([A-Za-z0-9_]+)\s+0x([0-9a-fA-F]+)/gm;
    for (const match of readFileSync(KEYSYMDEF, "utf8").matchAll(pattern)) {
      keysymdefValues.set(match[1] as string, Number.parseInt(match[2] as string, 16));
    }
  }
  return keysymdefValues;
}

/** Can keysymChar read every name xkbcomp prints, not only those of ASCII and Latin-1? */
export function readsEveryKeysymName(): boolean {
  return keysymdef().size > 0;
}

/** The character a keysym value stands for: Latin-1 keysyms are the code point, Unicode ones + 0x01000000. */
function keysymValueChar(value: number): string | undefined {
  if ((value >= 0x20 && value <= 0x7e) || (value >= 0xa0 && value <= 0xff)) {
    return String.fromCodePoint(value);
  }
  if (value >= 0x01000100 && value <= 0x0110ffff) return String.fromCodePoint(value - 0x01000000);
  return undefined;
}

/** The character each level of a key types; null for none. */
export function keyCharacters(key: CompiledKey): (string | null)[] {
  return key.keysyms.map(keysymChar);
}

/** The character a keysym name types; null for NoSymbol and VoidSymbol. */
export function keysymChar(name: string): string | null {
  if (name === "NoSymbol" || name === "VoidSymbol") return null;
  const unicode = /^U([0-9A-Fa-f]{4,8})$/.exec(name);
  if (unicode) return String.fromCodePoint(Number.parseInt(unicode[1] as string, 16));
  if (/^[A-Za-z0-9]$/.test(name)) return name;
  const builtIn = BUILT_IN_NAMES.get(name);
  if (builtIn !== undefined) return builtIn;
  const value = keysymdef().get(name);
  const char = value === undefined ? undefined : keysymValueChar(value);
  if (char !== undefined) return char;
  throw new Error(
    value === undefined
      ? `keysym ${name} is not one this reader knows: install Debian's x11proto-dev (${KEYSYMDEF})`
      : `keysym ${name} (0x${value.toString(16)}) stands for no one character`,
  );
}
