/**
 * Whether `stream` (standard output unless another is given) is a terminal that shows colours;
 * NO_COLOR turns them off.
 */
export function useColour(stream: { readonly isTTY?: boolean } = process.stdout): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

/** A document on standard output, indented for people and parseable by programs. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned text columns, for lists a person reads. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - [...cell].length),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function percent(part: number, whole: number, digits = 2): string {
  return whole === 0 ? "0%" : `${((100 * part) / whole).toFixed(digits)}%`;
}

/** A character as a person can read it in a list: space and Enter get names. */
export function visibleChar(text: string): string {
  return text.replace(/ /g, "␣").replace(/\n/g, "⏎").replace(/\t/g, "⇥");
}
