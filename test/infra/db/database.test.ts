import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { KeyForgeError } from "../../../src/core/errors.ts";
import { type Database, DatabaseUnavailableError } from "../../../src/infra/db/database.ts";
import { PgliteDatabase } from "../../../src/infra/db/pglite-database.ts";
import { PostgresDatabase } from "../../../src/infra/db/postgres-database.ts";
import { forEachDatabase, TEST_DATABASE_URL } from "../../helpers/databases.ts";

forEachDatabase("Database", (open) => {
  let db: Database;
  before(async () => {
    db = await open();
    await db.query("CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL)");
  });

  it("commits a transaction that resolves", async () => {
    const value = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO notes VALUES ($1, $2)", [1, "kept"]);
      return "done";
    });
    assert.equal(value, "done");
    assert.deepEqual((await db.query("SELECT body FROM notes WHERE id = 1")).rows, [
      { body: "kept" },
    ]);
  });

  it("rolls back a transaction that throws, and reports the error", async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO notes VALUES ($1, $2)", [2, "dropped"]);
        await tx.query("INSERT INTO notes VALUES ($1, $2)", [2, "duplicate"]);
      }),
      /duplicate key/,
    );
    assert.equal((await db.query("SELECT 1 FROM notes WHERE id = 2")).rowCount, 0);
  });

  it("counts the rows a statement changed", async () => {
    await db.query("INSERT INTO notes VALUES (3, 'a'), (4, 'b')");
    const { rowCount } = await db.query("UPDATE notes SET body = 'c' WHERE id IN (3, 4)");
    assert.equal(rowCount, 2);
  });
});

describe("PgliteDatabase in a folder", () => {
  it("creates the folder, parents included, and keeps the data there", async () => {
    const folder = join(mkdtempSync(join(tmpdir(), "keyforge-pglite-")), "a", "b", "db");
    const db = new PgliteDatabase(folder);
    await db.query("CREATE TABLE kept (id integer)");
    await db.query("INSERT INTO kept VALUES (7)");
    await db.close();
    const reopened = new PgliteDatabase(folder);
    try {
      assert.deepEqual((await reopened.query("SELECT id FROM kept")).rows, [{ id: 7 }]);
    } finally {
      await reopened.close();
    }
  });

  it("refuses a folder another process has open, and takes over a dead one's lock", async () => {
    const folder = join(mkdtempSync(join(tmpdir(), "keyforge-pglite-")), "db");
    // The test runner that started this process runs as long as it does.
    writeFileSync(`${folder}.lock`, `${process.ppid}\n`);
    const refused = new PgliteDatabase(folder);
    await assert.rejects(refused.query("SELECT 1"), (error: unknown) => {
      assert.ok(error instanceof DatabaseUnavailableError);
      assert.match(error.message, new RegExp(`in use by process ${process.ppid}`));
      return true;
    });
    await refused.close();
    assert.equal(readFileSync(`${folder}.lock`, "utf8"), `${process.ppid}\n`, "its lock stays");

    const exited = spawnSync(process.execPath, ["-e", "process.pid"]).pid;
    writeFileSync(`${folder}.lock`, `${exited}\n`);
    const db = new PgliteDatabase(folder);
    assert.deepEqual((await db.query("SELECT 1 AS one")).rows, [{ one: 1 }]);
    assert.equal(readFileSync(`${folder}.lock`, "utf8"), `${process.pid}\n`);
    await db.close();
    assert.equal(existsSync(`${folder}.lock`), false, "closing releases the lock");
  });

  it("refuses a second open of a folder in the same process, however the path is written", async () => {
    const folder = join(mkdtempSync(join(tmpdir(), "keyforge-pglite-")), "db");
    const db = new PgliteDatabase(folder);
    await db.query("SELECT 1");
    const again = new PgliteDatabase(`${folder}/`);
    await assert.rejects(again.query("SELECT 1"), /already open in this process/);
    await again.close();
    await db.close();
    const reopened = new PgliteDatabase(`${folder}/`);
    assert.deepEqual((await reopened.query("SELECT 1 AS one")).rows, [{ one: 1 }]);
    await reopened.close();
  });

  it("reports a folder that holds no database as unavailable, and still closes", async () => {
    const folder = mkdtempSync(join(tmpdir(), "keyforge-pglite-"));
    writeFileSync(join(folder, "PG_VERSION"), "junk\n");
    const db = new PgliteDatabase(folder);
    await assert.rejects(db.query("SELECT 1"), DatabaseUnavailableError);
    await db.close();
  });

  it("reports a folder that cannot be created", () => {
    const file = join(mkdtempSync(join(tmpdir(), "keyforge-pglite-")), "file");
    writeFileSync(file, "");
    assert.throws(() => new PgliteDatabase(join(file, "db")), /ENOTDIR/);
  });
});

describe("PostgresDatabase", () => {
  it("fails fast with a typed error when the server cannot be reached", async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.port = "1";
    const db = new PostgresDatabase(url.href);
    try {
      await assert.rejects(db.query("SELECT 1"), DatabaseUnavailableError);
      await assert.rejects(
        db.transaction(async () => {}),
        DatabaseUnavailableError,
      );
    } finally {
      await db.close();
    }
  });

  it("refuses a schema name that is not a plain identifier", () => {
    assert.throws(
      () => new PostgresDatabase(TEST_DATABASE_URL, { schema: "x; DROP TABLE jobs" }),
      (error: unknown) =>
        error instanceof KeyForgeError && error.code === "DATABASE_SCHEMA_INVALID",
    );
  });
});
