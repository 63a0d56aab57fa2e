// Session handles: 256 random bits given to the player once, stored only as their sha256, with
// an expiry, bound to one account and one realm. One live session per account: a new one ends
// the old (PostgreSQL's partial unique index holds that line even between two login nodes), and
// the realm node kicks the old connection.
import { createHash, randomBytes } from "node:crypto";
import type pg from "pg";
import type { Log } from "../../common/log.ts";
import type { PlacementRefusal } from "../../common/protocol/login.ts";
import type { RealmLink } from "./realm-link.ts";

/** How long a handle may wait to attach to its client node; the player connects right after login. */
const SESSION_TTL_MS = 120_000;

export const handleHash = (handle: string): Buffer => createHash("sha256").update(handle, "utf8").digest();
/** 32 bytes in base64url. */
export const HANDLE_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export interface Placed {
  kind: "placed";
  session: string;
  realm: string;
  client: string;
  clientNode: string;
  expiresAt: Date;
}

export type Issued = Placed | { kind: PlacementRefusal } | { kind: "ticket-used" };

const UNIQUE_VIOLATION = "23505";

export class SessionIssuer {
  constructor(
    private readonly db: pg.Pool,
    private readonly realms: RealmLink,
    private readonly loginNode: string,
    private readonly log: Log,
  ) {}

  /**
   * Ends the account's live session, stores a new one and has the realm node place it, in one
   * transaction: when the realm refuses (full) or does not answer, nothing changed. With `ticketId`
   * the queue ticket is admitted in the same transaction, so it admits at most once.
   */
  async issue(account: { id: string; name: string }, realm: string, keepFree: number, ticketId?: string): Promise<Issued> {
    try {
      return await this.tryIssue(account, realm, keepFree, ticketId);
    } catch (err) {
      // the same account logging in through both login nodes at once: the later one goes again
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      return this.tryIssue(account, realm, keepFree, ticketId);
    }
  }

  private async tryIssue(account: { id: string; name: string }, realm: string, keepFree: number, ticketId?: string): Promise<Issued> {
    const client = await this.db.connect();
    let granted: string | undefined;
    try {
      await client.query("BEGIN");
      if (ticketId !== undefined) {
        const { rows } = await client.query<{ state: string }>("SELECT state FROM login_queue WHERE id = $1 FOR UPDATE", [ticketId]);
        if (rows[0]?.state !== "waiting") {
          await client.query("ROLLBACK");
          return { kind: "ticket-used" };
        }
      }
      const ended = await client.query<{ realm: string; handle_hash: Buffer }>(
        `UPDATE sessions SET ended_at = now(), end_reason = 'replaced by a new login'
          WHERE account_id = $1 AND ended_at IS NULL RETURNING realm, handle_hash`,
        [account.id],
      );
      const session = randomBytes(32).toString("base64url");
      const hash = handleHash(session);
      const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
      await client.query("INSERT INTO sessions (handle_hash, account_id, realm, login_node, expires_at) VALUES ($1, $2, $3, $4, $5)", [
        hash,
        account.id,
        realm,
        this.loginNode,
        expiresAt,
      ]);
      const sessionHash = hash.toString("hex");
      const reply = await this.realms.grant(realm, {
        accountId: account.id,
        accountName: account.name,
        sessionHash,
        expiresAt: expiresAt.getTime(),
        keepFree,
      });
      if (!reply.ok || reply.clientNode === undefined || reply.url === undefined) {
        await client.query("ROLLBACK");
        return { kind: reply.code ?? "no-client-node" };
      }
      granted = sessionHash;
      await client.query("UPDATE sessions SET client_node = $2 WHERE handle_hash = $1", [hash, reply.clientNode]);
      if (ticketId !== undefined) await client.query("UPDATE login_queue SET state = 'admitted', admitted_at = now() WHERE id = $1", [ticketId]);
      await client.query("COMMIT");
      granted = undefined;
      // the old session was in another realm: that realm frees its place and kicks the connection
      for (const old of ended.rows) {
        if (old.realm !== realm) void this.realms.end(old.realm, account.id, `logged in to ${realm}`, old.handle_hash.toString("hex"));
      }
      return { kind: "placed", session, realm, client: reply.url, clientNode: reply.clientNode, expiresAt };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      // placed but not stored: take the place back, or it would stay taken until the handle expires
      if (granted !== undefined) void this.realms.end(realm, account.id, "session not stored", granted);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Logout: ends the session with this handle; false when there is no live one. */
  async end(handle: string, reason: string): Promise<boolean> {
    const hash = handleHash(handle);
    const { rows } = await this.db.query<{ account_id: string; realm: string }>(
      "UPDATE sessions SET ended_at = now(), end_reason = $2 WHERE handle_hash = $1 AND ended_at IS NULL RETURNING account_id, realm",
      [hash, reason],
    );
    const row = rows[0];
    if (!row) return false;
    const freed = await this.realms.end(row.realm, String(row.account_id), reason, hash.toString("hex"));
    this.log.info("session-ended", { accountId: String(row.account_id), realm: row.realm, reason, placeFreed: freed });
    return true;
  }

  /** Housekeeping: sessions over for a week are history the audit already keeps. */
  async forgetOld(): Promise<number> {
    const { rowCount } = await this.db.query(
      "DELETE FROM sessions WHERE (ended_at IS NOT NULL AND ended_at < now() - interval '7 days') OR expires_at < now() - interval '30 days'",
    );
    return rowCount ?? 0;
  }
}
