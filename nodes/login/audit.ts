// The front door's durable background work, through pg-boss: login attempts are gathered for
// 200 ms and sent as one audit job, which whichever login node fetches it writes to `login_audit`
// (a request never waits for the audit write, a failed write is retried, and the job outlives the
// node that sent it); and a housekeeping job scheduled every 5 minutes runs once across both
// login nodes, not once per node. One job per batch, not per login, keeps pg-boss's table small.
import PgBoss from "pg-boss";
import type pg from "pg";
import type { Log } from "../../common/log.ts";

const AUDIT_QUEUE = "login-audit";
const HOUSEKEEPING_QUEUE = "login-housekeeping";
/** Attempts are sent to pg-boss in batches: one insert per batch rather than one per login. */
const FLUSH_MS = 200;
const FLUSH_AT = 200;
/** Pending entries beyond this are dropped with a log line: the audit must not eat the node's memory. */
const MAX_PENDING = 20_000;

type LoginOutcome =
  | "admitted"
  | "queued"
  | "bad-credentials"
  | "locked-out"
  | "banned"
  | "realm-down"
  | "no-client-node"
  | "registered"
  | "logout";

export interface AuditEntry {
  at: string;
  loginNode: string;
  ip: string;
  username: string;
  accountId: string | null;
  realm: string | null;
  outcome: LoginOutcome;
}

// "login" 01: the foundation took "realm" 01 (migrations) and 02 (reviver leadership)
const SETUP_LOCK = 0x6c6f67696e01n;
const DEADLOCK = "40P01";

async function oneAtATime(pool: pg.Pool, fn: () => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [SETUP_LOCK.toString()]);
    try {
      await fn();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [SETUP_LOCK.toString()]);
    }
  } finally {
    client.release();
  }
}

async function retryDeadlock(fn: () => Promise<void>, tries = 5): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: string }).code !== DEADLOCK || i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
    }
  }
}

interface AuditBatch {
  entries: AuditEntry[];
}

export class LoginAudit {
  private pending: AuditEntry[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private dropped = 0;
  private stopping = false;
  written = 0;
  /** Every outcome since the node started, counted even when the audit has to drop its entry. */
  readonly outcomes = new Map<LoginOutcome, number>();

  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: pg.Pool,
    private readonly loginNode: string,
    private readonly log: Log,
  ) {}

  /** Starts pg-boss (creating its schema on first use) and this node's workers. */
  static async start(url: string, pool: pg.Pool, loginNode: string, log: Log, housekeeping: () => Promise<Record<string, number>>): Promise<LoginAudit> {
    const boss = new PgBoss({
      connectionString: url,
      max: 3,
      application_name: `${loginNode}-pgboss`,
      // finished jobs slow pg-boss's fetches down: archive them after an hour, drop them after two days
      archiveCompletedAfterSeconds: 3600,
      deleteAfterDays: 2,
    });
    boss.on("error", (err) => log.warn("pgboss-error", { error: err.message }));
    // creating queues attaches partitions to pg-boss's job table: two nodes doing it at once can
    // deadlock, so the login nodes take turns, and a deadlock with another pg-boss user is retried
    await oneAtATime(pool, async () => {
      await boss.start();
      await retryDeadlock(() => boss.createQueue(AUDIT_QUEUE, { name: AUDIT_QUEUE, retryLimit: 5, retryDelay: 2, retentionMinutes: 1440 }));
      await retryDeadlock(() => boss.createQueue(HOUSEKEEPING_QUEUE, { name: HOUSEKEEPING_QUEUE, policy: "singleton" }));
    });
    const audit = new LoginAudit(boss, pool, loginNode, log);
    await boss.work<AuditBatch>(AUDIT_QUEUE, { batchSize: 20, pollingIntervalSeconds: 1 }, async (jobs) => {
      await audit.write(jobs.flatMap((j) => j.data.entries));
    });
    await boss.work(HOUSEKEEPING_QUEUE, async () => {
      const done = await housekeeping();
      log.info("login-housekeeping", done);
    });
    await boss.schedule(HOUSEKEEPING_QUEUE, "*/5 * * * *");
    return audit;
  }

  record(ip: string, username: string, outcome: LoginOutcome, accountId?: string, realm?: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (this.pending.length >= MAX_PENDING) {
      this.dropped++;
      if ((this.dropped & (this.dropped - 1)) === 0) this.log.warn("audit-dropped", { dropped: this.dropped });
      return;
    }
    const entry: AuditEntry = {
      at: new Date().toISOString(),
      loginNode: this.loginNode,
      ip,
      username: username.slice(0, 64),
      accountId: accountId ?? null,
      realm: realm ?? null,
      outcome,
    };
    this.pending.push(entry);
    if (this.pending.length >= FLUSH_AT) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  private async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      await this.boss.send(AUDIT_QUEUE, { entries: batch } satisfies AuditBatch);
    } catch (err) {
      // PostgreSQL away for a moment: keep the entries (within the cap) and try again in a second
      this.log.warn("audit-send-failed", { entries: batch.length, error: (err as Error).message });
      this.pending = batch.slice(0, MAX_PENDING - this.pending.length).concat(this.pending);
      if (!this.stopping) this.flushTimer ??= setTimeout(() => void this.flush(), 1000);
    }
  }

  private async write(entries: AuditEntry[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO login_audit (at, login_node, ip, username, account_id, realm, outcome)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[])`,
      [
        entries.map((e) => e.at),
        entries.map((e) => e.loginNode),
        entries.map((e) => e.ip),
        entries.map((e) => e.username),
        entries.map((e) => e.accountId),
        entries.map((e) => e.realm),
        entries.map((e) => e.outcome),
      ],
    );
    this.written += entries.length;
  }

  /** Sends what is pending, then stops pg-boss; jobs not yet written stay queued for the other node. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.flush();
    clearTimeout(this.flushTimer);
    await this.boss.stop({ graceful: true, wait: true, timeout: 2000 });
  }
}
