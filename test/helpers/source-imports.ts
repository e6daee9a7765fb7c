/** Every module specifier of static imports, re-exports and dynamic imports. */
export function importsOf(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;
  return [...source.matchAll(pattern)].map((m) => m[1] as string);
}

/** The specifiers a module loads when it runs: type-only imports and re-exports are erased. */
export function runtimeImportsOf(source: string): string[] {
  return importsOf(
    source.replace(/^\s*(?:import|export) type\b[^;]*?\bfrom\s*["'][^"']+["']/gm, ""),
  );
}
