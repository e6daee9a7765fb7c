import { Parser } from "htmlparser2";

/**
 * A reader of macOS keyboard layouts (.keylayout), written from Apple's TN2056 and its DTD, not
 * from the exporter. Lenient where real files need it (references to control characters such
 * as `&#x0010;`, which only XML 1.1 allows and strict XML 1.0 readers reject), strict about
 * what macOS needs: elements closed in order inside their DTD parents, required attributes,
 * numeric references only, one keyMapSelect per index, key codes unique within a keyMap.
 */

export interface KeylayoutFile {
  readonly keyboard: Readonly<Record<string, string>>;
  readonly defaultIndex: number;
  /** keyMapSelects in file order: their index and the `keys` of each modifier. */
  readonly selects: readonly { readonly index: number; readonly modifiers: readonly string[] }[];
  /** keyMap index → key code → output. */
  readonly keyMaps: ReadonlyMap<number, ReadonlyMap<number, string>>;
  /** The text of the comments, in file order. */
  readonly comments: readonly string[];
}

/** Each element's parent (DTD), and the attributes it must have. */
const ELEMENTS: Readonly<Record<string, { parent: string | null; required: readonly string[] }>> = {
  keyboard: { parent: null, required: ["group", "id", "name"] },
  layouts: { parent: "keyboard", required: [] },
  layout: { parent: "layouts", required: ["first", "last", "modifiers", "mapSet"] },
  modifierMap: { parent: "keyboard", required: ["id", "defaultIndex"] },
  keyMapSelect: { parent: "modifierMap", required: ["mapIndex"] },
  modifier: { parent: "keyMapSelect", required: ["keys"] },
  keyMapSet: { parent: "keyboard", required: ["id"] },
  keyMap: { parent: "keyMapSet", required: ["index"] },
  key: { parent: "keyMap", required: ["code"] },
};

interface Element {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: Element[];
  selfClosing: boolean;
}

