import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { PGlite, type PGliteInterface, type Results, type Transaction } from "@electric-sql/pglite";
import { lockForProcess } from "../process-lock.ts";
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

/** The lock files of the database folders this process has open. */
const FOLDERS_OPEN_HERE = new Set<string>();

/** Takes a database folder for this process (see PgliteDatabase); resolves with the release. */
async function lockFolder(folder: string): Promise<() => Promise<void>> {
  // However the folder is written, one lock file stands for it.
  const lockFile = `${resolve(folder)}.lock`;
  if (FOLDERS_OPEN_HERE.has(lockFile)) {
    throw new DatabaseUnavailableError(
      `the embedded database in ${folder} is already open in this process`,
    );
  }
  FOLDERS_OPEN_HERE.add(lockFile);
  const release = await lockForProcess(lockFile, `the embedded database in ${folder}`).catch(
    (error: unknown) => {
      FOLDERS_OPEN_HERE.delete(lockFile);
      throw new DatabaseUnavailableError((error as Error).message);
    },
  );
  return async () => {
    FOLDERS_OPEN_HERE.delete(lockFile);
    await release();
  };
}

function shaped<Row>(result: Results<Row>): SqlResult<Row> {
  return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
}

/**
 * The store embedded in the process (PGlite: PostgreSQL compiled to WebAssembly), for
 * `keyforge up` and tests. Same SQL, same migrations; one connection, so statements and
 * transactions run one after the other. A database in a folder allows one process at a time:
 * a lock file beside the folder (`<folder>.lock`) refuses a second one, which would corrupt it,
 * and a second open in this process is refused too.
 */
export class PgliteDatabase implements Database {
  readonly engine = "pglite";
  readonly schema = "public";
  /** Resolves once the database is open; a database that cannot open fails every call clearly. */
  private readonly opened: Promise<PGliteInterface>;
  private unlock: (() => Promise<void>) | null = null;

  /**
   * `source` is the folder that keeps the database, or an open PGlite instance (a clone, say);
   * without it, the database lives in memory.
   */
  constructor(source?: string | PGliteInterface) {
    const folder = typeof source === "string" ? createdFolder(source) : undefined;
    this.opened = (typeof source === "object" ? Promise.resolve(source) : this.open(folder)).catch(
      (error: unknown) => {
        throw error instanceof DatabaseUnavailableError
          ? error
          : new DatabaseUnavailableError(
              `the embedded database${folder ? ` in ${folder}` : ""} cannot be opened: ${(error as Error).message}`,
            );
      },
    );
    // Reported by the first call that needs the database, not as an unhandled rejection.
    this.opened.catch(() => {});
  }

  private async open(folder: string | undefined): Promise<PGliteInterface> {
    if (folder !== undefined) this.unlock = await lockFolder(folder);
    try {
      const pglite = new PGlite(folder);
      await pglite.waitReady;
      return pglite;
    } catch (error) {
      await this.releaseLock();
      throw error;
    }
  }

  private async releaseLock(): Promise<void> {
    const unlock = this.unlock;
    this.unlock = null;
    await unlock?.();
  }

  async query<Row = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<Row>> {
    const pglite = await this.opened;
    return shaped(await pglite.query<Row>(text, params as unknown[] | undefined));
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const pglite = await this.opened;
    return pglite.transaction((tx: Transaction) =>
      work({
        query: async <Row>(text: string, params?: readonly unknown[]) =>
          shaped(await tx.query<Row>(text, params as unknown[] | undefined)),
      }),
    );
  }

  async withMigrationSession<T>(work: (session: MigrationSession) => Promise<T>): Promise<T> {
    const pglite = await this.opened;
    return work({
      query: async (text, values) => {
        if (values !== undefined && values.length > 0) return this.query(text, values);
        // A migration file holds several statements: run them as one simple query.
        const results = await pglite.exec(text);
        const last = results.at(-1);
        return last ? shaped(last as Results<Record<string, unknown>>) : { rows: [], rowCount: 0 };
      },
    });
  }

  /**
   * The database folder as PGlite's gzipped tarball, taken while no transaction is open, so the
   * copy is consistent without stopping the process (the files on disk are never copied).
   */
  async dumpDataDir(): Promise<Uint8Array> {
    const pglite = await this.opened;
    const dump = await pglite._runExclusiveTransaction(() => pglite.dumpDataDir("gzip"));
    return new Uint8Array(await dump.arrayBuffer());
  }

  async close(): Promise<void> {
    const pglite = await this.opened.catch(() => null);
    if (pglite && !pglite.closed) await pglite.close();
    await this.releaseLock();
  }
}

/**
 * Creates the database in `folder` (which must hold none yet) from a tarball `dumpDataDir`
 * made, and opens it. The folder is not locked: it is for a folder no one else knows of yet.
 */
export async function loadPgliteDataDir(
  folder: string,
  tarball: Uint8Array,
): Promise<PgliteDatabase> {
  const pglite = new PGlite(createdFolder(folder), {
    // A copy: the Blob wants bytes of its own, not a view into a larger (maybe shared) buffer.
    loadDataDir: new Blob([new Uint8Array(tarball)]),
  });
  try {
    await pglite.waitReady;
  } catch (error) {
    throw new DatabaseUnavailableError(
      `the backup cannot be loaded into ${folder}: ${(error as Error).message}`,
    );
  }
  return new PgliteDatabase(pglite);
}
