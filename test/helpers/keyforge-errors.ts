import assert from "node:assert/strict";
import { KeyForgeError } from "../../src/core/errors.ts";

/** The KeyForgeError `run` throws, checked to carry `code` (and a message matching `message`). */
export function thrownKeyForgeError(
  run: () => unknown,
  code: string,
  message?: RegExp,
): KeyForgeError {
  let caught: unknown;
  assert.throws(run, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof KeyForgeError, `expected a KeyForgeError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  if (message) assert.match(caught.message, message);
  return caught;
}

/** The refusal `run` throws: `code`, with one problem for each of `subjects` (keys), named. */
export function assertRefused(
  run: () => unknown,
  code: string,
  subjects: readonly string[],
): KeyForgeError {
  const refusal = thrownKeyForgeError(run, code);
  assert.deepEqual(
    refusal.problems.map((problem) => problem.subject),
    subjects,
  );
  for (const subject of subjects) assert.ok(refusal.message.includes(subject), subject);
  return refusal;
}