/** The element tree, checking that it is well-formed: one root, every element closed in order. */
function parseTree(text: string): { root: Element; comments: string[] } {
  const roots: Element[] = [];
  const stack: Element[] = [];
  const comments: string[] = [];
  let explicitCloses = 0;
  const parser: Parser = new Parser(
    {
      onopentag(name, attributes) {
        const raw = text.slice(parser.startIndex, parser.endIndex + 1);
        const element: Element = {
          name,
          attributes,
          children: [],
          selfClosing: raw.endsWith("/>"),
        };
        (stack.at(-1)?.children ?? roots).push(element);
        stack.push(element);
      },
      onclosetag(name, isImplied) {
        const open = stack.pop();
        if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
        if (isImplied && !open.selfClosing) throw new Error(`<${name}> is never closed`);
        if (!isImplied) explicitCloses++;
      },
      oncomment(data) {
        comments.push(data);
      },
    },
    { xmlMode: true },
  );
  parser.end(text);
  const closeTags = text.replace(/<!--[\s\S]*?-->/g, "").match(/<\//g)?.length ?? 0;
  if (closeTags !== explicitCloses) throw new Error("a closing tag matches no open element");
  if (roots.length !== 1) throw new Error(`${roots.length} root elements`);
  return { root: roots[0] as Element, comments };
}

function checkElement(element: Element, parent: string | null): void {
  const rule = ELEMENTS[element.name];
  if (rule && rule.parent !== parent) {
    throw new Error(`<${element.name}> is inside <${parent}>, not <${rule.parent}>`);
  }
  for (const attribute of rule?.required ?? []) {
    if (!(attribute in element.attributes)) throw new Error(`<${element.name}> lacks ${attribute}`);
  }
  if (
    element.name === "key" &&
    !("output" in element.attributes) &&
    !("action" in element.attributes)
  ) {
    throw new Error(`key ${element.attributes.code} has neither output nor action`);
  }
  for (const child of element.children) checkElement(child, element.name);
}

function integer(value: string | undefined, what: string): number {
  if (value === undefined || !/^-?\d+$/.test(value))
    throw new Error(`${what} ${value} is not an integer`);
  return Number(value);
}

/** Reads a .keylayout, throwing when it is not a file macOS can load. */
export function readKeylayout(text: string): KeylayoutFile {
  if (!/^<\?xml version="1\.[01]" encoding="UTF-8"\?>\n/.test(text)) {
    throw new Error("a keylayout starts with its XML declaration");
  }
  if (
    !text.includes(
      '<!DOCTYPE keyboard SYSTEM "file://localhost/System/Library/DTDs/KeyboardLayout.dtd">',
    )
  ) {
    throw new Error("the DOCTYPE is missing");
  }
  const named = /&(?!#x[0-9A-Fa-f]+;|#\d+;)/.exec(text.replace(/<!--[\s\S]*?-->/g, ""));
  if (named)
    throw new Error("a & starts no numeric reference (TN2056: named entities are not supported)");
  const { root, comments } = parseTree(text);
  if (root.name !== "keyboard") throw new Error(`root element <${root.name}>`);
  checkElement(root, null);

  const modifierMap = root.children.find((child) => child.name === "modifierMap") as Element;
  const selects = modifierMap.children.map((select) => ({
    index: integer(select.attributes.mapIndex, "mapIndex"),
    modifiers: select.children.map((modifier) => modifier.attributes.keys as string),
  }));
  const indices = selects.map((select) => select.index);
  if (new Set(indices).size !== indices.length) throw new Error("two keyMapSelects share an index");

  const keyMapSet = root.children.find((child) => child.name === "keyMapSet") as Element;
  const keyMaps = new Map<number, Map<number, string>>();
  for (const keyMap of keyMapSet.children) {
    const index = integer(keyMap.attributes.index, "keyMap index");
    if (keyMaps.has(index)) throw new Error(`two keyMaps have index ${index}`);
    const outputs = new Map<number, string>();
    for (const key of keyMap.children) {
      const code = integer(key.attributes.code, "key code");
      if (outputs.has(code)) throw new Error(`keyMap ${index} has key code ${code} twice`);
      outputs.set(code, key.attributes.output ?? "");
    }
    keyMaps.set(index, outputs);
  }
  for (const index of indices) {
    if (!keyMaps.has(index)) throw new Error(`keyMapSelect ${index} has no keyMap`);
  }
  const layouts = root.children.find((child) => child.name === "layouts") as Element;
  for (const layout of layouts.children) {
    if (layout.attributes.modifiers !== modifierMap.attributes.id)
      throw new Error("unknown modifierMap");
    if (layout.attributes.mapSet !== keyMapSet.attributes.id) throw new Error("unknown keyMapSet");
  }
  return {
    keyboard: root.attributes,
    defaultIndex: integer(modifierMap.attributes.defaultIndex, "defaultIndex"),
    selects,
    keyMaps,
    comments,
  };
}

/** The modifiers a test holds down (the left ones). */
export type Modifier = "shift" | "option" | "control" | "command" | "caps";

const FAMILIES: readonly Modifier[] = ["shift", "option", "control", "command", "caps"];

/**
 * Does a `keys` value match these modifiers (TN2056)? A word names a modifier that must be down
 * (`anyShift`: either Shift; `shift`: the left one; `rightShift`: the right one, never held
 * here), `word?` one that may be either, and an unnamed modifier must be up.
 */
function matches(keys: string, held: ReadonlySet<Modifier>): boolean {
  const rule = new Map<Modifier, "down" | "either" | "never">();
  for (const word of keys.split(/\s+/).filter((w) => w !== "")) {
    const optional = word.endsWith("?");
    const bare = optional ? word.slice(0, -1) : word;
    const family = FAMILIES.find(
      (f) =>
        bare.toLowerCase() === f ||
        bare.toLowerCase() === `any${f}` ||
        bare.toLowerCase() === `right${f}`,
    );
    if (!family) throw new Error(`unknown modifier ${word}`);
    const right = bare.toLowerCase().startsWith("right");
    rule.set(family, optional ? "either" : right ? "never" : "down");
  }
  return FAMILIES.every((family) => {
    const want = rule.get(family);
    if (want === "either") return true;
    if (want === "never") return false;
    return held.has(family) === (want === "down");
  });
}

/** The keyMap index macOS uses with these modifiers: the last select that matches, else the default. */
export function keyMapIndex(file: KeylayoutFile, held: readonly Modifier[]): number {
  const set = new Set(held);
  let index = file.defaultIndex;
  for (const select of file.selects) {
    if (select.modifiers.some((keys) => matches(keys, set))) index = select.index;
  }
  return index;
}

/** What key `code` types with these modifiers ("" for nothing). */
export function keyOutput(
  file: KeylayoutFile,
  code: number,
  held: readonly Modifier[] = [],
): string {
  return file.keyMaps.get(keyMapIndex(file, held))?.get(code) ?? "";
}
