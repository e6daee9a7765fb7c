import { randomBytes } from "node:crypto";
import type { Database } from "./database.ts";
import { tokenHash } from "./token-hash.ts";

export type ApiKeyRole = "user" | "admin";

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly role: ApiKeyRole;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  role: ApiKeyRole;
  created_at: Date;
  revoked_at: Date | null;
}

function keyFromRow(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/** API keys of users and admins; only their hashes are stored. */
export class ApiKeyRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Creates a key; the token is returned this once and never stored. */
  async createKey(name: string, role: ApiKeyRole): Promise<{ key: ApiKeyRecord; token: string }> {
    const id = `key_${randomBytes(8).toString("hex")}`;
    const token = `kf_${randomBytes(32).toString("base64url")}`;
    const { rows } = await this.db.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, name, key_hash, role) VALUES ($1, $2, $3, $4)
       RETURNING id, name, role, created_at, revoked_at`,
      [id, name, tokenHash(token), role],
    );
    return { key: keyFromRow(rows[0] as ApiKeyRow), token };
  }

  /** The live (not revoked) key with this token, or null. */
  async findByToken(token: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.db.query<ApiKeyRow>(
      `SELECT id, name, role, created_at, revoked_at FROM api_keys
       WHERE key_hash = $1 AND revoked_at IS NULL`,
      [tokenHash(token)],
    );
    return rows[0] ? keyFromRow(rows[0]) : null;
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    const { rows } = await this.db.query<ApiKeyRow>(
      "SELECT id, name, role, created_at, revoked_at FROM api_keys ORDER BY created_at, id",
    );
    return rows.map(keyFromRow);
  }

  async revokeKey(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
      [id],
    );
    return rowCount > 0;
  }
}
