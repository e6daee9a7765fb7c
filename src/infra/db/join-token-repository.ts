import { randomBytes } from "node:crypto";
import type { JoinRefusalCode } from "../../protocol/node-messages.ts";
import type { Database, SqlExecutor } from "./database.ts";
import { tokenHash } from "./token-hash.ts";

/** Why a token cannot enrol a node now (the codes the hive answers with); null when it can. */
export type JoinTokenRefusal = Extract<
  JoinRefusalCode,
  "JOIN_TOKEN_REVOKED" | "JOIN_TOKEN_EXPIRED" | "JOIN_TOKEN_USED_UP"
>;

export interface JoinTokenRecord {
  readonly id: string;
  readonly name: string | null;
  readonly maxUses: number;
  readonly uses: number;
  readonly expiresAt: Date;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  /** Why it cannot enrol a node now, by the database's clock; null when it can. */
  readonly refusal: JoinTokenRefusal | null;
}

interface JoinTokenRow {
  id: string;
  name: string | null;
  max_uses: number;
  uses: number;
  expires_at: Date;
  created_at: Date;
  revoked_at: Date | null;
  refusal: JoinTokenRefusal | null;
}

/**
 * The columns of a token, with why it cannot be used. The same conditions guard the UPDATE of
 * `useToken`, which must decide in one statement.
 */
const TOKEN_COLUMNS = `id, name, max_uses, uses, expires_at, created_at, revoked_at,
  CASE WHEN revoked_at IS NOT NULL THEN 'JOIN_TOKEN_REVOKED'
       WHEN expires_at <= now() THEN 'JOIN_TOKEN_EXPIRED'
       WHEN uses >= max_uses THEN 'JOIN_TOKEN_USED_UP' END AS refusal`;

function tokenFromRow(row: JoinTokenRow): JoinTokenRecord {
  return {
    id: row.id,
    name: row.name,
    maxUses: row.max_uses,
    uses: row.uses,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    refusal: row.refusal,
  };
}

/** The prefix that tells a join token from the hive secret and API keys. */
export const JOIN_TOKEN_PREFIX = "kfj_";

/** Join tokens: volunteers' agents enrol with them. Only their hashes are stored. */
export class JoinTokenRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Creates a token; the token itself is returned this once and never stored. */
  async createToken(token: {
    name: string | null;
    maxUses: number;
    expiresAt: Date;
  }): Promise<{ record: JoinTokenRecord; token: string }> {
    const id = `jt_${randomBytes(8).toString("hex")}`;
    const secret = `${JOIN_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
    const { rows } = await this.db.query<JoinTokenRow>(
      `INSERT INTO join_tokens (id, name, token_hash, max_uses, expires_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${TOKEN_COLUMNS}`,
      [id, token.name, tokenHash(secret), token.maxUses, token.expiresAt],
    );
    return { record: tokenFromRow(rows[0] as JoinTokenRow), token: secret };
  }

  /** The token with this text, usable or not; null when there is none. */
  async findToken(token: string, executor: SqlExecutor = this.db): Promise<JoinTokenRecord | null> {
    const { rows } = await executor.query<JoinTokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM join_tokens WHERE token_hash = $1`,
      [tokenHash(token)],
    );
    return rows[0] ? tokenFromRow(rows[0]) : null;
  }

  /**
   * Takes one use of the token, in one statement: of two callers racing for its last use, one
   * gets it and the other finds it used up. Returns the token afterwards; its `refusal` is set
   * when no use was taken (and null is returned for an unknown token).
   */
  async useToken(token: string, executor: SqlExecutor = this.db): Promise<JoinTokenRecord | null> {
    const { rows } = await executor.query<JoinTokenRow>(
      `UPDATE join_tokens SET uses = uses + 1
       WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() AND uses < max_uses
       RETURNING ${TOKEN_COLUMNS}`,
      [tokenHash(token)],
    );
    if (rows[0]) return { ...tokenFromRow(rows[0]), refusal: null };
    const found = await this.findToken(token, executor);
    // Refused by the UPDATE, so refused for a reason even if the row changed since.
    return found && { ...found, refusal: found.refusal ?? "JOIN_TOKEN_USED_UP" };
  }

  async listTokens(): Promise<JoinTokenRecord[]> {
    const { rows } = await this.db.query<JoinTokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM join_tokens ORDER BY created_at, id`,
    );
    return rows.map(tokenFromRow);
  }

  /** Revokes a token: no new node enrols with it. False when there is no such live token. */
  async revokeToken(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      "UPDATE join_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
      [id],
    );
    return rowCount > 0;
  }
}
