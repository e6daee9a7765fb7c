import { METRICS, type WeightedTerm } from "../../../src/core/scoring/metric-catalogue.ts";
import type { Weights } from "../../../src/core/scoring/weights.ts";

interface WeightSlidersProps {
  /** The preset as published: its values are the sliders' marked defaults. */
  readonly preset: Weights;
  readonly overrides: Readonly<Record<string, number>>;
  readonly onChange: (overrides: Record<string, number>) => void;
}

/** A slider's range: the preset's value well inside it, negative values for rewards. */
function rangeOf(preset: number): { min: number; max: number; step: number } {
  const reach = Math.max(5, 3 * Math.abs(preset));
  const min = preset < 0 ? -reach : Math.min(0, -reach / 4);
  const max = preset < 0 ? reach / 4 : reach;
  return { min, max, step: (max - min) / 200 };
}

/** One slider per weighted term; a weight moved off its preset becomes an override. */
export function WeightSliders({ preset, overrides, onChange }: WeightSlidersProps) {
  return (
    <details class="weights">
      <summary>
        weights ({Object.keys(overrides).length} changed from {preset.id})
      </summary>
      <div class="sliders">
        {METRICS.filter((metric) => metric.weighted).map((metric) => {
          const term = metric.key as WeightedTerm;
          const base = preset.weights[term];
          const value = overrides[term] ?? base;
          const { min, max, step } = rangeOf(base);
          const id = `weight-${term}`;
          return (
            <div key={term} class={`slider${term in overrides ? " changed" : ""}`}>
              <label for={id}>
                {metric.label.trim()} <output for={id}>{value}</output>
              </label>
              <input
                id={id}
                type="range"
                min={min}
                max={max}
                step={step}
                value={value}
                list={`${id}-preset`}
                onChange={(event) => {
                  const next = Number(Number(event.currentTarget.value).toPrecision(3));
                  const { [term]: _dropped, ...others } = overrides;
                  onChange(next === base ? others : { ...others, [term]: next });
                }}
              />
              <datalist id={`${id}-preset`}>
                <option value={base} label={`preset ${base}`} />
              </datalist>
              <span class="preset">
                preset {base}
                {term in overrides && (
                  <button
                    type="button"
                    class="reset"
                    aria-label={`reset ${metric.label.trim()} to the preset`}
                    onClick={() => {
                      const { [term]: _dropped, ...others } = overrides;
                      onChange(others);
                    }}
                  >
                    reset
                  </button>
                )}
              </span>
            </div>
          );
        })}
      </div>
    </details>
  );
}
