import { useEffect, useState } from "preact/hooks";
import { NAME } from "../analysis/scoring-choice.ts";

/** A layout the user keeps in this browser: its name and its layout text (rows of the board). */
export interface OwnLayout {
  readonly name: string;
  readonly text: string;
}

const STORAGE_KEY = "keyforge.own-layouts";
/** Enough for anyone's drafts, and far below the browser's storage quota. */
export const MAX_OWN_LAYOUTS = 100;
export const MAX_LAYOUT_TEXT = 10_000;

/** What is wrong with a layout to keep, in words, or null when it can be kept. */
export function ownLayoutProblem(layout: OwnLayout, published: readonly string[]): string | null {
  if (!NAME.test(layout.name)) {
    return "a name is letters, digits, dots, dashes and underscores, starting with a letter or digit";
  }
  if (published.includes(layout.name)) {
    return `${layout.name} is a published layout's name: choose another`;
  }
  if (layout.text.trim() === "") return "the layout text is empty";
  if (layout.text.length > MAX_LAYOUT_TEXT) {
    return `the layout text is over ${MAX_LAYOUT_TEXT.toLocaleString("en-US")} characters`;
  }
  return null;
}

/** The layouts kept in the storage; anything malformed there is left out, not fatal. */
export function readOwnLayouts(storage: Pick<Storage, "getItem">): OwnLayout[] {
  let stored: unknown;
  try {
    stored = JSON.parse(storage.getItem(STORAGE_KEY) ?? "[]");
  } catch {
    return [];
  }
  if (!Array.isArray(stored)) return [];
  return stored
    .filter(
      (entry): entry is OwnLayout =>
        typeof entry?.name === "string" &&
        typeof entry?.text === "string" &&
        ownLayoutProblem(entry, []) === null,
    )
    .map(({ name, text }) => ({ name, text }))
    .slice(0, MAX_OWN_LAYOUTS);
}

/** The list with this layout kept: a layout of the same name is replaced; the newest come last. */
export function keepOwnLayout(list: readonly OwnLayout[], layout: OwnLayout): OwnLayout[] {
  return [...list.filter((kept) => kept.name !== layout.name), layout].slice(-MAX_OWN_LAYOUTS);
}

export function writeOwnLayouts(
  storage: Pick<Storage, "setItem">,
  list: readonly OwnLayout[],
): void {
  storage.setItem(STORAGE_KEY, JSON.stringify(list));
}

/**
 * The user's own layouts in this browser's local storage, kept in step with other tabs; `save`
 * replaces the list (and fails with the browser's error when the storage refuses it).
 */
export function useOwnLayouts(): {
  readonly layouts: readonly OwnLayout[];
  readonly save: (list: readonly OwnLayout[]) => void;
} {
  const [layouts, setLayouts] = useState(() => readOwnLayouts(localStorage));
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key === STORAGE_KEY) setLayouts(readOwnLayouts(localStorage));
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, []);
  return {
    layouts,
    save: (list) => {
      writeOwnLayouts(localStorage, list);
      setLayouts([...list]);
    },
  };
}
