// Failed-login counters per IP and per account name, in PostgreSQL so that both login nodes
// count the same failures and enforce the same lockouts. Unknown names are counted like real
// ones: a lockout says nothing about whether an account exists.
import type pg from "pg";

interface FailureLimit {
  /** Failures within `windowSeconds` that lock the key. */
  max: number;
  windowSeconds: number;
  /** How long the lock lasts once reached. */
  lockSeconds: number;
}

/** Guessing one account's password: 5 tries per 15 minutes. */
export const ACCOUNT_LIMIT: FailureLimit = { max: 5, windowSeconds: 900, lockSeconds: 900 };
/** Spraying many names from one address; high enough for a household or a small NAT behind it. */
export const IP_LIMIT: FailureLimit = { max: 50, windowSeconds: 900, lockSeconds: 900 };
/** Self-registrations from one address. */
const REGISTER_LIMIT: FailureLimit = { max: 10, windowSeconds: 3600, lockSeconds: 3600 };

type Scope = "ip" | "account" | "register";

const LIMITS: Record<Scope, FailureLimit> = { ip: IP_LIMIT, account: ACCOUNT_LIMIT, register: REGISTER_LIMIT };

export class FailureCounters {
  constructor(private readonly db: pg.Pool) {}

  /** Seconds until the first of these keys unlocks, or 0 when none is locked. */
  async lockedFor(keys: { scope: Scope; key: string }[]): Promise<number> {
    const { rows } = await this.db.query<{ wait: number }>(
      `SELECT ceil(extract(epoch FROM max(locked_until) - now()))::int AS wait
         FROM login_failures
        WHERE (scope, key) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND locked_until > now()`,
      [keys.map((k) => k.scope), keys.map((k) => k.key)],
    );
    return Math.max(0, rows[0]?.wait ?? 0);
  }

  /** Counts one failure (or one registration) against `key`; locks it once the limit is reached. */
  async count(scope: Scope, key: string): Promise<void> {
    const limit = LIMITS[scope];
    // a window older than windowSeconds starts over; reaching max sets the lock
    await this.db.query(
      `INSERT INTO login_failures AS f (scope, key, window_start, failures, locked_until)
       VALUES ($1, $2, now(), 1, CASE WHEN $3::int <= 1 THEN now() + make_interval(secs => $5) END)
       ON CONFLICT (scope, key) DO UPDATE SET
         failures     = CASE WHEN f.window_start < now() - make_interval(secs => $4) THEN 1 ELSE f.failures + 1 END,
         window_start = CASE WHEN f.window_start < now() - make_interval(secs => $4) THEN now() ELSE f.window_start END,
         locked_until = CASE
           WHEN f.window_start >= now() - make_interval(secs => $4) AND f.failures + 1 >= $3 THEN now() + make_interval(secs => $5)
           ELSE f.locked_until END`,
      [scope, key, limit.max, limit.windowSeconds, limit.lockSeconds],
    );
  }

  /** A right password clears the account's count (not the address's: one success hides no spray). */
  async clear(scope: Scope, key: string): Promise<void> {
    await this.db.query("DELETE FROM login_failures WHERE scope = $1 AND key = $2 AND (locked_until IS NULL OR locked_until <= now())", [scope, key]);
  }

  /** Housekeeping: counters whose window and lock are both over say nothing any more. */
  async forgetOld(): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM login_failures
        WHERE window_start < now() - interval '1 day' AND (locked_until IS NULL OR locked_until < now())`,
    );
    return rowCount ?? 0;
  }
}
