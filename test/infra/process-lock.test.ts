import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { lockForProcess } from "../../src/infra/process-lock.ts";

const lockFile = () => join(mkdtempSync(join(tmpdir(), "keyforge-lock-")), "store.lock");
/** The id of a process that has exited. */
const exitedPid = () => spawnSync(process.execPath, ["-e", ""]).pid;

/** Starts a process that tries to take the lock, says whether it did, and holds it a while. */
function contender(file: string): Promise<string> {
  const script = `
    import { lockForProcess } from ${JSON.stringify(new URL("../../src/infra/process-lock.ts", import.meta.url).href)};
    try {
      const release = await lockForProcess(${JSON.stringify(file)}, "the store");
      console.log("took");
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await release();
    } catch (error) {
      console.log(error.code);
    }`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  return new Promise((resolve) => child.on("close", () => resolve(output.trim())));
}

describe("process lock", () => {
  it("holds this process's pid until released", async () => {
    const file = lockFile();
    const release = await lockForProcess(file, "the store");
    assert.equal(readFileSync(file, "utf8"), `${process.pid}\n`);
    await release();
    assert.equal(existsSync(file), false);
  });

  it("never removes a lock another process holds when released", async () => {
    const file = lockFile();
    const release = await lockForProcess(file, "the store");
    writeFileSync(file, `${process.ppid}\n`);
    await release();
    assert.equal(readFileSync(file, "utf8"), `${process.ppid}\n`);
  });

  it("refuses a lock a live process holds, naming what it guards", async () => {
    const file = lockFile();
    writeFileSync(file, `${process.ppid}\n`);
    await assert.rejects(lockForProcess(file, "the store"), (error: Error) => {
      assert.equal((error as Error & { code?: string }).code, "LOCK_HELD");
      assert.match(error.message, new RegExp(`the store is in use by process ${process.ppid}`));
      return true;
    });
    assert.equal(readFileSync(file, "utf8"), `${process.ppid}\n`);
  });

  it("takes over the lock of a process that died, and one that holds no pid", async () => {
    for (const left of [`${exitedPid()}\n`, "", "junk"]) {
      const file = lockFile();
      writeFileSync(file, left);
      const release = await lockForProcess(file, "the store");
      assert.equal(readFileSync(file, "utf8"), `${process.pid}\n`, JSON.stringify(left));
      await release();
    }
  });

  it("lets exactly one of several processes racing for a dead process's lock take it", async () => {
    const file = lockFile();
    writeFileSync(file, `${exitedPid()}\n`);
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => contender(file)));
    assert.deepEqual(
      outcomes.sort(),
      ["LOCK_HELD", "LOCK_HELD", "LOCK_HELD", "took"],
      "one takes it, the others are refused",
    );
    assert.deepEqual(readdirSync(join(file, "..")), [], "nothing is left behind");
  });
});
