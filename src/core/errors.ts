import type { ErrorCode, RemoteErrorCode } from "./error-codes.ts";

/** A problem found in user-supplied data: stable code, the item it concerns, a human message. */
export interface Problem {
  readonly code: string;
  /** What the problem is about, e.g. a key id or a field path; empty when it concerns the whole input. */
  readonly subject: string;
  readonly message: string;
}

/** Base of every error KeyForge raises on purpose; `code` is stable and machine-readable. */
export class KeyForgeError extends Error {
  readonly code: ErrorCode | RemoteErrorCode;
  readonly problems: readonly Problem[];

  constructor(
    code: ErrorCode | RemoteErrorCode,
    message: string,
    problems: readonly Problem[] = [],
  ) {
    super(message);
    this.name = "KeyForgeError";
    this.code = code;
    this.problems = problems;
  }
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems
    .map((p) => `  ${p.code}${p.subject ? ` [${p.subject}]` : ""}: ${p.message}`)
    .join("\n");
}

/** Raises `code` with every problem listed in the message, so a user sees all of them at once. */
export function failWithProblems(
  code: ErrorCode,
  what: string,
  problems: readonly Problem[],
): never {
  const noun = problems.length === 1 ? "problem" : "problems";
  throw new KeyForgeError(
    code,
    `${what}: ${problems.length} ${noun}\n${formatProblems(problems)}`,
    problems,
  );
}
