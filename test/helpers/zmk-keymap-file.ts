/**
 * A reader of ZMK keymaps (`<shield>.keymap`, devicetree), written from ZMK's documentation and
 * `dt-bindings/zmk/keys.h`, not from the exporter: it parses the devicetree nodes, finds the
 * keymap's layers and the mod-morph behaviors, and works out what each binding of the first
 * layer types on a US host, without and with Shift held.
 */
import {
  type TypedKey,
  type UsHostPress,
  usHostTypes,
  usKey,
  withoutCComments,
} from "./us-host-layout.ts";

/** A devicetree node: its label (`label: name { … }`), properties (raw values) and children. */
export interface DtNode {
  readonly label?: string;
  readonly name: string;
  readonly props: ReadonlyMap<string, string>;
  readonly children: readonly DtNode[];
}

/** keys.h names of the keys the US layout types characters with (without LS()). */
const ZMK_KEYS: ReadonlyMap<string, UsHostPress> = new Map([
  ...[..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"].map((c) => [c, usKey(c.toLowerCase())] as const),
  ...[..."0123456789"].map((d) => [`N${d}`, usKey(d)] as const),
  ["EXCL", usKey("1", true)],
  ["AT", usKey("2", true)],
  ["HASH", usKey("3", true)],
  ["DLLR", usKey("4", true)],
  ["PRCNT", usKey("5", true)],
  ["CARET", usKey("6", true)],
  ["AMPS", usKey("7", true)],
  ["ASTRK", usKey("8", true)],
  ["LPAR", usKey("9", true)],
  ["RPAR", usKey("0", true)],
  ["MINUS", usKey("-")],
  ["UNDER", usKey("-", true)],
  ["EQUAL", usKey("=")],
  ["PLUS", usKey("=", true)],
  ["LBKT", usKey("[")],
  ["LBRC", usKey("[", true)],
  ["RBKT", usKey("]")],
  ["RBRC", usKey("]", true)],
  ["BSLH", usKey("\\")],
  ["PIPE", usKey("\\", true)],
  ["SEMI", usKey(";")],
  ["COLON", usKey(";", true)],
  ["SQT", usKey("'")],
  ["DQT", usKey("'", true)],
  ["GRAVE", usKey("`")],
  ["TILDE", usKey("`", true)],
  ["COMMA", usKey(",")],
  ["LT", usKey(",", true)],
  ["DOT", usKey(".")],
  ["GT", usKey(".", true)],
  ["FSLH", usKey("/")],
  ["QMARK", usKey("/", true)],
  ["SPACE", usKey(" ")],
  ["ENTER", usKey("\n")],
  ["RET", usKey("\n")],
  ["TAB", usKey("\t")],
]);

/** A keycode parameter of `&kp`: a keys.h name, or LS(name) for the key with left Shift. */
export function zmkKeyPress(code: string): UsHostPress {
  const shifted = /^LS\((.+)\)$/.exec(code);
  const press = ZMK_KEYS.get(shifted ? (shifted[1] as string) : code);
  if (!press) throw new Error(`unknown ZMK keycode ${code}`);
  return shifted ? { ...press, shift: true } : press;
}

/** Reads `text` from `pos` up to the first of `stops` outside quotes and `<…>`. */
function scanTo(text: string, pos: number, stops: string): number {
  let depth = 0;
  let quoted = false;
  for (let i = pos; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "<") depth++;
    else if (c === ">") depth--;
    else if (depth === 0 && stops.includes(c)) return i;
  }
  throw new Error(`devicetree: expected one of ${stops} after position ${pos}`);
}

