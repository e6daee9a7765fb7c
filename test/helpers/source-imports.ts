/**
 * Every module specifier of static imports, re-exports and dynamic imports. The keyword `from`
 * follows a space or a brace; one inside a string (`Omit<T, "from">`, `"--from"`) does not.
 */
export function importsOf(source: string): string[] {
  const pattern = /(?:(?<=[\s}])from\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;
  return [...source.matchAll(pattern)].map((m) => m[1] as string);
}

/** The specifiers a module loads when it runs: type-only imports and re-exports are erased. */
export function runtimeImportsOf(source: string): string[] {
  return importsOf(
    source.replace(/^\s*(?:import|export) type\b[^;]*?\bfrom\s*["'][^"']+["']/gm, ""),
  );
}
