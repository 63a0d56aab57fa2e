// The operator console's token: 32 random bytes, shown once, kept in PostgreSQL only as a SHA-256.
// SHA-256 rather than scrypt: a slow hash protects guessable passwords, and 256 random bits are
// not guessable, so a fast hash loses nothing and lets every console request be checked cheaply.
// One token is active at a time; `realm console token --reset` replaces it.
import { createHash, randomBytes } from "node:crypto";
import type pg from "pg";

/** The console reads it at the first start of the leading reviver, instead of a random token (tests, automation). */
export const TOKEN_ENV = "REALM_CONSOLE_TOKEN";
/** A chosen token must be at least this long: it stands in for 256 random bits. */
const MIN_TOKEN_LENGTH = 32;

const hashOf = (token: string): Buffer => createHash("sha256").update(token, "utf8").digest();

function newToken(): string {
  return randomBytes(32).toString("base64url");
}

class TokenTooShortError extends Error {
  constructor() {
    super(`${TOKEN_ENV} must be at least ${MIN_TOKEN_LENGTH} characters; unset it to get a random token`);
    this.name = "TokenTooShortError";
  }
}

export class ConsoleTokens {
  constructor(private readonly db: pg.Pool) {}

  /**
   * The active token's id; when there is none, makes one (`chosen`, or random) and returns it in
   * clear, the only time it is ever seen. Two revivers racing here end with one token (unique index).
   */
  async ensure(createdBy: string, chosen?: string): Promise<{ id: string; token?: string }> {
    if (chosen !== undefined && chosen.length < MIN_TOKEN_LENGTH) throw new TokenTooShortError();
    const token = chosen ?? newToken();
    const inserted = await this.db.query<{ id: string }>(
      `INSERT INTO console_tokens (token_hash, created_by) VALUES ($1, $2)
       ON CONFLICT ((true)) WHERE revoked_at IS NULL DO NOTHING RETURNING id`,
      [hashOf(token), createdBy],
    );
    const id = inserted.rows[0]?.id;
    if (id !== undefined) return { id: String(id), token };
    const active = await this.db.query<{ id: string }>("SELECT id FROM console_tokens WHERE revoked_at IS NULL");
    return { id: String(active.rows[0]?.id ?? "") };
  }

  /** Revokes the active token and makes a new one, returned in clear. */
  async reset(createdBy: string): Promise<{ id: string; token: string }> {
    const token = newToken();
    const client = await this.db.connect();
    try {
      await client.query("BEGIN");
      await client.query("UPDATE console_tokens SET revoked_at = now() WHERE revoked_at IS NULL");
      const { rows } = await client.query<{ id: string }>("INSERT INTO console_tokens (token_hash, created_by) VALUES ($1, $2) RETURNING id", [hashOf(token), createdBy]);
      await client.query("COMMIT");
      return { id: String(rows[0]?.id), token };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** The id of the active token `token` is, or undefined. */
  async check(token: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ id: string }>("SELECT id FROM console_tokens WHERE token_hash = $1 AND revoked_at IS NULL", [hashOf(token)]);
    return rows[0] === undefined ? undefined : String(rows[0].id);
  }
}
