import {
  MAX_SECONDS,
  MAX_SEED,
  MAX_STEPS,
  MAX_THREADS,
  type OptimiseView,
} from "../search/optimise-view.ts";

interface SearchSettingsProps {
  readonly view: OptimiseView;
  readonly running: boolean;
  /** Whether the board, corpus and layout are loaded, so a search can start. */
  readonly ready: boolean;
  readonly onChange: (view: OptimiseView) => void;
  readonly onStart: () => void;
  readonly onStop: () => void;
}

/** A whole number typed into a field, within its range, else null. */
function wholeIn(text: string, min: number, max: number): number | null {
  const value = Number(text);
  return text.trim() !== "" && Number.isInteger(value) && value >= min && value <= max
    ? value
    : null;
}

/**
 * How the Optimise page searches: where the replicas start, the pinned characters, whether
 * every key may move, the budget (time, or steps, which reproduce), threads and seed; and the
 * button that starts or stops the search. Settings are fixed while a search runs.
 */
export function SearchSettings(props: SearchSettingsProps) {
  const { view, running, onChange } = props;
  const budgetValue = view.budget.kind === "time" ? view.budget.seconds : view.budget.steps;
  return (
    <form
      class="settings search-settings"
      onSubmit={(event) => {
        event.preventDefault();
        if (running) props.onStop();
        else props.onStart();
      }}
    >
      <fieldset disabled={running}>
        <legend>search</legend>
        <label>
          <input
            type="checkbox"
            checked={view.fromLayout}
            onChange={(e) => onChange({ ...view, fromLayout: e.currentTarget.checked })}
          />
          start from the layout (otherwise from its characters, shuffled)
        </label>
        <label>
          pinned characters
          <input
            value={view.pins}
            size={12}
            onChange={(e) =>
              onChange({ ...view, pins: [...new Set(e.currentTarget.value)].join("") })
            }
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={view.allKeys}
            onChange={(e) => onChange({ ...view, allKeys: e.currentTarget.checked })}
          />
          every key (not only the 3×10 letter block)
        </label>
        <label>
          budget
          <select
            value={view.budget.kind}
            onChange={(e) =>
              onChange({
                ...view,
                budget:
                  e.currentTarget.value === "steps"
                    ? { kind: "steps", steps: 1_000_000 }
                    : { kind: "time", seconds: 30 },
              })
            }
          >
            <option value="time">seconds</option>
            <option value="steps">steps</option>
          </select>
        </label>
        <label>
          {view.budget.kind === "time" ? "seconds" : "steps"}
          <input
            type="number"
            min={1}
            value={budgetValue}
            onChange={(e) => {
              const timed = view.budget.kind === "time";
              const value = wholeIn(e.currentTarget.value, 1, timed ? MAX_SECONDS : MAX_STEPS);
              if (value === null) return;
              onChange({
                ...view,
                budget: timed ? { kind: "time", seconds: value } : { kind: "steps", steps: value },
              });
            }}
          />
        </label>
        <label>
          threads
          <input
            type="number"
            min={1}
            max={MAX_THREADS}
            value={view.threads}
            onChange={(e) => {
              const threads = wholeIn(e.currentTarget.value, 1, MAX_THREADS);
              if (threads !== null) onChange({ ...view, threads });
            }}
          />
        </label>
        <label>
          seed
          <input
            inputMode="numeric"
            placeholder="random"
            size={10}
            value={view.seed ?? ""}
            onChange={(e) =>
              onChange({ ...view, seed: wholeIn(e.currentTarget.value, 0, MAX_SEED) })
            }
          />
        </label>
      </fieldset>
      <button type="submit" class="primary" disabled={!props.ready && !running}>
        {running ? "stop" : "optimise"}
      </button>
    </form>
  );
}
