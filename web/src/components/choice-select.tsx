interface ChoiceSelectProps {
  readonly label: string;
  readonly value: string;
  readonly options: readonly string[];
  /** Shown first with the value "", for a choice that is none of the options. */
  readonly other?: string;
  readonly onChoose: (value: string) => void;
}

/** A labelled drop-down of ids. */
export function ChoiceSelect({ label, value, options, other, onChoose }: ChoiceSelectProps) {
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChoose(event.currentTarget.value)}>
        {other !== undefined && <option value="">{other}</option>}
        {options.map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
    </label>
  );
}
