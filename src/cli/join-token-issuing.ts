import type { Database } from "../infra/db/database.ts";
import type { JoinTokenRecord } from "../infra/db/join-token-repository.ts";

export interface JoinTokenSpec {
  readonly name: string | null;
  readonly maxUses: number;
  readonly expiresAt: Date;
}

/** Creates a join token and records who made it in the audit log; the token is returned once. */
export async function issueJoinToken(
  db: Database,
  spec: JoinTokenSpec,
): Promise<{ record: JoinTokenRecord; token: string }> {
  const { JoinTokenRepository } = await import("../infra/db/join-token-repository.ts");
  const { AuditLog } = await import("../infra/db/audit-log.ts");
  const issued = await new JoinTokenRepository(db).createToken(spec);
  await new AuditLog(db).record({
    actor: "admin",
    action: "join-token.created",
    subject: issued.record.id,
    details: {
      name: issued.record.name,
      maxUses: issued.record.maxUses,
      expiresAt: issued.record.expiresAt.toISOString(),
    },
  });
  return issued;
}
