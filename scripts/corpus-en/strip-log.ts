/**
 * Tallies what the source-specific cleaning removed, pattern by pattern, so a rebuild prints
 * (and the corpus provenance records) exactly what was taken out of the text.
 */
export class StripLog {
  private readonly counts = new Map<string, number>();

  /** Replaces every match of `pattern` (which must be global) and counts the matches under `label`. */
  replace(text: string, label: string, pattern: RegExp, replacement: string): string {
    if (!pattern.global) throw new Error(`pattern for "${label}" must be global`);
    const matches = text.match(pattern)?.length ?? 0;
    const result = matches > 0 ? text.replace(pattern, replacement) : text;
    this.add(label, matches);
    return result;
  }

  add(label: string, count: number): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + count);
  }

  /** Labels in the order they were first used, each with its count. */
  entries(): [string, number][] {
    return [...this.counts];
  }

  /** One line per pattern, for the build log. */
  report(): string {
    const width = Math.max(0, ...[...this.counts.keys()].map((label) => label.length));
    return this.entries()
      .map(([label, count]) => `  ${label.padEnd(width)}  ${String(count).padStart(7)}`)
      .join("\n");
  }

  /** A compact sentence for a corpus's provenance. */
  summary(): string {
    return this.entries()
      .filter(([, count]) => count > 0)
      .map(([label, count]) => `${label} (${count})`)
      .join("; ");
  }
}
