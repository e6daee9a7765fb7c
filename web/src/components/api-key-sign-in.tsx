import { useState } from "preact/hooks";
import { storeApiKey } from "../data/api-key-store.ts";
import type { HiveApi } from "../data/hive-api.ts";
import { messageOf } from "../error-message.ts";
import { ErrorNote } from "./error-note.tsx";

/** Enough of a key to recognise it by, never the whole secret. */
function keyHint(key: string): string {
  return `${key.slice(0, 7)}…`;
}

/**
 * Signing in with an API key (the hive checks it first), kept in this tab's session storage
 * only; signing out forgets it.
 */
export function ApiKeySignIn(props: {
  readonly api: HiveApi;
  readonly apiKey: string | null;
  readonly onKey: (key: string | null) => void;
}) {
  const [typed, setTyped] = useState("");
  const [checking, setChecking] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  if (props.apiKey !== null) {
    return (
      <section class="sign-in" aria-label="account">
        <span>
          Signed in with the API key <code>{keyHint(props.apiKey)}</code> (for this tab only).
        </span>
        <button
          type="button"
          onClick={() => {
            storeApiKey(null);
            props.onKey(null);
          }}
        >
          sign out
        </button>
      </section>
    );
  }

  const signIn = async (event: Event) => {
    event.preventDefault();
    const key = typed.trim();
    if (key === "") return;
    setChecking(true);
    try {
      await props.api.checkKey(key);
      storeApiKey(key);
      setTyped("");
      setFailure(null);
      props.onKey(key);
    } catch (error) {
      setFailure(`cannot sign in: ${messageOf(error)}`);
    }
    setChecking(false);
  };

  return (
    <form class="sign-in" aria-label="sign in" onSubmit={signIn}>
      <label>
        API key
        <input
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="kf_…"
          value={typed}
          onInput={(event) => setTyped(event.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={checking || typed.trim() === ""}>
        {checking ? "checking…" : "sign in"}
      </button>
      <span class="hint">
        Reading jobs needs no key; submitting and cancelling do. The key stays in this tab until it
        closes.
      </span>
      {failure !== null && <ErrorNote message={failure} />}
    </form>
  );
}
