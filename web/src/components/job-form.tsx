import { useEffect, useState } from "preact/hooks";
import type { Weights } from "../../../src/core/scoring/weights.ts";
import type { AssetLibrary } from "../data/asset-library.ts";
import type { HiveApi } from "../data/hive-api.ts";
import { messageOf } from "../error-message.ts";
import { DEFAULT_DRAFT, type JobDraft, submissionOf } from "../jobs/job-draft.ts";
import type { JobsView } from "../jobs/jobs-view.ts";
import { ChoiceSelect } from "./choice-select.tsx";
import { ErrorNote } from "./error-note.tsx";
import { ScoringChoices } from "./scoring-choices.tsx";
import { WeightSliders } from "./weight-sliders.tsx";

type SearchFields = Omit<JobDraft, "choice" | "from">;

/** A number field of the search settings, with its unit after it when it has one. */
function NumberField(props: {
  readonly label: string;
  readonly value: number;
  readonly min: number;
  readonly unit?: string;
  readonly onValue: (value: number) => void;
}) {
  return (
    <label>
      {props.label}
      <span class="with-unit">
        <input
          type="number"
          min={props.min}
          step={1}
          value={Number.isNaN(props.value) ? "" : props.value}
          onInput={(event) => props.onValue(event.currentTarget.valueAsNumber)}
        />
        {props.unit}
      </span>
    </label>
  );
}

/** A duration as typed ("10m", "90s", "2h"), read by the draft. */
function DurationField(props: {
  readonly label: string;
  readonly value: string;
  readonly placeholder: string;
  readonly onValue: (value: string) => void;
}) {
  return (
    <label>
      {props.label}
      <input
        class="duration"
        value={props.value}
        placeholder={props.placeholder}
        spellcheck={false}
        aria-describedby="budget-hint"
        onInput={(event) => props.onValue(event.currentTarget.value)}
      />
    </label>
  );
}

/**
 * Submitting a job: the board, corpus and weights of every page (kept in the URL), the layout
 * the search starts from, its pins, and the job's budget (a search time, or units of steps),
 * convergence and top layouts' distance; sent with the API key.
 */
export function JobForm(props: {
  readonly library: AssetLibrary;
  readonly api: HiveApi;
  readonly apiKey: string | null;
  readonly view: JobsView;
  readonly onView: (view: JobsView) => void;
  readonly onSubmitted: (id: string) => void;
}) {
  const { library, view } = props;
  const [fields, setFields] = useState<SearchFields>(DEFAULT_DRAFT);
  const [layouts, setLayouts] = useState<string[]>([]);
  const [preset, setPreset] = useState<Weights | null>(null);
  const [sending, setSending] = useState(false);
  const [problems, setProblems] = useState<readonly string[]>([]);
  const set = (change: Partial<SearchFields>) => setFields({ ...fields, ...change });

  useEffect(() => {
    library.ids("layouts").then(setLayouts, () => setLayouts([]));
  }, [library]);
  useEffect(() => {
    library.weights(view.weights).then(setPreset, () => setPreset(null));
  }, [library, view.weights]);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (props.apiKey === null) return;
    const checked = submissionOf({ ...fields, choice: view, from: view.from });
    if (!checked.ok) return setProblems(checked.problems);
    setSending(true);
    try {
      const { view: job } = await props.api.submit(checked.submission, props.apiKey);
      setProblems([]);
      props.onSubmitted(job.id);
    } catch (error) {
      setProblems([`cannot submit: ${messageOf(error)}`]);
    }
    setSending(false);
  };

  return (
    <section class="job-form" aria-labelledby="submit-heading">
      <h2 id="submit-heading">Submit a job</h2>
      <ScoringChoices
        library={library}
        choice={view}
        onChoose={(choice) => props.onView({ ...view, ...choice })}
      >
        <ChoiceSelect
          label="start layout"
          value={fields.startLayout.trim() === "" ? view.from : ""}
          options={layouts.length > 0 ? layouts : [view.from]}
          other={fields.startLayout.trim() === "" ? undefined : "the text below"}
          onChoose={(from) => {
            set({ startLayout: "" });
            props.onView({ ...view, from });
          }}
        />
      </ScoringChoices>
      {preset && (
        <WeightSliders
          preset={preset}
          overrides={view.overrides}
          onChange={(overrides) => props.onView({ ...view, overrides })}
        />
      )}
      <form class="settings search-fields" onSubmit={submit}>
        <fieldset class="budget">
          <legend>budget</legend>
          <div class="budget-kind" role="radiogroup" aria-label="budget">
            {(
              [
                ["time", "a search time"],
                ["steps", "units of steps"],
              ] as const
            ).map(([budget, text]) => (
              <label class="check" key={budget}>
                <input
                  type="radio"
                  name="budget"
                  value={budget}
                  checked={fields.budget === budget}
                  onChange={() => set({ budget })}
                />
                {text}
              </label>
            ))}
          </div>
          {fields.budget === "time" ? (
            <DurationField
              label="search time"
              value={fields.time}
              placeholder="e.g. 10m"
              onValue={(time) => set({ time })}
            />
          ) : (
            <>
              <NumberField
                label="units"
                value={fields.units}
                min={1}
                onValue={(units) => set({ units })}
              />
              <NumberField
                label="steps per unit"
                value={fields.stepsPerUnit}
                min={10_000}
                onValue={(stepsPerUnit) => set({ stepsPerUnit })}
              />
            </>
          )}
          <DurationField
            label="end early when no better layout for"
            value={fields.converge}
            placeholder="never, or e.g. 2m"
            onValue={(converge) => set({ converge })}
          />
          <NumberField
            label="top layouts differ in at least"
            value={fields.topDistance}
            min={1}
            unit="keys"
            onValue={(topDistance) => set({ topDistance })}
          />
          <p class="hint" id="budget-hint">
            {fields.budget === "time"
              ? "The job searches this long from its first lease, on every agent that takes it."
              : "Each unit runs its steps on one agent: the same job finds the same layouts."}{" "}
            Durations: e.g. 90s, 10m, 2h; a plain number is minutes.
          </p>
        </fieldset>
        <fieldset>
          <legend>search</legend>
          <NumberField label="seed" value={fields.seed} min={0} onValue={(seed) => set({ seed })} />
          <label>
            pinned characters
            <input
              value={fields.pins}
              spellcheck={false}
              onInput={(event) => set({ pins: event.currentTarget.value })}
            />
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={fields.allKeys}
              onChange={(event) => set({ allKeys: event.currentTarget.checked })}
            />
            every key, not only the 3×10 letter block
          </label>
          <label>
            name
            <input
              value={fields.name}
              placeholder={`${view.board}, ${view.corpus}`}
              onInput={(event) => set({ name: event.currentTarget.value })}
            />
          </label>
        </fieldset>
        <details class="start-text">
          <summary>start from layout text instead</summary>
          <label>
            start layout text, one line per board row
            <textarea
              rows={4}
              spellcheck={false}
              value={fields.startLayout}
              onInput={(event) => set({ startLayout: event.currentTarget.value })}
            />
          </label>
        </details>
        <div class="submit-row">
          <button
            type="submit"
            class="primary"
            disabled={props.apiKey === null || sending}
            aria-describedby={props.apiKey === null ? "submit-needs-key" : undefined}
          >
            {sending ? "submitting…" : "submit job"}
          </button>
          {props.apiKey === null && (
            <span id="submit-needs-key" class="hint">
              Sign in with an API key to submit.
            </span>
          )}
        </div>
        {problems.map((problem) => (
          <ErrorNote key={problem} message={problem} />
        ))}
      </form>
    </section>
  );
}
