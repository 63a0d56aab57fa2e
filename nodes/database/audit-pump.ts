// Economy events leave the database through an outbox: an operation writes its events into the
// `outbox` table in its own transaction (so they can never be lost or invented), and this pump
// moves them to pg-boss in batches, off the path of any answer. An event's job id comes from its
// event id, and the audit table's key is the event id, so a batch sent twice lands once.
import type PgBoss from "pg-boss";
import type { Log } from "../../common/log.ts";
import { auditQueue, ensureQueue, jobIdOf, startBoss } from "../../common/postgres/boss.ts";
import type { Store } from "../../common/store/layout.ts";
import { open, outboxRecord, type AuditEvent } from "../../common/store/records.ts";
import type { GroupCommit } from "./group-commit.ts";
import { done } from "./op-context.ts";

const BATCH_EVENTS = 2000;
const IDLE_MS = 200;
const RETRY_MS = 2000;

export class AuditPump {
  private boss: PgBoss | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  sent = 0;

  constructor(
    private readonly store: () => Store | undefined,
    private readonly commit: () => GroupCommit | undefined,
    private readonly realm: string,
    private readonly log: Log,
    private readonly url: string | undefined,
  ) {}

  start(): void {
    if (!this.url) {
      this.log.warn("audit-disabled", { why: "DATABASE_URL is not set: economy events wait in the outbox until the node runs with PostgreSQL" });
      return;
    }
    this.schedule(0);
  }

  backlog(): number {
    const store = this.store();
    return store ? (store.t.outbox.getStats() as { entryCount: number }).entryCount : 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // a pump stuck on an unreachable PostgreSQL must not hold up the node's stop: the outbox keeps what was not sent
    await Promise.race([this.running, new Promise((r) => setTimeout(r, 1000))]);
    await this.boss?.stop({ graceful: false, wait: true, close: true }).catch(() => {});
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pump()
        .then((moved) => this.schedule(moved >= BATCH_EVENTS ? 0 : IDLE_MS))
        .catch((err: Error) => {
          this.log.warn("audit-pump-failed", { error: err.message, retryMs: RETRY_MS });
          this.schedule(RETRY_MS);
        });
    }, ms);
  }

  /** Moves one batch; resolves with the number of events moved. */
  private async pump(): Promise<number> {
    const store = this.store();
    const commit = this.commit();
    if (!store || !commit) return 0;
    this.boss ??= await this.connect();
    const keys: number[] = [];
    const events: AuditEvent[] = [];
    for (const { key, value } of store.t.outbox.getRange({})) {
      try {
        events.push(...open(value, outboxRecord));
      } catch (err) {
        this.log.error("audit-event-damaged", { seq: key, error: (err as Error).message });
      }
      keys.push(Number(key));
      if (events.length >= BATCH_EVENTS) break;
    }
    if (keys.length === 0) return 0;
    if (events.length > 0) {
      const name = auditQueue(this.realm);
      await this.boss.insert(events.map((e) => ({ id: jobIdOf(e.eventId), name, data: e, retryLimit: 10, retryDelay: 5 })));
    }
    // the removal is an operation of its own, journaled like any other, so the replica's outbox empties too
    await new Promise<void>((resolve) =>
      commit.submit({
        kind: "outbox-sent",
        apply: (ctx) => {
          for (const k of keys) ctx.w.remove("outbox", k);
          return done();
        },
        done: () => resolve(),
      }),
    );
    this.sent += events.length;
    return events.length;
  }

  private async connect(): Promise<PgBoss> {
    const boss = await startBoss(this.url!, this.log, { schedule: false });
    try {
      await ensureQueue(boss, auditQueue(this.realm), { retryLimit: 10, retryDelay: 5 });
    } catch (err) {
      await boss.stop({ graceful: false, close: true }).catch(() => {});
      throw err;
    }
    this.log.info("audit-connected", { queue: auditQueue(this.realm) });
    return boss;
  }
}
