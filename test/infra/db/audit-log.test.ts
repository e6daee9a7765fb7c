import assert from "node:assert/strict";
import { before, it } from "node:test";
import { AuditLog } from "../../../src/infra/db/audit-log.ts";
import type { Database } from "../../../src/infra/db/database.ts";
import { forEachDatabase } from "../../helpers/databases.ts";

forEachDatabase("AuditLog", (open) => {
  let db: Database;
  let audit: AuditLog;
  before(async () => {
    db = await open();
    audit = new AuditLog(db);
  });

  it("lists entries newest first, by subject", async () => {
    await audit.record({
      actor: "key_1",
      action: "job.submitted",
      subject: "job-1",
      details: { units: 4 },
    });
    await audit.record({ actor: "admin", action: "job.cancelled", subject: "job-1", details: {} });
    await audit.record({ actor: "admin", action: "key.created", subject: "key_2", details: {} });
    const entries = await audit.entries({ subject: "job-1", limit: 10 });
    assert.deepEqual(
      entries.map((e) => [e.actor, e.action, e.details]),
      [
        ["admin", "job.cancelled", {}],
        ["key_1", "job.submitted", { units: 4 }],
      ],
    );
    assert.equal((await audit.entries({ limit: 1 }))[0]?.action, "key.created");
  });

  it("writes an entry with the action it describes, or not at all", async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await audit.record(
          { actor: "admin", action: "node.removed", subject: "node-9", details: {} },
          tx,
        );
        throw new Error("the action failed");
      }),
      /the action failed/,
    );
    assert.deepEqual(await audit.entries({ subject: "node-9", limit: 10 }), []);
  });
});
