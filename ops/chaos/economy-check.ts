// The chaos suite's verdict on the economy, once the bots have left and the audit has caught up:
// - nothing acknowledged lost: every operation a bot was told succeeded (SMSG_LOOT,
//   SMSG_TRADE_RESULT ok, a gold grant answered) is in the realm's audit log;
// - nothing duplicated or made from nothing: replaying the audit log gives each bot character
//   exactly the gold and the items the database holds for it;
// - the database's own integrity check finds no problem.
import type pg from "pg";
import type { DatabaseClient } from "../../common/db-client.ts";
import { until } from "../realm-process.ts";
import type { BotLedger } from "../bots/ledger.ts";

export interface EconomyVerdict {
  /** Operations the bots were told were done. */
  acknowledged: number;
  /** Of those, the ones missing from the audit log. */
  lost: string[];
  characters: number;
  /** Characters whose gold or items in the database differ from the audit log's replay. */
  mismatched: string[];
  auditEvents: number;
  goldHeld: number;
  storeProblems: number;
}

interface AuditRow {
  op_id: string;
  character_id: string | null;
  gold: string;
  items: string[];
}

const AUDIT_SETTLE_MS = 120_000;

/** Waits until the database's outbox is empty and the audit table has stopped growing. */
async function auditSettled(pool: pg.Pool, realm: string, db: DatabaseClient): Promise<void> {
  await until("the audit outbox to drain", AUDIT_SETTLE_MS, async () => ((await db.stats().catch(() => undefined))?.auditBacklog === 0 ? true : undefined));
  let last = -1;
  await until("the audit table to settle", AUDIT_SETTLE_MS, async () => {
    await new Promise((r) => setTimeout(r, 1500));
    const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM audit_events WHERE realm = $1", [realm]);
    const n = Number(rows[0]?.n ?? 0);
    const settled = n === last;
    last = n;
    return settled ? true : undefined;
  });
}

export async function checkEconomy(pool: pg.Pool, realm: string, db: DatabaseClient, ledgers: BotLedger[]): Promise<EconomyVerdict> {
  await auditSettled(pool, realm, db);
  const { rows } = await pool.query<AuditRow>("SELECT op_id, character_id, gold::text AS gold, items FROM audit_events WHERE realm = $1 ORDER BY at, seq", [realm]);
  const ops = new Set(rows.map((r) => r.op_id));
  const acknowledged = ledgers.flatMap((l) => l.events.map((e) => e.opId));
  const lost = acknowledged.filter((opId) => !ops.has(opId));
  // the replay: each event gives its character its gold change and the items it lists
  const gold = new Map<string, number>();
  const owner = new Map<string, string>();
  for (const r of rows) {
    if (r.character_id === null) continue;
    gold.set(r.character_id, (gold.get(r.character_id) ?? 0) + Number(r.gold));
    for (const item of r.items) owner.set(item, r.character_id);
  }
  const mismatched: string[] = [];
  const characters = ledgers.flatMap((l) => (l.characterId === undefined ? [] : [l.characterId]));
  for (const id of characters) {
    const held = await db.loadCharacter(id);
    const replayed = [...owner].filter(([, o]) => o === id).map(([item]) => item).sort();
    const inventory = [...held.inventory].sort();
    if (held.gold !== (gold.get(id) ?? 0) || replayed.join() !== inventory.join()) {
      mismatched.push(`${id}: database ${held.gold} gold, ${inventory.length} items; audit ${gold.get(id) ?? 0} gold, ${replayed.length} items`);
    }
  }
  const check = await db.check();
  return { acknowledged: acknowledged.length, lost, characters: characters.length, mismatched, auditEvents: rows.length, goldHeld: check.goldHeld, storeProblems: check.problems };
}
