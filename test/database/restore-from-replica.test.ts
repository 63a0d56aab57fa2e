// The database node's files are deleted (with its marker, and then with its whole folder): it
// restores the realm from the backup node's replica, with every operation the replica had
// acknowledged, and goes on serving from there.
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import t from "tap";
import { DatabasePair } from "../harness/database-pair.ts";

t.test("database - with its files deleted, the node restores from the replica with every operation the replica acknowledged", async (t) => {
  const pair = await DatabasePair.serving(t);
  const db = pair.client;
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push((await db.createCharacter(`acct-${i}`, `Keeper ${String.fromCharCode(97 + i)}`, 3, 3)).id);
  const acked: string[] = [];
  await Promise.all(
    Array.from({ length: 16 }, async (_, w) => {
      for (let n = w; n < 2000; n += 16) {
        const opId = randomUUID();
        if (n % 2 === 0) await db.grantItems(ids[n % 10]!, ["gem"], "mine", opId);
        else await db.grantGold(ids[n % 10]!, 2, "mine", opId);
        acked.push(opId);
      }
    }),
  );
  const replicaSeq = await pair.waitReplicaCaughtUp(15_000);
  const before = await db.check();
  t.comment(`replica acknowledged seq ${replicaSeq}; ${acked.length} operations`);

  const restoreAndCheck = async (what: string, remove: () => void): Promise<void> => {
    await pair.stop(pair.dbId, "SIGKILL");
    remove();
    const launched = Date.now();
    pair.launch(pair.dbId);
    await pair.waitServing(60_000);
    t.comment(`${what}: serving ${Date.now() - launched} ms after the start, restored from the replica`);
    const stats = await db.stats();
    t.ok(stats.recovery.some((l) => l.startsWith("database-restored") && l.includes('"from":"replica"')), `${what}: restored from the replica`);
    t.ok(stats.seq >= replicaSeq, `${what}: at the replica's sequence number or later (${stats.seq})`);
    const statuses = await Promise.all(acked.map((opId) => db.opStatus(opId).catch(() => undefined)));
    t.equal(statuses.filter((s) => s?.ok).length, acked.length, `${what}: every acknowledged operation is there`);
    const after = await db.check();
    t.equal(after.problems, 0, `${what}: the invariants hold`);
    t.same(after.counts.items, before.counts.items, `${what}: every item`);
    t.equal(after.goldHeld, before.goldHeld, `${what}: every coin`);
    // and it serves on, with the replica following the same history
    await db.grantGold(ids[0]!, 1, "after");
    before.goldHeld += 1;
    await pair.waitReplicaCaughtUp(15_000);
  };

  const dir = pair.dataOf(pair.dbId);
  await restoreAndCheck("files deleted", () => {
    rmSync(`${dir}/realm.mdb`, { force: true });
    rmSync(`${dir}/realm.mdb-lock`, { force: true });
  });
  await restoreAndCheck("whole folder deleted", () => rmSync(dir, { recursive: true, force: true }));
  t.ok(pair.lines(pair.dbId).some((l) => l.event === "database-files-missing"), "the node says why it restored");
});
