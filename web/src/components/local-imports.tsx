import { useState } from "preact/hooks";
import type { AssetLibrary } from "../data/asset-library.ts";
import { boardFromFile, localId } from "../data/local-assets.ts";
import { messageOf } from "../error-message.ts";
import type { CountReply, CountRequest } from "../workers/corpus-worker.ts";
import { oneReply } from "../workers/one-reply.ts";
import { ErrorNote } from "./error-note.tsx";

/** Counts pasted text in a worker: a long text takes a moment. */
function countInWorker(request: CountRequest): Promise<CountReply> {
  const worker = new Worker(new URL("../workers/corpus-worker.ts", import.meta.url), {
    type: "module",
  });
  return oneReply<CountRequest, CountReply>(worker, request, (message) => ({
    kind: "failed",
    message,
  }));
}

/**
 * A board from a file (keyboard-layout-editor raw data, a QMK info.json, or a KeyForge board)
 * and a corpus from pasted text, made in the browser and added to the library under local ids.
 */
export function LocalImports(props: {
  readonly library: AssetLibrary;
  readonly onBoard: (id: string) => void;
  readonly onCorpus: (id: string) => void;
}) {
  const [text, setText] = useState("");
  const [counting, setCounting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const importBoard = async (file: File | undefined) => {
    if (!file) return;
    try {
      const { id, document } = boardFromFile(JSON.parse(await file.text()), file.name);
      props.library.addLocal("boards", id, document);
      setFailure(null);
      props.onBoard(id);
    } catch (error) {
      setFailure(`${file.name}: ${messageOf(error)}`);
    }
  };

  const countText = async () => {
    setCounting(true);
    const id = localId("text");
    const reply = await countInWorker({ id, text });
    setCounting(false);
    if (reply.kind === "failed") return setFailure(reply.message);
    props.library.addLocal("corpora", id, reply.document);
    setFailure(null);
    props.onCorpus(id);
  };

  return (
    <>
      <details class="local">
        <summary>import a board (keyboard-layout-editor or QMK file)</summary>
        <label>
          board file (.json)
          <input
            type="file"
            accept=".json,application/json"
            onChange={(event) => importBoard(event.currentTarget.files?.[0])}
          />
        </label>
      </details>
      <details class="local">
        <summary>count your own text as the corpus</summary>
        <label>
          text
          <textarea rows={5} value={text} onInput={(event) => setText(event.currentTarget.value)} />
        </label>
        <button type="button" disabled={text.trim() === "" || counting} onClick={countText}>
          {counting ? "counting…" : "count this text"}
        </button>
      </details>
      {failure !== null && <ErrorNote message={failure} />}
    </>
  );
}
