// pg-boss, the job queue in PostgreSQL that carries the realm's audit events (database node ->
// backup node) and runs the backup schedule (cron) with its history. v10 needs every queue
// created before send/work/schedule.
import { createHash } from "node:crypto";
import PgBoss from "pg-boss";
import type { Log } from "../log.ts";

/** Queue names are per realm: several realms share one PostgreSQL. */
const slug = (realm: string): string => realm.replace(/[^A-Za-z0-9_-]/g, "_");
export const auditQueue = (realm: string): string => `realm-audit-${slug(realm)}`;
export const snapshotQueue = (realm: string): string => `realm-snapshot-${slug(realm)}`;

interface BossOptions {
  /** Runs the cron clock and maintenance (one node per realm: the backup node). */
  schedule: boolean;
}

export async function startBoss(url: string, log: Log, opts: BossOptions): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    max: 3,
    schedule: opts.schedule,
    supervise: opts.schedule,
    // keep the job table small: fetches slow down as finished jobs pile up
    archiveCompletedAfterSeconds: 3600,
    deleteAfterDays: 7,
    cronMonitorIntervalSeconds: 5,
    cronWorkerIntervalSeconds: 5,
  });
  boss.on("error", (err: Error) => log.warn("pg-boss-error", { error: err.message }));
  await boss.start();
  return boss;
}

export async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, "name"> = {}): Promise<void> {
  if (await boss.getQueue(name)) return;
  try {
    await boss.createQueue(name, { name, ...options });
  } catch (err) {
    // another node created it between our look and our create
    if (!(await boss.getQueue(name))) throw err;
  }
}

/** A job id derived from an event id (a UUID in v5 layout), so the same event is the same job. */
export function jobIdOf(eventId: string): string {
  const h = createHash("sha1").update(eventId).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** The cron expression closest to "every `ms`": pg-boss cron has a one-minute grain. */
export function cronEvery(ms: number): { cron: string; note?: string } {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  const note = ms < 60_000 ? `backup every ${ms} ms is below pg-boss's one-minute cron grain; snapshots run every minute` : undefined;
  if (minutes < 60) {
    const step = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30].reduce((best, s) => (Math.abs(s - minutes) < Math.abs(best - minutes) ? s : best), 1);
    const off = step !== minutes ? `every ${minutes} min does not divide an hour; snapshots run every ${step} min` : undefined;
    const text = note ?? off;
    return text === undefined ? { cron: step === 1 ? "* * * * *" : `*/${step} * * * *` } : { cron: step === 1 ? "* * * * *" : `*/${step} * * * *`, note: text };
  }
  const hours = Math.max(1, Math.round(minutes / 60));
  const step = [1, 2, 3, 4, 6, 8, 12, 24].reduce((best, s) => (Math.abs(s - hours) < Math.abs(best - hours) ? s : best), 1);
  const cron = step === 24 ? "0 0 * * *" : step === 1 ? "0 * * * *" : `0 */${step} * * *`;
  return step !== hours || minutes % 60 !== 0 ? { cron, note: `every ${minutes} min is not a whole divisor of a day; snapshots run every ${step} h` } : { cron };
}