/** The statements of a node body from `pos` to its closing `};`; returns the node and the end. */
function parseBody(text: string, pos: number, head: string): [DtNode, number] {
  const labelled = /^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(\S+)$/.exec(head);
  const props = new Map<string, string>();
  const children: DtNode[] = [];
  let i = pos;
  for (;;) {
    while (/\s/.test(text[i] ?? "")) i++;
    if (text[i] === "}") {
      if (text.slice(i, i + 2) !== "};") throw new Error("devicetree: node must end with };");
      const node: DtNode = labelled
        ? { label: labelled[1] as string, name: labelled[2] as string, props, children }
        : { name: head, props, children };
      return [node, i + 2];
    }
    const stop = scanTo(text, i, "{;=");
    const name = text.slice(i, stop).trim();
    if (!/^[A-Za-z0-9_,.#+\-/: ]+$/.test(name)) throw new Error(`devicetree: bad name "${name}"`);
    if (text[stop] === "{") {
      const [child, end] = parseBody(text, stop + 1, name);
      children.push(child);
      i = end;
    } else if (text[stop] === "=") {
      const end = scanTo(text, stop + 1, ";");
      props.set(name, text.slice(stop + 1, end).trim());
      i = end + 1;
    } else {
      props.set(name, "");
      i = stop + 1;
    }
  }
}

/** Every node of a devicetree source, after its `#include`s (which must be ZMK's own). */
export function parseDevicetree(source: string): { includes: string[]; root: DtNode } {
  const text = withoutCComments(source);
  const includes: string[] = [];
  const body = text.replace(/^\s*#include\s+(\S+)\s*$/gm, (_line, file: string) => {
    includes.push(file);
    return "";
  });
  // `#binding-cells` is a property; a directive is a `#` word the preprocessor knows.
  if (/^\s*#\s*(define|undef|if|ifdef|ifndef|elif|else|endif|error|pragma)\b/m.test(body)) {
    throw new Error("devicetree: unexpected preprocessor line");
  }
  const start = body.indexOf("/ {");
  if (start < 0 || body.slice(0, start).trim() !== "") throw new Error("devicetree: no root node");
  const [root, end] = parseBody(body, start + 3, "/");
  if (body.slice(end).trim() !== "") throw new Error("devicetree: text after the root node");
  return { includes, root };
}

function allNodes(node: DtNode): DtNode[] {
  return [node, ...node.children.flatMap(allNodes)];
}

/** `<a b>, <c>` → ["a b", "c"]. */
function cells(value: string): string[] {
  const groups = [...value.matchAll(/<([^>]*)>/g)].map((m) => (m[1] as string).trim());
  if (value.replace(/<[^>]*>/g, "").replace(/[\s,]/g, "") !== "") {
    throw new Error(`devicetree: not a list of <…> cells: ${value}`);
  }
  return groups;
}

/** `&kp Q &none &shift_semi` → ["&kp Q", "&none", "&shift_semi"]. */
function splitBindings(list: string): string[] {
  return list
    .split(/(?=&)/)
    .map((binding) => binding.trim().replace(/\s+/g, " "))
    .filter((binding) => binding !== "");
}

function stringProp(node: DtNode, name: string): string | undefined {
  const value = node.props.get(name);
  return value === undefined ? undefined : (JSON.parse(value) as string);
}

/** A mod-morph behavior: its two bindings and the modifiers that select the second. */
export interface ModMorph {
  readonly bindings: readonly [string, string];
  readonly mods: string;
  readonly keepMods?: string;
}

export interface ZmkKeymapFile {
  readonly includes: readonly string[];
  /** The layers' node names and their bindings, in file order. */
  readonly layers: readonly { readonly name: string; readonly bindings: readonly string[] }[];
  /** Mod-morph behaviors by label. */
  readonly morphs: ReadonlyMap<string, ModMorph>;
}

export function readZmkKeymap(source: string): ZmkKeymapFile {
  const { includes, root } = parseDevicetree(source);
  const nodes = allNodes(root);
  const keymaps = nodes.filter((node) => stringProp(node, "compatible") === "zmk,keymap");
  if (keymaps.length !== 1) throw new Error(`expected one zmk,keymap node, got ${keymaps.length}`);
  const layers = (keymaps[0] as DtNode).children.map((layer) => {
    const bindings = layer.props.get("bindings");
    if (bindings === undefined) throw new Error(`layer ${layer.name} has no bindings`);
    const [list, ...rest] = cells(bindings);
    if (list === undefined || rest.length > 0) throw new Error("layer bindings: one <…> list");
    return { name: layer.name, bindings: splitBindings(list) };
  });
  const morphs = new Map<string, ModMorph>();
  for (const node of nodes) {
    if (stringProp(node, "compatible") !== "zmk,behavior-mod-morph") continue;
    if (!node.label) throw new Error(`mod-morph ${node.name} has no label to bind it by`);
    if (node.props.get("#binding-cells") !== "<0>") throw new Error("mod-morph: #binding-cells");
    const bindings = cells(node.props.get("bindings") ?? "").map(splitBindings);
    if (bindings.length !== 2 || bindings.some((b) => b.length !== 1)) {
      throw new Error(`mod-morph ${node.label}: needs two bindings`);
    }
    const mods = cells(node.props.get("mods") ?? "")[0];
    if (mods === undefined) throw new Error(`mod-morph ${node.label}: no mods`);
    const keepMods = node.props.has("keep-mods")
      ? cells(node.props.get("keep-mods") as string)[0]
      : undefined;
    morphs.set(node.label, {
      bindings: [bindings[0]?.[0] as string, bindings[1]?.[0] as string],
      mods,
      ...(keepMods === undefined ? {} : { keepMods }),
    });
  }
  return { includes, layers, morphs };
}

const BOTH_SHIFTS = ["MOD_LSFT", "MOD_RSFT"];

/** The modifiers named in a mods expression such as `(MOD_LSFT|MOD_RSFT)`. */
function modNames(expression: string): string[] {
  return expression.replace(/[()\s]/g, "").split("|");
}

/** What a binding types on a US host, with or without Shift held. */
export function zmkBindingTypes(
  file: ZmkKeymapFile,
  binding: string,
  shiftHeld: boolean,
): string | null {
  const [behavior, ...params] = binding.split(" ");
  if (behavior === "&none") return null;
  if (behavior === "&kp") {
    if (params.length !== 1) throw new Error(`${binding}: &kp takes one keycode`);
    return usHostTypes(zmkKeyPress(params[0] as string), shiftHeld);
  }
  const morph = file.morphs.get((behavior ?? "").slice(1));
  if (!morph || params.length !== 0) throw new Error(`unknown behavior in ${binding}`);
  const mods = modNames(morph.mods);
  if (!BOTH_SHIFTS.every((mod) => mods.includes(mod))) {
    throw new Error(`${binding}: the morph does not react to both Shift keys`);
  }
  if (!shiftHeld) return zmkBindingTypes(file, morph.bindings[0], false);
  // The morph holds back the mods it reacts to, unless keep-mods lets them through.
  const kept = morph.keepMods ? modNames(morph.keepMods) : [];
  return zmkBindingTypes(
    file,
    morph.bindings[1],
    BOTH_SHIFTS.some((mod) => kept.includes(mod)),
  );
}

/** What each binding of the first layer types, in binding order. */
export function zmkTypedKeys(file: ZmkKeymapFile): TypedKey[] {
  const [layer] = file.layers;
  if (!layer) throw new Error("the keymap has no layer");
  return layer.bindings.map((binding) => ({
    plain: zmkBindingTypes(file, binding, false),
    shifted: zmkBindingTypes(file, binding, true),
  }));
}
