import type { OptimiseView } from "./optimise-view.ts";

/** A word for a POSIX shell: as it is when it is plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9._:,=/-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `keyforge optimize` command line that poses the same search with the same seed, so a
 * step budget gives the same layout there; null when the command line cannot say it (a typed
 * layout, or a shuffled start from characters other than qwerty's, which is what optimize
 * shuffles without --from).
 */
export function optimiseCommand(view: OptimiseView, seed: number): string | null {
  if (view.layout.kind !== "builtin") return null;
  if (!view.fromLayout && view.layout.name !== "qwerty") return null;
  const words = [
    "keyforge",
    "optimize",
    "--board",
    view.board,
    "--corpus",
    view.corpus,
    "--weights",
    view.weights,
    ...Object.entries(view.overrides).flatMap(([name, value]) => ["--weight", `${name}=${value}`]),
    ...(view.fromLayout ? ["--from", view.layout.name] : []),
    ...(view.pins === "" ? [] : ["--pin", view.pins]),
    ...(view.allKeys ? ["--all-keys"] : []),
    ...(view.budget.kind === "steps"
      ? ["--steps", `${view.budget.steps}`]
      : ["--time", `${view.budget.seconds}s`]),
    "--threads",
    `${view.threads}`,
    "--seed",
    `${seed}`,
  ];
  return words.map(shellWord).join(" ");
}
