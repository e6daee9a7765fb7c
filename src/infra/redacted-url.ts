/**
 * `value` with whatever sits between a URL's scheme and its last `@` replaced by `***`, so an
 * error message can show which URL was meant without the user name and password it carries.
 * Everything up to the last `@` goes: a password written without percent-encoding may itself
 * hold `@` or `/`, and saying too little is safe where saying too much is not.
 */
export function redactedUrl(value: string): string {
  // Without a scheme too: "user:pw@host" typed without redis:// still hides the password.
  return value.replace(/^([a-z][a-z0-9+.-]*:(?:\/\/)?)?.*@/is, (_, scheme = "") => `${scheme}***@`);
}
