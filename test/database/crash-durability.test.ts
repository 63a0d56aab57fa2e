// kill -9 of the database node in the middle of a stream of 10,000 operations: after the
// restart, every operation that was acknowledged is there and the invariants hold. While the
// node is down, critical operations are refused with a clear message; they resume after.
import { randomUUID } from "node:crypto";
import t from "tap";
import { DB_UNAVAILABLE } from "../../common/db-client.ts";
import { DbError } from "../../common/errors.ts";
import { DatabasePair } from "../harness/database-pair.ts";
import { until } from "../harness/realm.ts";

const TOTAL = 10_000;
const KILL_AT = 3000;
const CHARACTERS = 20;

type Acked = { kind: "loot" | "gold" | "checkpoint"; characterId: string; ok: boolean; items?: string[]; amount?: number };

t.test("database - kill -9 during 10,000 acknowledged operations: none is lost, invariants hold, critical operations wait it out", async (t) => {
  const pair = await DatabasePair.serving(t);
  const db = pair.client;
  const ids: string[] = [];
  for (let i = 0; i < CHARACTERS; i++) {
    const c = await db.createCharacter(`acct-${i}`, `Stream ${String.fromCharCode(97 + i)}`, 5, 5);
    await db.grantGold(c.id, 1000, "start");
    ids.push(c.id);
  }

  const acked = new Map<string, Acked>();
  let issued = 0;
  let retriesAfterUnavailable = 0;
  const versions = new Map<string, number>();
  /** One operation, retried with the same id until the database answers it. */
  const perform = async (n: number): Promise<void> => {
    const characterId = ids[n % CHARACTERS]!;
    const opId = randomUUID();
    const roll = n % 10;
    for (;;) {
      try {
        if (roll < 6) {
          const items = await db.grantItems(characterId, ["ore"], "stream", opId);
          acked.set(opId, { kind: "loot", characterId, ok: true, items });
        } else if (roll < 8) {
          await db.grantGold(characterId, 3, "stream", opId);
          acked.set(opId, { kind: "gold", characterId, ok: true, amount: 3 });
        } else {
          const version = (versions.get(characterId) ?? 0) + 1;
          versions.set(characterId, version);
          await db.saveCheckpoint(characterId, version, { level: 2, x: n % 100, y: 7, stats: { hp: n % 50 } }, opId);
          acked.set(opId, { kind: "checkpoint", characterId, ok: true });
        }
        return;
      } catch (err) {
        if (!(err instanceof DbError)) throw err;
        if (err.code === "unavailable" || err.code === "expired") {
          retriesAfterUnavailable++;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        // a definite answer: stale checkpoints are refused and that refusal is the acknowledged result
        acked.set(opId, { kind: roll < 6 ? "loot" : roll < 8 ? "gold" : "checkpoint", characterId, ok: false });
        return;
      }
    }
  };
  const stream = Promise.all(
    Array.from({ length: 32 }, async () => {
      while (issued < TOTAL) await perform(issued++);
    }),
  );

  await until(`${KILL_AT} acknowledged operations`, 60_000, () => (acked.size >= KILL_AT ? true : undefined));
  await pair.stop(pair.dbId, "SIGKILL");
  const killedWith = acked.size;
  t.comment(`kill -9 after ${killedWith} acknowledged operations`);
  const refused = await db.trade({ characterId: ids[0]!, items: [], gold: 1 }, { characterId: ids[1]!, items: [], gold: 0 }).then(
    () => undefined,
    (err: unknown) => err,
  );
  t.ok(refused instanceof DbError && refused.code === "unavailable", "a trade while the database is down is refused");
  t.equal((refused as Error).message, DB_UNAVAILABLE, "with a message a player understands");
  const relaunched = Date.now();
  pair.launch(pair.dbId);
  await pair.waitServing(30_000);
  t.comment(`serving again ${Date.now() - relaunched} ms after the restart (integrity check included)`);
  await stream;
  t.ok(retriesAfterUnavailable > 0, `operations waited out the outage (${retriesAfterUnavailable} retries)`);
  t.equal(acked.size, TOTAL, "all 10,000 operations were acknowledged");
  const stats = await db.stats();
  t.ok(stats.recovery.some((l) => l.startsWith("database-crashed")), "the restart knew it followed a crash");
  t.ok(stats.recovery.some((l) => l.startsWith("integrity-ok")), "and checked integrity");

  // every acknowledged operation is there, with its first result
  const entries = [...acked.entries()];
  const missing: string[] = [];
  for (let i = 0; i < entries.length; i += 500) {
    const statuses = await Promise.all(entries.slice(i, i + 500).map(([opId]) => db.opStatus(opId).catch(() => undefined)));
    statuses.forEach((s, j) => {
      const [opId, a] = entries[i + j]!;
      if (!s || s.ok !== a.ok) missing.push(opId);
    });
  }
  t.same(missing, [], "every acknowledged operation is recorded with the answer it got");
  const looted = entries.flatMap(([, a]) => (a.kind === "loot" ? (a.items ?? []) : []));
  const items = [];
  for (let i = 0; i < looted.length; i += 1000) items.push(...(await db.loadItems(looted.slice(i, i + 1000))));
  t.equal(items.length, looted.length, "every acknowledged loot item exists");
  const owners = new Map(entries.flatMap(([, a]) => (a.items ?? []).map((item) => [item, a.characterId] as const)));
  t.ok(items.every((item) => owners.get(item.id) === item.owner), "owned by the character that looted it");
  const granted = new Map<string, number>();
  for (const [, a] of entries) if (a.kind === "gold") granted.set(a.characterId, (granted.get(a.characterId) ?? 0) + (a.amount ?? 0));
  let balancesRight = 0;
  for (const id of ids) if ((await db.loadCharacter(id)).gold === 1000 + (granted.get(id) ?? 0)) balancesRight++;
  t.equal(balancesRight, CHARACTERS, "every balance holds exactly the acknowledged grants");
  const check = await db.check();
  t.equal(check.problems, 0, `the invariants hold ${check.sample.join("; ")}`);
  t.equal(check.goldHeld, check.granted - check.sunk, "gold held = granted - sunk");
  t.ok(pair.lines(pair.dbId).some((l) => l.event === "database-crashed"), "the log says what happened");
});
