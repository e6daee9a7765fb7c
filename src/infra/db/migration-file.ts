/**
 * One SQL migration file as the runner and the policy read it: its statements (with the line
 * each starts on) and the `-- keyforge:` directives in its comments
 * (docs/operations/migrations.md):
 *
 *   -- keyforge:release 0.2.0          the release the file belongs to (every file has one)
 *   -- keyforge:no-transaction         runs alone, outside the batch's transaction
 *   -- keyforge:retire <table>.<column>  from this release on, no code uses the column (or a table)
 *   -- keyforge:allow-lock <reason>    a reviewed exception to the lock rules, for the next statement
 */

/** A migration as stored: file name without .sql (e.g. "0001_stores") and its text. */
export interface MigrationFile {
  readonly name: string;
  readonly sql: string;
}

export interface SqlComment {
  /** 1-based line in the file. */
  readonly line: number;
  /** The comment's text after `--`, trimmed. */
  readonly text: string;
}

export interface SqlStatement {
  /** The statement as written, without its closing semicolon. */
  readonly text: string;
  /**
   * Lower case on single spaces, comments removed, string literals emptied ('') and quoted
   * identifiers unquoted, so that words inside strings or comments never look like commands.
   */
  readonly normalized: string;
  /** 1-based line of the statement's first character. */
  readonly line: number;
  /** The `--` comments before it (since the previous statement) and within it. */
  readonly comments: readonly SqlComment[];
}

/** Splits a SQL text at top-level semicolons; comments, strings and dollar quotes are skipped. */
export function parseSql(sql: string): { statements: SqlStatement[]; comments: SqlComment[] } {
  const statements: SqlStatement[] = [];
  const allComments: SqlComment[] = [];
  let comments: SqlComment[] = [];
  let normalized = "";
  let i = 0;
  let start = -1;
  let line = 1;
  let startLine = 1;
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (sql[k] === "\n") line++;
    i = to;
  };
  const begin = () => {
    if (start === -1) {
      start = i;
      startLine = line;
    }
  };
  const finish = (end: number) => {
    const text = normalized.replace(/\s+/g, " ").trim();
    if (start !== -1 && text !== "") {
      statements.push({
        text: sql.slice(start, end).trim(),
        normalized: text,
        line: startLine,
        comments,
      });
    }
    comments = [];
    normalized = "";
    start = -1;
  };
  while (i < sql.length) {
    const rest = sql.slice(i, i + 2);
    if (rest === "--") {
      const end = sql.indexOf("\n", i);
      const comment = { line, text: sql.slice(i + 2, end === -1 ? sql.length : end).trim() };
      comments.push(comment);
      allComments.push(comment);
      advance(end === -1 ? sql.length : end);
    } else if (rest === "/*") {
      const end = sql.indexOf("*/", i + 2);
      normalized += " ";
      advance(end === -1 ? sql.length : end + 2);
    } else if (sql[i] === "'") {
      begin();
      let end = i + 1;
      while (end < sql.length && !(sql[end] === "'" && sql[end + 1] !== "'")) {
        end += sql[end] === "'" ? 2 : 1;
      }
      normalized += "''";
      advance(end + 1);
    } else if (sql[i] === "$" && /^\$([a-z_][a-z0-9_]*)?\$/i.test(sql.slice(i, i + 64))) {
      begin();
      const tag = (/^\$([a-z_][a-z0-9_]*)?\$/i.exec(sql.slice(i, i + 64)) as RegExpExecArray)[0];
      const end = sql.indexOf(tag, i + tag.length);
      normalized += "''";
      advance(end === -1 ? sql.length : end + tag.length);
    } else if (sql[i] === '"') {
      begin();
      const end = sql.indexOf('"', i + 1);
      normalized += sql.slice(i + 1, end === -1 ? sql.length : end).toLowerCase();
      advance(end === -1 ? sql.length : end + 1);
    } else if (sql[i] === ";") {
      finish(i);
      advance(i + 1);
    } else {
      if (!/\s/.test(sql[i] as string)) begin();
      normalized += (sql[i] as string).toLowerCase();
      advance(i + 1);
    }
  }
  finish(sql.length);
  return { statements, comments: allComments };
}

/** The normalized statements of a SQL text (see SqlStatement.normalized). */
export function sqlStatements(sql: string): string[] {
  return parseSql(sql).statements.map((statement) => statement.normalized);
}

/** A release: MAJOR.MINOR.PATCH, as in package.json's "version". */
export const RELEASE = /^(\d+)\.(\d+)\.(\d+)$/;

/** Negative when release `a` comes before `b`, 0 when they are the same, positive after. */
export function compareReleases(a: string, b: string): number {
  const [, ...x] = RELEASE.exec(a) ?? [];
  const [, ...y] = RELEASE.exec(b) ?? [];
  for (let k = 0; k < 3; k++) {
    const difference = Number(x[k]) - Number(y[k]);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A `-- keyforge:` directive of a migration file, with the line it is on. */
export interface Directive {
  readonly line: number;
  readonly name: string;
  readonly argument: string;
}

const DIRECTIVE = /^keyforge:([a-z-]+)\s*(.*)$/i;

/** The directives among `comments`. */
export function directives(comments: readonly SqlComment[]): Directive[] {
  return comments.flatMap((comment) => {
    const found = DIRECTIVE.exec(comment.text);
    return found
      ? [{ line: comment.line, name: (found[1] as string).toLowerCase(), argument: found[2] ?? "" }]
      : [];
  });
}
