// Parties: invite, accept, decline, leave, kick, leader. A character is in at most one party
// (partyOf holds it), a party has at most PARTY_MAX members and its leader is one of them. An
// invite from a character in no party makes a party led by it; a party left with one member is
// gone. Each action is one operation that answers with the actor's party as it left it.
import type { Op } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import { PARTY_MAX } from "../../common/protocol/social.ts";
import type { CharacterRecord } from "../../common/store/records.ts";
import { INVITES_PER_CHARACTER, PARTY_MAX_INVITES, partyRecord, type PartyRecord } from "../../common/store/social-records.ts";
import type { OpContext, Outcome } from "./op-context.ts";
import { mustCharacter, mustTarget, partyOf, partyView, Refused, saveParty, settle } from "./social-store.ts";

type PartyChange = Body<typeof Op.DB_PARTY>;

export const partyKind = (b: PartyChange): string => `party-${b.action}`;

export function partyChange(ctx: OpContext, b: PartyChange): Outcome {
  return settle(() => {
    const actor = mustCharacter(ctx, b.characterId);
    switch (b.action) {
      case "invite":
        return invite(ctx, actor, b.target);
      case "accept":
        return accept(ctx, actor, b.partyId);
      case "decline":
        return decline(ctx, actor, b.partyId);
      case "leave":
        departParty(ctx, mustParty(ctx, actor), actor.id);
        return partyView(ctx, undefined);
      case "kick":
        return kick(ctx, actor, b.target);
      case "leader":
        return lead(ctx, actor, b.target);
    }
  });
}

function mustParty(ctx: OpContext, actor: CharacterRecord): PartyRecord {
  const p = partyOf(ctx, actor.id);
  if (!p) throw new Refused("not-in-party", `${actor.name} is in no party`);
  return p;
}

function mustLead(ctx: OpContext, actor: CharacterRecord): PartyRecord {
  const p = mustParty(ctx, actor);
  if (p.leader !== actor.id) throw new Refused("not-allowed", `only the party's leader may do that`);
  return p;
}

const isMember = (p: PartyRecord, id: string): boolean => p.members.some((m) => m.characterId === id);
const isInvited = (p: PartyRecord, id: string): boolean => p.invites.some((i) => i.characterId === id);

function mustHaveRoom(p: PartyRecord): void {
  if (p.members.length >= PARTY_MAX) throw new Refused("party-full", `the party has ${PARTY_MAX} members, the most a party may have`);
}

function invite(ctx: OpContext, actor: CharacterRecord, targetId: string): unknown {
  const mine = partyOf(ctx, actor.id);
  const p: PartyRecord = mine ?? { id: ctx.newId("P"), leader: actor.id, createdAt: ctx.at, members: [{ characterId: actor.id, joinedAt: ctx.at }], invites: [] };
  if (p.leader !== actor.id) throw new Refused("not-allowed", `only the party's leader may invite`);
  const target = mustTarget(ctx, actor, targetId);
  const theirs = partyOf(ctx, target.id);
  if (theirs) throw new Refused("already-in-party", `${target.name} is already in a party`);
  if (isInvited(p, target.id)) return partyView(ctx, p);
  mustHaveRoom(p);
  if (p.invites.length >= PARTY_MAX_INVITES) throw new Refused("party-full", `the party already has ${PARTY_MAX_INVITES} standing invites; wait for answers or withdraw some (kick)`);
  if (ctx.children("partyInvites", target.id, INVITES_PER_CHARACTER).length >= INVITES_PER_CHARACTER) {
    throw new Refused("not-allowed", `${target.name} already holds ${INVITES_PER_CHARACTER} party invites`);
  }
  const after = { ...p, invites: [...p.invites, { characterId: target.id, at: ctx.at }] };
  if (!mine) dropInvites(ctx, actor.id);
  saveParty(ctx, mine, after);
  return partyView(ctx, after);
}

/** The party the actor holds an invite to: an unknown id is not-found, a party that did not invite it not-invited. */
function invitingParty(ctx: OpContext, actor: CharacterRecord, partyId: string): PartyRecord {
  const p = ctx.read("parties", partyId, partyRecord);
  if (!p) throw new Refused("not-found", `no party ${partyId}`);
  if (!isInvited(p, actor.id)) throw new Refused("not-invited", `${actor.name} has no invite to party ${partyId}`);
  return p;
}

/** Takes the character's invite out of the party; one member with nobody invited left is no party. */
function withdrawInvite(ctx: OpContext, p: PartyRecord, characterId: string): PartyRecord | undefined {
  const invites = p.invites.filter((i) => i.characterId !== characterId);
  const after = p.members.length < 2 && invites.length === 0 ? undefined : { ...p, invites };
  saveParty(ctx, p, after);
  return after;
}

function accept(ctx: OpContext, actor: CharacterRecord, partyId: string): unknown {
  if (partyOf(ctx, actor.id)) throw new Refused("already-in-party", `${actor.name} is already in a party`);
  const p = invitingParty(ctx, actor, partyId);
  mustHaveRoom(p);
  const after: PartyRecord = {
    ...p,
    members: [...p.members, { characterId: actor.id, joinedAt: ctx.at }],
    invites: p.invites.filter((i) => i.characterId !== actor.id),
  };
  saveParty(ctx, p, after);
  dropInvites(ctx, actor.id);
  return partyView(ctx, after);
}

function decline(ctx: OpContext, actor: CharacterRecord, partyId: string): unknown {
  withdrawInvite(ctx, invitingParty(ctx, actor, partyId), actor.id);
  return partyView(ctx, partyOf(ctx, actor.id));
}

/** The party without the member: the lead passes to the longest member, and a party of one is gone. */
function departParty(ctx: OpContext, p: PartyRecord, characterId: string): PartyRecord | undefined {
  const members = p.members.filter((m) => m.characterId !== characterId);
  const after = members.length < 2 ? undefined : { ...p, members, leader: p.leader === characterId ? members[0]!.characterId : p.leader };
  saveParty(ctx, p, after);
  return after;
}

/** The leader removes a member, or withdraws a standing invite. */
function kick(ctx: OpContext, actor: CharacterRecord, targetId: string): unknown {
  const p = mustLead(ctx, actor);
  const target = mustTarget(ctx, actor, targetId);
  if (isInvited(p, target.id)) return partyView(ctx, withdrawInvite(ctx, p, target.id));
  if (!isMember(p, target.id)) throw new Refused("not-in-party", `${target.name} is not in the party`);
  return partyView(ctx, departParty(ctx, p, target.id));
}

function lead(ctx: OpContext, actor: CharacterRecord, targetId: string): unknown {
  const p = mustLead(ctx, actor);
  const target = mustTarget(ctx, actor, targetId);
  if (!isMember(p, target.id)) throw new Refused("not-in-party", `${target.name} is not in the party`);
  const after = { ...p, leader: target.id };
  saveParty(ctx, p, after);
  return partyView(ctx, after);
}

/** Out of every party's invites: a character in a party could not take them up, and a deleted one never will. */
function dropInvites(ctx: OpContext, characterId: string): void {
  for (const partyId of ctx.children("partyInvites", characterId, INVITES_PER_CHARACTER)) {
    const invited = ctx.read("parties", partyId, partyRecord);
    if (invited) withdrawInvite(ctx, invited, characterId);
  }
}

/** A character deleted: out of its party and out of every party's invites. */
export function forgetInParties(ctx: OpContext, characterId: string): void {
  const p = partyOf(ctx, characterId);
  if (p) departParty(ctx, p, characterId);
  dropInvites(ctx, characterId);
}
