// The database node's files are deleted (with its marker, and then with its whole folder): it
// restores the realm from the backup node's replica, with every operation the replica had
// acknowledged (guilds, parties and friends included), and goes on serving from there.
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
  // guilds, parties and friendships ride the same journal: the replica must carry them too
  const [a, b, c] = ids as [string, string, string];
  const guild = await db.guild({ characterId: a, action: "create", name: "Keepers Of Old" });
  await db.guild({ characterId: a, action: "invite", target: b });
  await db.guild({ characterId: b, action: "join", guildId: guild!.id });
  await db.guild({ characterId: a, action: "rank", target: b, rank: "officer" });
  await db.guild({ characterId: b, action: "invite", target: c });
  const party = await db.party({ characterId: b, action: "invite", target: a });
  await db.party({ characterId: a, action: "accept", partyId: party!.id });
  await db.party({ characterId: b, action: "invite", target: c });
  await db.friend({ characterId: a, action: "request", target: c });
  await db.friend({ characterId: c, action: "accept", target: a });
  await db.friend({ characterId: b, action: "request", target: c });
  const socialBefore = await Promise.all([a, b, c].map((id) => db.loadSocial(id)));
  const SOCIAL = ["guilds", "guildNames", "guildOf", "guildInvites", "parties", "partyOf", "partyInvites", "friends"];
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
    t.same(Object.fromEntries(SOCIAL.map((table) => [table, after.counts[table]])), Object.fromEntries(SOCIAL.map((table) => [table, before.counts[table]])), `${what}: every social entry`);
    t.same(await Promise.all([a, b, c].map((id) => db.loadSocial(id))), socialBefore, `${what}: every guild, party and friendship as it was`);
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
