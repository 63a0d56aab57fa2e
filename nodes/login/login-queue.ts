// The queue in front of a full realm: a table in PostgreSQL, so it survives a login node restart
// and both login nodes see the same order. A player holds a ticket (a secret, stored hashed) and
// polls it; the order is the ticket's id. A ticket not polled for a minute is abandoned, so a
// player who closed the page does not hold up the ones behind.
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { handleHash } from "./sessions.ts";

const TICKET_ABANDONED_S = 60;
/** The admission rate behind an ETA is taken over this window. */
const RATE_WINDOW_S = 600;

interface Ticket {
  id: string;
  accountId: string;
  accountName: string;
  banned: boolean;
  realm: string;
  state: "waiting" | "admitted" | "abandoned";
  stale: boolean;
}

export interface QueuePlace {
  /** 1 for the next player to get in. */
  position: number;
  /** From the recent admission rate; null while nobody was admitted recently. */
  etaSeconds: number | null;
}

const ALIVE = `state = 'waiting' AND last_seen_at > now() - make_interval(secs => ${TICKET_ABANDONED_S})`;

export class LoginQueue {
  constructor(private readonly db: pg.Pool) {}

  /**
   * A ticket for the account; one that was already waiting keeps its place in line and gets a
   * new secret (the player logged in again), an abandoned one goes to the back.
   */
  async enqueue(accountId: string, realm: string): Promise<{ ticket: string; id: string }> {
    const ticket = randomBytes(32).toString("base64url");
    await this.db.query(
      `UPDATE login_queue SET state = 'abandoned'
        WHERE account_id = $1 AND realm = $2 AND state = 'waiting' AND NOT (${ALIVE})`,
      [accountId, realm],
    );
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO login_queue (ticket_hash, account_id, realm) VALUES ($1, $2, $3)
       ON CONFLICT (account_id, realm) WHERE state = 'waiting'
       DO UPDATE SET ticket_hash = EXCLUDED.ticket_hash, last_seen_at = now()
       RETURNING id`,
      [handleHash(ticket), accountId, realm],
    );
    return { ticket, id: String(rows[0]?.id) };
  }

  async find(ticket: string): Promise<Ticket | undefined> {
    const { rows } = await this.db.query<{
      id: string;
      account_id: string;
      name: string;
      banned: boolean;
      realm: string;
      state: Ticket["state"];
      stale: boolean;
    }>(
      `SELECT q.id, q.account_id, a.name, q.realm, q.state,
              EXISTS (SELECT 1 FROM account_bans b WHERE b.account_id = a.id AND b.lifted_at IS NULL) AS banned,
              q.last_seen_at <= now() - make_interval(secs => ${TICKET_ABANDONED_S}) AS stale
         FROM login_queue q JOIN accounts a ON a.id = q.account_id
        WHERE q.ticket_hash = $1`,
      [handleHash(ticket)],
    );
    const r = rows[0];
    if (!r) return undefined;
    return { id: String(r.id), accountId: String(r.account_id), accountName: r.name, banned: r.banned, realm: r.realm, state: r.state, stale: r.stale };
  }

  /** The account's live waiting ticket for the realm, if it has one. */
  async waitingOf(accountId: string, realm: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ id: string }>(`SELECT id FROM login_queue WHERE account_id = $1 AND realm = $2 AND ${ALIVE}`, [
      accountId,
      realm,
    ]);
    return rows[0] === undefined ? undefined : String(rows[0].id);
  }

  async touch(id: string): Promise<void> {
    await this.db.query("UPDATE login_queue SET last_seen_at = now() WHERE id = $1", [id]);
  }

  async abandon(id: string): Promise<void> {
    await this.db.query("UPDATE login_queue SET state = 'abandoned' WHERE id = $1 AND state = 'waiting'", [id]);
  }

  /** Live tickets ahead of ticket `id` (all of them without `id`): the places to keep free for them. */
  async ahead(realm: string, id?: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM login_queue WHERE realm = $1 AND ${ALIVE} AND ($2::bigint IS NULL OR id < $2::bigint)`,
      [realm, id ?? null],
    );
    return rows[0]?.n ?? 0;
  }

  async place(realm: string, id: string): Promise<QueuePlace> {
    const position = (await this.ahead(realm, id)) + 1;
    const { rows } = await this.db.query<{ n: number; span: number | null }>(
      `SELECT count(*)::int AS n, extract(epoch FROM now() - min(admitted_at))::float8 AS span
         FROM login_queue WHERE realm = $1 AND state = 'admitted' AND admitted_at > now() - make_interval(secs => ${RATE_WINDOW_S})`,
      [realm],
    );
    const n = rows[0]?.n ?? 0;
    // a single admission a second ago is no rate: spread what we saw over at least a minute
    const perSecond = n / Math.max(60, rows[0]?.span ?? 0);
    return { position, etaSeconds: n === 0 ? null : Math.ceil(position / perSecond) };
  }

  /** Housekeeping: marks silent tickets abandoned and forgets old ones. */
  async tidy(): Promise<number> {
    const abandoned = await this.db.query(`UPDATE login_queue SET state = 'abandoned' WHERE state = 'waiting' AND NOT (${ALIVE})`);
    await this.db.query("DELETE FROM login_queue WHERE state <> 'waiting' AND enqueued_at < now() - interval '1 day'");
    return abandoned.rowCount ?? 0;
  }
}
