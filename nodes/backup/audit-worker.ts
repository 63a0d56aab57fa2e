// Works the realm's audit queue: economy events from the database node's outbox, in batches,
// into the append-only audit_events table. The event id is the key and a repeat does nothing,
// so however often pg-boss or the outbox delivers an event, it is recorded exactly once.
import type pg from "pg";
import type PgBoss from "pg-boss";
import type { Log } from "../../common/log.ts";
import { auditQueue, ensureQueue } from "../../common/postgres/boss.ts";
import type { AuditEvent } from "../../common/store/records.ts";

const BATCH = 1000;

export async function startAuditWorker(boss: PgBoss, pool: pg.Pool, realm: string, log: Log): Promise<() => number> {
  let recorded = 0;
  const queue = auditQueue(realm);
  await ensureQueue(boss, queue, { retryLimit: 10, retryDelay: 5 });
  await boss.work<AuditEvent>(queue, { batchSize: BATCH, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    const events = jobs.map((j) => j.data);
    const { rowCount } = await pool.query(
      `INSERT INTO audit_events (event_id, realm, kind, op_id, seq, generation, at, character_id, counterparty, gold, items, detail)
       SELECT e->>'eventId', $1, e->>'kind', e->>'opId', (e->>'seq')::bigint, e->>'generation', to_timestamp((e->>'at')::double precision / 1000),
              e->>'characterId', e->>'counterparty', (e->>'gold')::bigint, ARRAY(SELECT jsonb_array_elements_text(e->'items')), e->>'detail'
         FROM jsonb_array_elements($2::jsonb) AS e
       ON CONFLICT (event_id) DO NOTHING`,
      [realm, JSON.stringify(events)],
    );
    recorded += rowCount ?? 0;
  });
  log.info("audit-worker", { queue });
  return () => recorded;
}
