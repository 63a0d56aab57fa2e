// Accounts in PostgreSQL, shared by the login nodes (checking passwords, self-registration)
// and the operator's `realm account` command (create, passwd, ban, unban, list).
import type pg from "pg";
import { hashPassword, type PasswordSecret, type ScryptCost, SHIPPED_SCRYPT } from "./passwords.ts";

/** ASCII only, so no two names look alike (no Cyrillic "а" posing as a Latin "a"); case does not make a new name. */
const ACCOUNT_NAME = /^[A-Za-z][A-Za-z0-9_]{2,23}$/;

export function accountNameProblem(name: string): string | undefined {
  if (ACCOUNT_NAME.test(name)) return undefined;
  return "username must be 3 to 24 ASCII letters, digits or _, starting with a letter";
}

/** The spelling that makes names unique: "Arthur" and "ARTHUR" are one account. */
export const nameKey = (name: string): string => name.toLowerCase();

export interface Account {
  id: string;
  name: string;
  secret: PasswordSecret;
  banned: boolean;
  banReason: string | undefined;
}

interface AccountListing {
  id: string;
  name: string;
  createdAt: Date;
  createdBy: string;
  banned: boolean;
  banReason: string | null;
  scrypt: string;
}

/** A live session that was ended, so its realm node can be told to free the place. */
export interface EndedSession {
  realm: string;
  handleHash: string;
}

export class AccountTakenError extends Error {
  constructor(readonly account: string) {
    super(`an account named ${account} already exists (names are unique whatever the case)`);
    this.name = "AccountTakenError";
  }
}

export class NoSuchAccountError extends Error {
  constructor(readonly account: string) {
    super(`no account named ${account} (realm account list shows them)`);
    this.name = "NoSuchAccountError";
  }
}

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

interface AccountRow {
  id: string;
  name: string;
  password_hash: Buffer;
  password_salt: Buffer;
  scrypt_n: number;
  scrypt_r: number;
  scrypt_p: number;
  ban_reason: string | null;
}

export class AccountStore {
  constructor(private readonly db: Queryable) {}

  /** `cost` is stored with the account; tests may use a cheaper one, players get the shipped one. */
  async create(name: string, password: string, createdBy: string, cost: ScryptCost = SHIPPED_SCRYPT): Promise<{ id: string; name: string }> {
    const secret = await hashPassword(password, cost);
    try {
      const { rows } = await this.db.query<{ id: string }>(
        `INSERT INTO accounts (name, name_key, password_hash, password_salt, scrypt_n, scrypt_r, scrypt_p, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [name, nameKey(name), secret.hash, secret.salt, secret.N, secret.r, secret.p, createdBy],
      );
      return { id: String(rows[0]?.id), name };
    } catch (err) {
      if ((err as { code?: string }).code === "23505") throw new AccountTakenError(name);
      throw err;
    }
  }

  async find(name: string): Promise<Account | undefined> {
    const { rows } = await this.db.query<AccountRow>(
      `SELECT a.id, a.name, a.password_hash, a.password_salt, a.scrypt_n, a.scrypt_r, a.scrypt_p, b.reason AS ban_reason
         FROM accounts a LEFT JOIN account_bans b ON b.account_id = a.id AND b.lifted_at IS NULL
        WHERE a.name_key = $1`,
      [nameKey(name)],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: String(row.id),
      name: row.name,
      secret: { hash: row.password_hash, salt: row.password_salt, N: row.scrypt_n, r: row.scrypt_r, p: row.scrypt_p },
      banned: row.ban_reason !== null,
      banReason: row.ban_reason ?? undefined,
    };
  }

  private async idOf(name: string): Promise<string> {
    const { rows } = await this.db.query<{ id: string }>("SELECT id FROM accounts WHERE name_key = $1", [nameKey(name)]);
    const id = rows[0]?.id;
    if (id === undefined) throw new NoSuchAccountError(name);
    return String(id);
  }

  /** New password with the shipped cost (an account created cheaply gets the real cost here). */
  async setPassword(name: string, password: string, cost: ScryptCost = SHIPPED_SCRYPT): Promise<string> {
    const id = await this.idOf(name);
    const secret = await hashPassword(password, cost);
    await this.db.query(
      `UPDATE accounts SET password_hash = $2, password_salt = $3, scrypt_n = $4, scrypt_r = $5, scrypt_p = $6,
              password_changed_at = now() WHERE id = $1`,
      [id, secret.hash, secret.salt, secret.N, secret.r, secret.p],
    );
    return id;
  }

  /** True when a ban was added, false when the account was already banned. */
  async ban(name: string, reason: string): Promise<{ id: string; added: boolean }> {
    const id = await this.idOf(name);
    const { rowCount } = await this.db.query(
      `INSERT INTO account_bans (account_id, reason) VALUES ($1, $2) ON CONFLICT (account_id) WHERE lifted_at IS NULL DO NOTHING`,
      [id, reason],
    );
    return { id, added: (rowCount ?? 0) > 0 };
  }

  async unban(name: string): Promise<{ id: string; lifted: boolean }> {
    const id = await this.idOf(name);
    const { rowCount } = await this.db.query("UPDATE account_bans SET lifted_at = now() WHERE account_id = $1 AND lifted_at IS NULL", [id]);
    return { id, lifted: (rowCount ?? 0) > 0 };
  }

  async list(): Promise<AccountListing[]> {
    const { rows } = await this.db.query<{
      id: string;
      name: string;
      created_at: Date;
      created_by: string;
      reason: string | null;
      scrypt_n: number;
      scrypt_r: number;
      scrypt_p: number;
    }>(
      `SELECT a.id, a.name, a.created_at, a.created_by, b.reason, a.scrypt_n, a.scrypt_r, a.scrypt_p
         FROM accounts a LEFT JOIN account_bans b ON b.account_id = a.id AND b.lifted_at IS NULL
        ORDER BY a.id`,
    );
    return rows.map((r) => ({
      id: String(r.id),
      name: r.name,
      createdAt: r.created_at,
      createdBy: r.created_by,
      banned: r.reason !== null,
      banReason: r.reason,
      scrypt: `N=2^${Math.log2(r.scrypt_n)},r=${r.scrypt_r},p=${r.scrypt_p}`,
    }));
  }

  /** Ends the account's live session(s) in PostgreSQL; the caller tells their realm nodes. */
  async endLiveSessions(accountId: string, reason: string): Promise<EndedSession[]> {
    const { rows } = await this.db.query<{ realm: string; handle_hash: Buffer }>(
      "UPDATE sessions SET ended_at = now(), end_reason = $2 WHERE account_id = $1 AND ended_at IS NULL RETURNING realm, handle_hash",
      [accountId, reason],
    );
    return rows.map((r) => ({ realm: r.realm, handleHash: r.handle_hash.toString("hex") }));
  }
}
