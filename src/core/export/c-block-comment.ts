/** What ends a C block comment. */
const COMMENT_END = "*/";

/**
 * A C block comment holding `lines`, for files the C preprocessor reads (QMK keymap.c, ZMK
 * devicetree keymaps). Names may hold anything: a comment end inside a line would turn the rest
 * of it into code, so it is written with a space between its star and slash. A block comment,
 * unlike a line comment, is not extended by a line that ends in a backslash.
 */
export function cBlockComment(lines: readonly string[]): string {
  const body = lines.map((line) => ` * ${line.replaceAll(COMMENT_END, "* /")}`.trimEnd());
  return ["/*", ...body, ` ${COMMENT_END}`].join("\n");
}
