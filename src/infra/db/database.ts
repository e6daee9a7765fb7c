import { KeyForgeError } from "../../core/errors.ts";

export interface SqlResult<Row> {
  readonly rows: Row[];
  /** Rows the statement returned or changed. */
  readonly rowCount: number;
}

/** Runs one parameterised statement; inside a transaction, or on its own. */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<Row>>;
}

/**
 * A session for the migration runner: one connection, and plain text without parameters may
 * hold several statements (a whole migration file).
 */
export interface MigrationSession {
  query(text: string, values?: unknown[]): Promise<SqlResult<Record<string, unknown>>>;
}

/**
 * The hive's durable store. Two implementations keep one contract: PostgreSQL for production
 * and PGlite for `keyforge up`; one contract suite tests both.
 */
export interface Database extends SqlExecutor {
  readonly engine: "postgres" | "pglite";
  /** Schema the tables live in (search_path). */
  readonly schema: string;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs `work` on a session of its own, with no other query interleaved. */
  withMigrationSession<T>(work: (session: MigrationSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The database cannot be reached; the hive answers 503 and retries later. */
export class DatabaseUnavailableError extends KeyForgeError {
  constructor(reason: string) {
    super("DATABASE_UNAVAILABLE", `the database is unavailable: ${reason}`);
    this.name = "DatabaseUnavailableError";
  }
}

/** Schema names are interpolated into SQL, so only plain identifiers are allowed. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new KeyForgeError(
      "DATABASE_SCHEMA_INVALID",
      `"${schema}" is not a valid schema name (lower-case letters, digits and _; at most 63)`,
    );
  }
  return schema;
}
