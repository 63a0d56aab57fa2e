// Deleting a character takes it out of everything social in the same operation: its guild
// (passing the lead, or disbanding the guild and freeing the name), its party (passing the lead,
// or ending a party of one), the invites it held (ending a party that only waited for it), and
// every friends list. Nothing is left
// pointing at it, and the store check agrees.
import t from "tap";
import { DatabasePair } from "../harness/database-pair.ts";
import { refusal } from "../harness/refusal.ts";

t.test("social - deleting a character removes it from its guild, party, invites and friends", async (t) => {
  const pair = await DatabasePair.start(t);
  pair.launch(pair.dbId);
  await pair.waitServing(30_000);
  const db = pair.client;
  const [gone, stays, lone, asker] = await Promise.all(["Gondolin", "Stasimon", "Lonegard", "Askelund"].map((n, i) => db.createCharacter(`acct-${i}`, n, 1, 1)));
  const goneId = gone!.id;

  // the doomed one leads a guild and a party, and holds and gives invites and friendships
  const guild = await db.guild({ characterId: goneId, action: "create", name: "Short Lived" });
  await db.guild({ characterId: goneId, action: "invite", target: stays!.id });
  await db.guild({ characterId: stays!.id, action: "join", guildId: guild!.id });
  await db.guild({ characterId: goneId, action: "invite", target: lone!.id });
  const solo = await db.guild({ characterId: asker!.id, action: "create", name: "Lonely Hearts" });
  const party = await db.party({ characterId: goneId, action: "invite", target: stays!.id });
  await db.party({ characterId: stays!.id, action: "accept", partyId: party!.id });
  await db.party({ characterId: goneId, action: "invite", target: lone!.id });
  await db.friend({ characterId: goneId, action: "request", target: stays!.id });
  await db.friend({ characterId: stays!.id, action: "accept", target: goneId });
  await db.friend({ characterId: goneId, action: "request", target: lone!.id });
  await db.friend({ characterId: asker!.id, action: "request", target: goneId });

  await db.deleteCharacter("acct-0", goneId);

  const staying = await db.loadSocial(stays!.id);
  t.match(staying.guild, { id: guild!.id, members: [{ characterId: stays!.id, rank: "leader" }], invited: [lone!.id] }, "the guild's lead passed to the one left");
  t.equal(staying.party, undefined, "the party, down to one, is gone");
  t.same(staying.friends, [], "gone from the friends list");
  const lonely = await db.loadSocial(lone!.id);
  t.same(lonely.partyInvites, [], "the gone leader's party invite went with the party");
  t.same(lonely.friends, [], "its request is gone");
  t.same(lonely.guildInvites, [{ guildId: guild!.id, name: "Short Lived" }], "the guild's own invite stands");
  const asking = await db.loadSocial(asker!.id);
  t.same(asking.friends, [], "a request to it is gone");
  t.equal(asking.guild?.id, solo!.id);
  t.equal(await refusal(db.guild({ characterId: stays!.id, action: "invite", target: goneId })), "not-found", "it cannot be invited any more");

  // a character holding invites: they are withdrawn, and a party that only waited for it is gone
  const waiting = await db.party({ characterId: stays!.id, action: "invite", target: lone!.id });
  t.same((await db.loadSocial(lone!.id)).partyInvites.map((i) => i.partyId), [waiting!.id]);
  await db.deleteCharacter("acct-2", lone!.id);
  const left = await db.loadSocial(stays!.id);
  t.same(left.guild?.invited, [], "its guild invite is withdrawn");
  t.equal(left.party, undefined, "the party of one that only waited for it is gone");

  // the last member deleted disbands the guild and frees its name
  await db.deleteCharacter("acct-3", asker!.id);
  t.equal((await db.guild({ characterId: stays!.id, action: "leave" })), undefined);
  t.equal((await db.guild({ characterId: stays!.id, action: "create", name: "LONELY HEARTS" }))?.name, "LONELY HEARTS", "the name is free again");

  const check = await db.check();
  t.equal(check.problems, 0, `the invariants hold ${check.sample.join("; ")}`);
  t.equal(check.counts.friends, 0);
  t.equal(check.counts.parties, 0);
});
