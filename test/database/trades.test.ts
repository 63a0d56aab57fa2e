// 1,000 random, conflicting trades among 50 characters from two client processes: gold is
// conserved, every item keeps exactly one owner, repeated operation ids apply once, and the
// audit table ends with every economy event exactly once.
import pg from "pg";
import t from "tap";
import type { TradesResult, TradesSpec } from "../../ops/bench/db-load.ts";
import { loadInProcess } from "../../ops/bench/db-load.ts";
import { DatabasePair } from "../harness/database-pair.ts";
import { until } from "../harness/realm.ts";

const CHARACTERS = 50;
const ITEMS_EACH = 4;
const GOLD_EACH = 100;
const TRADES_PER_CLIENT = 500;

/** Names are letters only: 0 -> "Trader Aa", 1 -> "Trader Ab"… */
const nameOf = (i: number): string => `Trader ${String.fromCharCode(65 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}`;

t.test("database - 1,000 conflicting trades from two clients conserve gold and single ownership, apply retries once, audit each event once", async (t) => {
  const pair = await DatabasePair.serving(t, { postgres: true });
  const db = pair.client;

  const holdings: Record<string, string[]> = {};
  for (let i = 0; i < CHARACTERS; i++) {
    const c = await db.createCharacter(`acct-${i}`, nameOf(i), 10 + i, 10 + i);
    await db.grantGold(c.id, GOLD_EACH, "starting purse");
    holdings[c.id] = await db.grantItems(c.id, Array.from({ length: ITEMS_EACH }, (_, n) => `relic-${n}`), "starting kit");
  }
  const allItems = Object.values(holdings).flat();

  const spec = (seed: number): TradesSpec => ({ kind: "trades", configFile: pair.configFile, dbId: pair.dbId, count: TRADES_PER_CLIENT, seed, holdings, concurrency: 8 });
  const began = Date.now();
  const [one, two] = await Promise.all([loadInProcess<TradesResult>(spec(11)), loadInProcess<TradesResult>(spec(23))]);
  const applied = [...one.applied, ...two.applied];
  t.comment(`1,000 trades from two processes in ${Date.now() - began} ms: ${applied.length} applied, refused ${JSON.stringify(one.refused)} + ${JSON.stringify(two.refused)}`);
  t.equal(one.sent + two.sent, 2 * TRADES_PER_CLIENT, "every trade got an answer");
  t.ok((one.refused["not-owner"] ?? 0) + (two.refused["not-owner"] ?? 0) > 0, "stale knowledge made trades conflict (not-owner)");
  t.ok(applied.length > 100, "and many went through");
  t.ok(one.repeats + two.repeats > 200, `operation ids were sent again (${one.repeats + two.repeats} repeats, some at the same time)`);
  t.equal(one.retryMismatches + two.retryMismatches, 0, "every repeat got the first answer back");

  // gold: only grants and sinks change the total
  const check = await db.check();
  t.equal(check.problems, 0, `the integrity check passes ${check.sample.join("; ")}`);
  t.equal(check.goldHeld, CHARACTERS * GOLD_EACH, "the gold held is what was granted");
  t.equal(check.granted - check.sunk, CHARACTERS * GOLD_EACH);
  let gold = 0;
  const inventories = new Map<string, string>();
  let doubly = 0;
  let negative = 0;
  for (const id of Object.keys(holdings)) {
    const c = await db.loadCharacter(id);
    gold += c.gold;
    if (c.gold < 0) negative++;
    for (const item of c.inventory) {
      if (inventories.has(item)) doubly++;
      inventories.set(item, id);
    }
  }
  t.equal(negative, 0, "no balance went below zero");
  t.equal(gold, CHARACTERS * GOLD_EACH, "balances add up to the gold granted");
  t.equal(doubly, 0, "no item is in two inventories");
  t.equal(inventories.size, allItems.length, "every item is in exactly one inventory");
  const items = await db.loadItems(allItems);
  t.ok(items.every((item) => inventories.get(item.id) === item.owner), "each item's owner field agrees with the inventories");

  // each applied trade once, each refused one never
  const statuses = await Promise.all(applied.map((opId) => db.opStatus(opId)));
  t.ok(statuses.every((s) => s.kind === "trade" && s.ok), "every applied trade is recorded as applied, once (one sequence number)");
  t.equal(new Set(statuses.map((s) => s.seq)).size, applied.length, "no two applied trades share a sequence number");

  // the audit: every economy event exactly once, whatever was repeated
  const client = new pg.Client({ connectionString: pair.postgres!.url });
  await client.connect();
  t.teardown(() => client.end());
  const expected = { loot: CHARACTERS, grant: CHARACTERS, trade: 2 * applied.length };
  const counts = await until("the audit to hold every event", 60_000, async () => {
    const { rows } = await client.query<{ kind: string; n: string }>("SELECT kind, count(*) AS n FROM audit_events WHERE realm = $1 GROUP BY kind", [pair.realm.name]);
    const got = Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
    return got.trade === expected.trade && got.loot === expected.loot && got.grant === expected.grant ? got : undefined;
  });
  t.same(counts, expected, "loot, grants and trades are each recorded once");
  const trades = await client.query<{ op_id: string; n: string }>("SELECT op_id, count(*) AS n FROM audit_events WHERE realm = $1 AND kind = 'trade' GROUP BY op_id", [pair.realm.name]);
  t.same(new Set(trades.rows.map((r) => r.op_id)), new Set(applied), "exactly the applied trades are in the audit");
  t.ok(trades.rows.every((r) => Number(r.n) === 2), "with one event per side");
  const sum = await client.query<{ s: string }>("SELECT coalesce(sum(gold), 0) AS s FROM audit_events WHERE realm = $1 AND kind = 'trade'", [pair.realm.name]);
  t.equal(Number(sum.rows[0]!.s), 0, "trades move gold but create none");
  await t.rejects(client.query("DELETE FROM audit_events"), /append-only/, "the audit table is append-only");
});
