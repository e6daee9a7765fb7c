import pg from "pg";
import {
  checkSchemaName,
  type Database,
  DatabaseUnavailableError,
  type MigrationSession,
  type SqlExecutor,
  type SqlResult,
} from "./database.ts";

/** How long a query waits for a free connection, or for a new one, before failing. */
const CONNECT_TIMEOUT_MS = 3000;

/** Connection failures (network errors, SQLSTATE classes 08 and 57P) mean "down", not "bad query". */
function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") {
    return /timeout|terminated|Connection|connect/i.test((error as Error).message ?? "");
  }
  return (
    code.startsWith("08") ||
    code.startsWith("57P") ||
    ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "EPIPE"].includes(code)
  );
}

function translated(error: unknown): unknown {
  return isConnectionFailure(error)
    ? new DatabaseUnavailableError((error as Error).message)
    : error;
}

async function run<Row>(
  client: pg.Pool | pg.PoolClient | pg.Client,
  text: string,
  params?: readonly unknown[],
): Promise<SqlResult<Row>> {
  try {
    const reply: pg.QueryResult | pg.QueryResult[] = await client.query(
      text,
      params as unknown[] | undefined,
    );
    // Text with several statements (a migration file) answers one result per statement.
    const result = Array.isArray(reply) ? (reply.at(-1) as pg.QueryResult) : reply;
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
  } catch (error) {
    throw translated(error);
  }
}

/** The store on a PostgreSQL server (16 in production), through a connection pool. */
export class PostgresDatabase implements Database {
  readonly engine = "postgres";
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly config: pg.ClientConfig;

  constructor(url: string, options: { schema?: string; maxConnections?: number } = {}) {
    this.schema = checkSchemaName(options.schema ?? "public");
    this.config = {
      connectionString: url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      options: `-c search_path=${this.schema}`,
      application_name: "keyforge",
    };
    this.pool = new pg.Pool({ ...this.config, max: options.maxConnections ?? 10 });
    // An idle connection that breaks is dropped by the pool; the next query reports the outage.
    this.pool.on("error", () => {});
  }

  query<Row = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<Row>> {
    return run<Row>(this.pool, text, params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw translated(error);
    });
    let broken = false;
    try {
      await run(client, "BEGIN");
      const value = await work({ query: (text, params) => run(client, text, params) });
      await run(client, "COMMIT");
      return value;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async withMigrationSession<T>(work: (session: MigrationSession) => Promise<T>): Promise<T> {
    const client = new pg.Client(this.config);
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (error) {
      throw translated(error);
    }
    try {
      return await work({ query: (text, values) => run(client, text, values) });
    } finally {
      await client.end().catch(() => {});
    }
  }

  /** Creates the schema when it is missing (tests and side-by-side installations use their own). */
  async ensureSchema(): Promise<void> {
    await this.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
