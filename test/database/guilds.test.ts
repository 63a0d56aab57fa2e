// Guilds against a real database node: create (a name unique regardless of case), invite, join,
// decline, ranks, kick, leave (the lead passes, the last one out disbands and frees the name).
// Every refusal has its code and changes nothing; a repeated operation id applies once.
import t from "tap";
import { Op } from "../../common/opcodes.ts";
import { DatabasePair } from "../harness/database-pair.ts";
import { refusal } from "../harness/refusal.ts";

t.test("guilds - create, invite, join, ranks, kick and leave follow the rules; refusals change nothing", async (t) => {
  const pair = await DatabasePair.start(t);
  pair.launch(pair.dbId);
  await pair.waitServing(30_000);
  const db = pair.client;
  const [ada, bob, cyd, dee] = await Promise.all(["Adelheid", "Bertrand", "Cydonia", "Deirdre"].map((n, i) => db.createCharacter(`acct-${i}`, n, 1, 1)));
  const ranks = (g: { members: { characterId: string; rank: string }[] } | undefined): Record<string, string> => Object.fromEntries((g?.members ?? []).map((m) => [m.characterId, m.rank]));

  // the name lookup the invites and whispers use
  t.equal((await db.findCharacter("  adelHEID ")).id, ada!.id, "a character is found by its name, case ignored");
  t.equal(await refusal(db.findCharacter("Nobody")), "not-found");

  // create: the name is checked and unique regardless of case (and of runs of spaces)
  const watch = await db.guild({ characterId: ada!.id, action: "create", name: "Night Watch" });
  t.match(watch, { name: "Night Watch", members: [{ characterId: ada!.id, name: "Adelheid", rank: "leader" }], invited: [] });
  t.equal(await refusal(db.guild({ characterId: bob!.id, action: "create", name: "NIGHT   watch" })), "name-taken", "a guild name collision, case ignored");
  t.equal(await refusal(db.guild({ characterId: bob!.id, action: "create", name: "xy" })), "bad-name");
  t.equal(await refusal(db.guild({ characterId: bob!.id, action: "create", name: "9 Lives" })), "bad-name");
  t.equal(await refusal(db.guild({ characterId: bob!.id, action: "create", name: "Drop; table" })), "bad-name");
  t.equal(await refusal(db.guild({ characterId: ada!.id, action: "create", name: "Second Home" })), "already-in-guild");
  t.equal(await refusal(db.guild({ characterId: "C-ghost", action: "create", name: "Ghosts" })), "not-found", "an unknown actor");

  // idempotent: the same id twice answers the same and makes one guild
  const dawn = await db.guild({ characterId: bob!.id, action: "create", name: "Dawn Guard" }, "guild-op-once");
  t.same(await db.guild({ characterId: bob!.id, action: "create", name: "Dawn Guard" }, "guild-op-once"), dawn, "a repeat returns the first result");
  t.equal((await db.check()).counts.guilds, 2, "and applies nothing more");
  t.equal(await refusal(db.guild({ characterId: bob!.id, action: "leave" }, "guild-op-once")), "op-id-reused", "the same id for another action is refused");

  // invites: leader and officers only, to an existing guildless character other than oneself
  t.equal(await refusal(db.guild({ characterId: ada!.id, action: "invite", target: "C-ghost" })), "not-found", "an unknown target");
  t.equal(await refusal(db.guild({ characterId: ada!.id, action: "invite", target: ada!.id })), "self");
  t.equal(await refusal(db.guild({ characterId: ada!.id, action: "invite", target: bob!.id })), "already-in-guild");
  t.equal(await refusal(db.guild({ characterId: cyd!.id, action: "invite", target: dee!.id })), "not-in-guild");
  const invited = await db.guild({ characterId: ada!.id, action: "invite", target: cyd!.id });
  t.same(invited?.invited, [cyd!.id]);
  t.same((await db.loadSocial(cyd!.id)).guildInvites, [{ guildId: watch!.id, name: "Night Watch" }], "the invite shows in the invited one's social view");

  // join needs a standing invite: a guild that did not invite, or an unknown id, is refused
  const before = await db.loadSocial(cyd!.id);
  t.equal(await refusal(db.guild({ characterId: cyd!.id, action: "join", guildId: dawn!.id })), "not-invited", "a guild that did not invite");
  t.equal(await refusal(db.guild({ characterId: cyd!.id, action: "join", guildId: "G-spoofed" })), "not-found", "an unknown guild id");
  t.same(await db.loadSocial(cyd!.id), before, "refusals change nothing");
  const joined = await db.guild({ characterId: cyd!.id, action: "join", guildId: watch!.id });
  t.same(ranks(joined), { [ada!.id]: "leader", [cyd!.id]: "member" });
  t.same(joined?.invited, [], "the invite is used up");
  t.equal(await refusal(db.guild({ characterId: cyd!.id, action: "join", guildId: watch!.id })), "already-in-guild");
  t.equal(await refusal(db.guild({ characterId: cyd!.id, action: "invite", target: dee!.id })), "not-allowed", "a member may not invite");

  // ranks: only the leader; an officer invites and kicks members, never the leader
  t.equal(await refusal(db.guild({ characterId: cyd!.id, action: "rank", target: ada!.id, rank: "member" })), "not-allowed");
  t.equal(await refusal(db.guild({ characterId: ada!.id, action: "rank", target: bob!.id, rank: "officer" })), "not-in-guild");
  t.equal(await refusal(db.guild({ characterId: ada!.id, action: "rank", target: ada!.id, rank: "member" })), "self", "the leader cannot demote itself out of the lead");
  await db.guild({ characterId: ada!.id, action: "rank", target: cyd!.id, rank: "officer" });
  await db.guild({ characterId: cyd!.id, action: "invite", target: dee!.id });
  t.same((await db.guild({ characterId: dee!.id, action: "decline", guildId: watch!.id })), undefined, "declined: the decliner is in no guild");
  t.equal(await refusal(db.guild({ characterId: dee!.id, action: "join", guildId: watch!.id })), "not-invited", "a declined invite is gone");
  await db.guild({ characterId: cyd!.id, action: "invite", target: dee!.id });
  const withdrawn = await db.guild({ characterId: cyd!.id, action: "kick", target: dee!.id });
  t.same(withdrawn?.invited, [], "kicking an invited character withdraws the invite");
  await db.guild({ characterId: cyd!.id, action: "invite", target: dee!.id });
  await db.guild({ characterId: dee!.id, action: "join", guildId: watch!.id });
  t.equal(await refusal(db.guild({ characterId: cyd!.id, action: "kick", target: ada!.id })), "not-allowed", "an officer cannot kick the leader");
  t.equal(await refusal(db.guild({ characterId: dee!.id, action: "kick", target: cyd!.id })), "not-allowed", "a member cannot kick");
  t.equal(await refusal(db.guild({ characterId: cyd!.id, action: "kick", target: bob!.id })), "not-in-guild");
  t.equal((await db.guild({ characterId: cyd!.id, action: "kick", target: dee!.id }))?.members.length, 2, "an officer kicks a member");
  t.equal((await db.loadSocial(dee!.id)).guild, undefined);

  // the lead: handing it over makes the old leader an officer; there is always exactly one
  const handed = await db.guild({ characterId: ada!.id, action: "rank", target: cyd!.id, rank: "leader" });
  t.same(ranks(handed), { [ada!.id]: "officer", [cyd!.id]: "leader" });
  await db.guild({ characterId: cyd!.id, action: "invite", target: dee!.id });
  await db.guild({ characterId: dee!.id, action: "join", guildId: watch!.id });
  // the leader leaves: the highest rank, longest member leads (the officer, not the newer member)
  t.equal(await db.guild({ characterId: cyd!.id, action: "leave" }), undefined);
  t.same(ranks((await db.loadSocial(ada!.id)).guild), { [ada!.id]: "leader", [dee!.id]: "member" }, "the lead passed to the officer");
  await db.guild({ characterId: ada!.id, action: "leave" });
  t.same(ranks((await db.loadSocial(dee!.id)).guild), { [dee!.id]: "leader" }, "and to the last member");
  t.equal(await refusal(db.guild({ characterId: ada!.id, action: "leave" })), "not-in-guild");
  await db.guild({ characterId: dee!.id, action: "leave" });
  const reborn = await db.guild({ characterId: cyd!.id, action: "create", name: "night watch" });
  t.equal(reborn?.name, "night watch", "the last one out disbanded the guild and freed its name");
  t.equal(await refusal(db.guild({ characterId: dee!.id, action: "join", guildId: watch!.id })), "not-found", "the old guild is gone");

  // bad input: a long name is refused by the rule, malformed frames never reach the node's logic
  t.equal(await refusal(db.guild({ characterId: dee!.id, action: "create", name: "A".repeat(60) })), "bad-name", "a name too long");
  pair.wire.send(pair.dbId, Op.DB_GUILD, { corr: 1, opId: "bad-1", characterId: dee!.id, action: "explode" } as never);
  pair.wire.send(pair.dbId, Op.DB_GUILD, { corr: 2, opId: "bad-2", characterId: dee!.id, action: "create", name: "B".repeat(5000) } as never);
  pair.wire.send(pair.dbId, Op.DB_PARTY, { corr: 3, opId: "bad-3", characterId: dee!.id, action: "accept" } as never);
  t.equal((await db.loadSocial(dee!.id)).guild, undefined, "the node still serves after malformed frames");
  t.same(await Promise.all(["bad-1", "bad-2", "bad-3"].map((opId) => refusal(db.opStatus(opId)))), ["not-found", "not-found", "not-found"], "and applied none of them");

  // a race for one name (case differing), all sent at once: exactly one guild gets it
  const racers = await Promise.all(["Racer Ana", "Racer Ben", "Racer Cat", "Racer Dan"].map((n, i) => db.createCharacter(`acct-race-${i}`, n, 1, 1)));
  const raced = await Promise.all(racers.map((c, i) => refusal(db.guild({ characterId: c.id, action: "create", name: i % 2 ? "Swift Foxes" : "SWIFT FOXES" }))));
  t.same(raced.sort(), ["applied", "name-taken", "name-taken", "name-taken"], "one create wins the name, the others are refused");

  const check = await db.check();
  t.equal(check.problems, 0, `the invariants hold ${check.sample.join("; ")}`);
  t.equal(check.counts.guilds, 3);
  t.equal(check.counts.guildOf, 3, "one guildOf entry per member");
});
