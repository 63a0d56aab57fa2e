// An entry damaged on disk while the database node was down: on restart the integrity check
// finds it; with the backup node up it is corrected from the replica, without it (an entry
// nothing else depends on) it is deleted; either way it is reported.
import t from "tap";
import { corrupt } from "../harness/corrupt-bytes.ts";
import { DatabasePair } from "../harness/database-pair.ts";

t.test("database - an entry corrupted on disk is corrected from the replica, or deleted, or the database replaced, and reported", async (t) => {
  const pair = await DatabasePair.serving(t);
  const db = pair.client;
  const corvina = await db.createCharacter("acct-1", "Corvina", 40, 40);
  const other = await db.createCharacter("acct-2", "Tamsin", 50, 50);
  await db.grantGold(corvina.id, 120, "quest");
  const [ring] = await db.grantItems(corvina.id, ["ring"], "lich");
  await db.grantGold(other.id, 5, "Phase-B-marker");
  await pair.waitReplicaCaughtUp(15_000);
  const file = `${pair.dataOf(pair.dbId)}/realm.mdb`;

  // A: the backup node is up: the damaged character is corrected from the replica
  await pair.stop(pair.dbId, "SIGKILL");
  t.ok(corrupt(file, '"name":"Corvina"') > 0, "the character's bytes were changed on disk");
  pair.launch(pair.dbId);
  await pair.waitServing(30_000);
  const fixed = pair.lines(pair.dbId).find((l) => l.event === "entry-corrected");
  t.match(fixed, { table: "characters", key: corvina.id, from: "replica" }, "the entry is corrected from the replica, and logged");
  const back = await db.loadCharacter(corvina.id);
  t.equal(back.name, "Corvina", "the character reads as it was");
  t.equal(back.gold, 120);
  t.same(back.inventory, [ring]);
  t.ok((await db.stats()).recovery.some((l) => l.startsWith("entry-corrected")), "and the node reports it (DB_STATS)");
  t.equal((await db.check()).problems, 0, "the invariants hold");

  // B: the backup node is gone: an entry nothing depends on (an audit event waiting in the outbox) is deleted
  await pair.waitReplicaCaughtUp(15_000);
  await pair.stop(pair.backupId, "SIGKILL");
  await pair.stop(pair.dbId, "SIGKILL");
  t.ok(corrupt(file, "Phase-B-marker") > 0, "an outbox entry's bytes were changed on disk");
  pair.launch(pair.dbId);
  await pair.waitServing(40_000);
  const deleted = pair.lines(pair.dbId).find((l) => l.event === "entry-deleted");
  t.match(deleted, { table: "outbox", from: "deleted", level: "error" }, "without a replica the entry is deleted, and logged as an error");
  t.equal((await db.check()).problems, 0, "the invariants hold");
  t.equal((await db.loadCharacter(other.id)).gold, 5, "the rest is untouched");

  // C: still no backup node, and a character is damaged: deleting it would orphan its gold, so the
  // whole database is replaced, from the replica, as soon as the backup node is back
  await pair.stop(pair.dbId, "SIGKILL");
  t.ok(corrupt(file, '"name":"Tamsin"') > 0, "a character's bytes were changed on disk");
  pair.launch(pair.dbId);
  await pair.waitForLine(pair.dbId, "the database to give up on entry repairs", 40_000, (l) => l.event === "integrity-not-restored");
  t.equal((await db.stats()).state, "recovering", "meanwhile it answers, and refuses operations");
  t.match(await db.grantGold(corvina.id, 1, "x").catch((err: Error) => err.message), /recovering/, "with a message that says why");
  pair.launch(pair.backupId);
  await pair.waitServing(40_000);
  t.match(pair.lines(pair.dbId).find((l) => l.event === "database-restored"), { from: "replica" }, "the whole database is replaced by the replica");
  t.equal((await db.loadCharacter(other.id)).name, "Tamsin", "the damaged character is back");
  t.equal((await db.check()).problems, 0, "the invariants hold");
});
