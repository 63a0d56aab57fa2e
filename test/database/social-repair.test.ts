// A guild record damaged on disk while the database node was down: on restart the integrity
// check finds it and corrects it from the backup node's replica, so the guild, its members and
// its indexes read as they were.
import t from "tap";
import { corrupt } from "../harness/corrupt-bytes.ts";
import { DatabasePair } from "../harness/database-pair.ts";

t.test("social - a guild record corrupted on disk is corrected from the replica", async (t) => {
  const pair = await DatabasePair.serving(t);
  const db = pair.client;
  const [ada, bo] = await Promise.all(["Aurelia", "Bonifaz"].map((n, i) => db.createCharacter(`acct-${i}`, n, 1, 1)));
  const guild = await db.guild({ characterId: ada!.id, action: "create", name: "Iron Ring" });
  await db.guild({ characterId: ada!.id, action: "invite", target: bo!.id });
  await db.guild({ characterId: bo!.id, action: "join", guildId: guild!.id });
  const before = await db.loadSocial(bo!.id);
  await pair.waitReplicaCaughtUp(15_000);

  await pair.stop(pair.dbId, "SIGKILL");
  t.ok(corrupt(`${pair.dataOf(pair.dbId)}/realm.mdb`, '"name":"Iron Ring"') > 0, "the guild's bytes were changed on disk");
  pair.launch(pair.dbId);
  await pair.waitServing(30_000);
  // the operations' first results hold the guild's view too: they are damaged and corrected alike
  const corrected = pair.lines(pair.dbId).filter((l) => l.event === "entry-corrected");
  t.match(corrected.find((l) => l.table === "guilds"), { key: guild!.id, from: "replica" }, "the guild is corrected from the replica, and logged");
  t.same(await db.loadSocial(bo!.id), before, "the guild reads as it was");
  t.equal((await db.check()).problems, 0, "the invariants hold");
});
