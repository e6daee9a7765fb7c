import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { KeyForgeError } from "../core/errors.ts";
import { writeDurably } from "../infra/durable-file.ts";
import { type ResultSubmission, resultSubmissionSchema } from "../protocol/node-messages.ts";

/** A signed result waiting in the outbox for the hive to acknowledge it. */
export interface OutboxEntry {
  readonly unitId: string;
  readonly submission: ResultSubmission;
}

const UNIT_ID = /^[0-9a-f]{64}\.\d{1,9}$/;

/**
 * The agent's results on disk until the hive has them: a result is put here (and synced)
 * before it is first sent, and leaves only when the hive acknowledges it, or is refused for
 * good, in which case it moves to the dead-letter folder with the reason. A crashed agent
 * finds its unsent results here when it starts again.
 */
export class ResultOutbox {
  readonly folder: string;
  readonly deadLetterFolder: string;

  constructor(dataDir: string) {
    this.folder = join(dataDir, "outbox");
    this.deadLetterFolder = join(dataDir, "dead-letter");
  }

  /** Keeps a signed result until it is acknowledged; the same unit's result replaces it. */
  async put(entry: OutboxEntry): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    await writeDurably(this.fileOf(this.folder, entry.unitId), `${JSON.stringify(entry)}\n`);
  }

  /** The results waiting, oldest unit id first; an unreadable file goes to the dead letters. */
  async pending(): Promise<OutboxEntry[]> {
    let names: string[];
    try {
      names = (await readdir(this.folder)).filter((name) => name.endsWith(".json")).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const entries: OutboxEntry[] = [];
    for (const name of names) {
      const file = join(this.folder, name);
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        // Acknowledged since the folder was listed.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      try {
        const stored = JSON.parse(text) as { unitId?: unknown };
        if (typeof stored.unitId !== "string" || !UNIT_ID.test(stored.unitId)) {
          throw new Error("it names no unit");
        }
        const submission = resultSubmissionSchema.parse(
          (stored as { submission?: unknown }).submission,
        );
        entries.push({ unitId: stored.unitId, submission });
      } catch (error) {
        await this.moveToDeadLetters(file, name, `unreadable: ${(error as Error).message}`);
      }
    }
    return entries;
  }

  /** The hive has the result: it leaves the outbox. */
  async acknowledge(unitId: string): Promise<void> {
    await rm(this.fileOf(this.folder, unitId), { force: true });
  }

  /** The hive refused the result for good: it moves to the dead letters with the reason. */
  async deadLetter(unitId: string, reason: string): Promise<void> {
    const file = this.fileOf(this.folder, unitId);
    await this.moveToDeadLetters(file, `${unitId}.json`, reason);
  }

  private async moveToDeadLetters(file: string, name: string, reason: string): Promise<void> {
    await mkdir(this.deadLetterFolder, { recursive: true, mode: 0o700 });
    let content: unknown;
    try {
      content = JSON.parse(await readFile(file, "utf8"));
    } catch {
      content = null;
    }
    const letter = { reason, at: new Date().toISOString(), content };
    await writeDurably(join(this.deadLetterFolder, name), `${JSON.stringify(letter)}\n`);
    await rm(file, { force: true });
  }

  private fileOf(folder: string, unitId: string): string {
    if (!UNIT_ID.test(unitId)) {
      throw new KeyForgeError("UNIT_ID_INVALID", `"${unitId}" is not a unit id`);
    }
    return join(folder, `${unitId}.json`);
  }
}
