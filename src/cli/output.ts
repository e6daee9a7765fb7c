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

/** What reports are laid out for: a terminal this wide shows every line unbroken. */
export const LINE_WIDTH = 100;

/** Columns `text` takes (one per code point: the reports hold no wide characters). */
export function columns(text: string): number {
  return [...text].length;
}

/** `text` cut to `width` columns, ending in "…" where it was cut. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}

/** `text` in lines of at most `width` columns, broken at spaces (a longer word is cut). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const joined = line === "" ? word : `${line} ${word}`;
    if (columns(joined) <= width) {
      line = joined;
      continue;
    }
    if (line !== "") lines.push(line);
    let rest = word;
    while (columns(rest) > width) {
      lines.push([...rest].slice(0, width).join(""));
      rest = [...rest].slice(width).join("");
    }
    line = rest;
  }
  return [...lines, line];
}

/** Left-aligned text columns, for lists a person reads. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, columns(cell));
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - columns(cell)),
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
