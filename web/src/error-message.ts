/** What a failure says, for the page to show. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
