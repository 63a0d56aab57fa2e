// Parties against a real database node: an invite from a character in no party makes one it
// leads; accepting needs a standing invite (a spoofed or unknown party id is refused); at most
// PARTY_MAX members; the leader kicks and hands over the lead; the lead passes when the leader
// leaves; a party of one is gone. Every refusal has its code and changes nothing.
import t from "tap";
import { PARTY_MAX } from "../../common/protocol/social.ts";
import { PARTY_MAX_INVITES } from "../../common/store/social-records.ts";
import { DatabasePair } from "../harness/database-pair.ts";
import { refusal } from "../harness/refusal.ts";

t.test("parties - invite, accept, full, kick, leader and leave follow the rules; refusals change nothing", async (t) => {
  const pair = await DatabasePair.start(t);
  pair.launch(pair.dbId);
  await pair.waitServing(30_000);
  const db = pair.client;
  const names = ["Lorelei", "Ambrose", "Benedikt", "Cosima", "Dorothea", "Emmerich", "Friedrun"];
  const [lor, amb, ben, cos, dor, emm, fri] = (await Promise.all(names.map((n, i) => db.createCharacter(`acct-${i}`, n, 1, 1)))).map((c) => c.id);
  const ids = (p: { members: { characterId: string }[] } | undefined): string[] => (p?.members ?? []).map((m) => m.characterId);

  t.equal(await refusal(db.party({ characterId: lor!, action: "invite", target: "C-ghost" })), "not-found", "an unknown target");
  t.equal(await refusal(db.party({ characterId: lor!, action: "invite", target: lor! })), "self");
  t.equal(await refusal(db.party({ characterId: "C-ghost", action: "invite", target: lor! })), "not-found", "an unknown actor");
  t.equal((await db.check()).counts.parties, 0, "a refused invite makes no party");

  // an invite from a character in no party makes a party it leads
  const party = await db.party({ characterId: lor!, action: "invite", target: amb! });
  t.match(party, { leader: lor, members: [{ characterId: lor, name: "Lorelei" }], invited: [amb] });
  t.same((await db.loadSocial(amb!)).partyInvites, [{ partyId: party!.id, leader: lor, leaderName: "Lorelei" }], "the invite shows in the invited one's social view");

  // accepting needs an invite from that very party
  const other = await db.party({ characterId: emm!, action: "invite", target: fri! });
  const before = await db.loadSocial(amb!);
  t.equal(await refusal(db.party({ characterId: amb!, action: "accept", partyId: other!.id })), "not-invited", "a spoofed party id (a real party that did not invite)");
  t.equal(await refusal(db.party({ characterId: amb!, action: "accept", partyId: "P-spoofed" })), "not-found", "an unknown party id");
  t.equal(await refusal(db.party({ characterId: amb!, action: "decline", partyId: other!.id })), "not-invited");
  t.same(await db.loadSocial(amb!), before, "refusals change nothing");
  t.same(ids(await db.party({ characterId: amb!, action: "accept", partyId: party!.id })), [lor, amb]);
  t.equal(await refusal(db.party({ characterId: amb!, action: "accept", partyId: party!.id })), "already-in-party");
  t.equal(await refusal(db.party({ characterId: amb!, action: "invite", target: ben! })), "not-allowed", "only the leader invites");
  t.equal(await refusal(db.party({ characterId: lor!, action: "invite", target: emm! })), "already-in-party", "the leader of another party");

  // declining the only invite of a party of one ends that party
  t.equal(await db.party({ characterId: fri!, action: "decline", partyId: other!.id }), undefined);
  t.equal((await db.loadSocial(emm!)).party, undefined, "a party of one with nobody invited is gone");

  // idempotent: the same id twice answers the same and invites once
  const once = await db.party({ characterId: lor!, action: "invite", target: ben! }, "party-op-once");
  t.same(await db.party({ characterId: lor!, action: "invite", target: ben! }, "party-op-once"), once, "a repeat returns the first result");
  t.same(once?.invited, [ben], "and the invite stands once");
  t.equal(await refusal(db.party({ characterId: lor!, action: "leave" }, "party-op-once")), "op-id-reused");

  // full: PARTY_MAX members, then invites and accepts are refused
  for (const c of [cos!, dor!, emm!]) await db.party({ characterId: lor!, action: "invite", target: c });
  for (const c of [ben!, cos!, dor!]) await db.party({ characterId: c, action: "accept", partyId: party!.id });
  const full = (await db.loadSocial(lor!)).party;
  t.equal(full?.members.length, PARTY_MAX);
  t.equal(await refusal(db.party({ characterId: emm!, action: "accept", partyId: party!.id })), "party-full", "accepting into a full party");
  t.equal(await refusal(db.party({ characterId: lor!, action: "invite", target: fri! })), "party-full", "inviting into a full party");
  t.same((await db.loadSocial(lor!)).party, full, "nothing changed");
  t.equal((await db.loadSocial(emm!)).party, undefined, "the refused one is in no party");

  // kick: the leader only; an invite is withdrawn the same way
  t.equal(await refusal(db.party({ characterId: amb!, action: "kick", target: ben! })), "not-allowed");
  t.equal(await refusal(db.party({ characterId: lor!, action: "kick", target: fri! })), "not-in-party");
  t.same((await db.party({ characterId: lor!, action: "kick", target: emm! }))?.invited, [], "kicking an invited character withdraws the invite");
  t.same(ids(await db.party({ characterId: lor!, action: "kick", target: dor! })), [lor, amb, ben, cos]);
  t.equal((await db.loadSocial(dor!)).party, undefined);

  // the lead: handed over by the leader; passed to the longest member when the leader leaves
  t.equal(await refusal(db.party({ characterId: lor!, action: "leader", target: dor! })), "not-in-party");
  t.equal((await db.party({ characterId: lor!, action: "leader", target: amb! }))?.leader, amb);
  t.equal(await refusal(db.party({ characterId: lor!, action: "leader", target: ben! })), "not-allowed", "the old leader no longer leads");
  t.equal(await db.party({ characterId: amb!, action: "leave" }), undefined);
  t.equal((await db.loadSocial(lor!)).party?.leader, lor, "the lead passed to the longest member");
  await db.party({ characterId: cos!, action: "leave" });
  await db.party({ characterId: ben!, action: "leave" });
  t.equal((await db.loadSocial(lor!)).party, undefined, "a party of one after a leave is gone");
  t.equal(await refusal(db.party({ characterId: lor!, action: "leave" })), "not-in-party");

  // an invite flood: PARTY_MAX_INVITES stand, the next is refused, and the party is whole
  const crowd = await Promise.all(Array.from({ length: PARTY_MAX_INVITES + 1 }, (_, i) => db.createCharacter(`acct-crowd-${i}`, `Crowd ${String.fromCharCode(97 + i)}`, 1, 1)));
  for (const c of crowd.slice(0, PARTY_MAX_INVITES)) await db.party({ characterId: lor!, action: "invite", target: c.id });
  t.equal(await refusal(db.party({ characterId: lor!, action: "invite", target: crowd[PARTY_MAX_INVITES]!.id })), "party-full", `at most ${PARTY_MAX_INVITES} standing invites`);
  const flooded = (await db.loadSocial(lor!)).party;
  t.equal(flooded?.invited.length, PARTY_MAX_INVITES);
  for (const c of crowd.slice(0, PARTY_MAX_INVITES)) await db.party({ characterId: c.id, action: "decline", partyId: flooded!.id });
  t.equal((await db.loadSocial(lor!)).party, undefined, "every invite declined: the party of one is gone");

  const check = await db.check();
  t.equal(check.problems, 0, `the invariants hold ${check.sample.join("; ")}`);
  t.equal(check.counts.parties, 0);
  t.equal(check.counts.partyOf, 0);
  t.equal(check.counts.partyInvites, 0);
});
