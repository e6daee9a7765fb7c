import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { ScoringChoice } from "../analysis/scoring-choice.ts";
import type { AssetLibrary } from "../data/asset-library.ts";
import { ChoiceSelect } from "./choice-select.tsx";

interface Published {
  readonly boards: string[];
  readonly corpora: string[];
  readonly weights: string[];
}

/** The board, corpus and weights every page scores against, and any controls of the page. */
export function ScoringChoices(props: {
  readonly library: AssetLibrary;
  readonly choice: ScoringChoice;
  readonly onChoose: (choice: ScoringChoice) => void;
  readonly children?: ComponentChildren;
}) {
  const { library, choice, onChoose } = props;
  const [published, setPublished] = useState<Published | null>(null);
  useEffect(() => {
    Promise.all([library.ids("boards"), library.ids("corpora"), library.ids("weights")]).then(
      ([boards, corpora, weights]) => setPublished({ boards, corpora, weights }),
      () => setPublished(null),
    );
    // Asked again when the choice changes: a board or corpus made here joins the lists.
  }, [library, choice.board, choice.corpus]);
  return (
    <form class="choices" onSubmit={(event) => event.preventDefault()}>
      <ChoiceSelect
        label="board"
        value={choice.board}
        options={published?.boards ?? [choice.board]}
        onChoose={(board) => onChoose({ ...choice, board })}
      />
      <label>
        corpus
        <input
          list="corpora"
          value={choice.corpus}
          onChange={(event) =>
            onChoose({ ...choice, corpus: event.currentTarget.value.trim() || "en" })
          }
        />
        <datalist id="corpora">
          {(published?.corpora ?? []).map((id) => (
            <option key={id} value={id} />
          ))}
        </datalist>
      </label>
      <ChoiceSelect
        label="weights"
        value={choice.weights}
        options={published?.weights ?? [choice.weights]}
        onChoose={(weights) => onChoose({ ...choice, weights })}
      />
      {props.children}
    </form>
  );
}
