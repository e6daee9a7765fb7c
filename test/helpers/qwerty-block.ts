/** QWERTY's letter block, three rows of ten characters, as placeLetterBlock takes it. */
export const QWERTY_BLOCK: readonly (readonly string[])[] = [
  "qwertyuiop",
  "asdfghjkl;",
  "zxcvbnm,./",
].map((row) => [...row]);
