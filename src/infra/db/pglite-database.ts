import { PGlite, type PGliteInterface, type Results, type Transaction } from "@electric-sql/pglite";
import type { Database, MigrationSession, SqlExecutor, SqlResult } from "./database.ts";

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

  /**
   * `source` is the folder that keeps the database, or an open PGlite instance (a clone, say);
   * without it, the database lives in memory.
   */
  constructor(source?: string | PGliteInterface) {
    this.pglite = typeof source === "object" ? source : new PGlite(source);
  }

  async query<Row = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<Row>> {
    return shaped(await this.pglite.query<Row>(text, params as unknown[] | undefined));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.pglite.transaction((tx: Transaction) =>
      work({
        query: async <Row>(text: string, params?: readonly unknown[]) =>
          shaped(await tx.query<Row>(text, params as unknown[] | undefined)),
      }),
    );
  }

  withMigrationSession<T>(work: (session: MigrationSession) => Promise<T>): Promise<T> {
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
    await this.pglite.close();
  }
}
