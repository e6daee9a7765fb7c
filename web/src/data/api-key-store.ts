/** Where the page keeps the API key: this tab's session storage, gone when the tab closes. */
const STORAGE_KEY = "keyforge.apiKey";

/** The key signed in with in this tab, if any (null where storage is blocked). */
export function storedApiKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Keeps the key for this tab's session, or forgets it (null). */
export function storeApiKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Storage blocked: the key lives as long as the page.
  }
}
