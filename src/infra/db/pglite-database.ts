import { mkdirSync } from "node:fs";
import { PGlite, type PGliteInterface, type Results, type Transaction } from "@electric-sql/pglite";
import {
  type Database,
  DatabaseUnavailableError,
  type MigrationSession,
  type SqlExecutor,
  type SqlResult,
} from "./database.ts";

/** PGlite keeps its files in an existing folder: create it (and its parents) when missing. */
function createdFolder(dataDir: string | undefined): string | undefined {
  if (dataDir === undefined) return undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DatabaseUnavailableError(`cannot create the database folder ${dataDir} (${reason})`);
  }
  return dataDir;
}

function shaped<Row>(result: Results<Row>): SqlResult<Row> {
  return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
}

/**
 * The store embedded in the process (PGlite: PostgreSQL compiled to WebAssembly), for
 * `keyforge up` and tests. Same SQL, same migrations; one connection, so statements and
 * transactions run one after the other.
 */
export class PgliteDatabase implements Database {
  readonly engine = "pglite";
  readonly schema = "public";
  private readonly pglite: PGliteInterface;
  /** Resolves once the database is open; a database that cannot open fails every call clearly. */
  private readonly ready: Promise<void>;

  /**
   * `source` is the folder that keeps the database, or an open PGlite instance (a clone, say);
   * without it, the database lives in memory.
   */
  constructor(source?: string | PGliteInterface) {
    this.pglite = typeof source === "object" ? source : new PGlite(createdFolder(source));
    this.ready = this.pglite.waitReady.catch((error: unknown) => {
      throw new DatabaseUnavailableError(
        `the embedded database${typeof source === "string" ? ` in ${source}` : ""} cannot be opened: ${(error as Error).message}`,
      );
    });
    // Reported by the first call that needs the database, not as an unhandled rejection.
    this.ready.catch(() => {});
  }

  async query<Row = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<Row>> {
    await this.ready;
    return shaped(await this.pglite.query<Row>(text, params as unknown[] | undefined));
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    await this.ready;
    return this.pglite.transaction((tx: Transaction) =>
      work({
        query: async <Row>(text: string, params?: readonly unknown[]) =>
          shaped(await tx.query<Row>(text, params as unknown[] | undefined)),
      }),
    );
  }

  async withMigrationSession<T>(work: (session: MigrationSession) => Promise<T>): Promise<T> {
    await this.ready;
    return work({
      query: async (text, values) => {
        if (values !== undefined && values.length > 0) return this.query(text, values);
        // A migration file holds several statements: run them as one simple query.
        const results = await this.pglite.exec(text);
        const last = results.at(-1);
        return last ? shaped(last as Results<Record<string, unknown>>) : { rows: [], rowCount: 0 };
      },
    });
  }

  async close(): Promise<void> {
    const opened = await this.ready.then(
      () => true,
      () => false,
    );
    if (opened && !this.pglite.closed) await this.pglite.close();
  }
}
