/** "U+00A0" for a whitespace or control character that would not show as a legend, else undefined. */
export function invisibleCharName(char: string): string | undefined {
  if (!/[\s\p{C}]/u.test(char)) return undefined;
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}
