// How the social operations read and write guilds, parties and friendships. Every write of a
// guild or party goes through saveGuild/saveParty, which keep its indexes in step within the same
// operation (members -> guildOf/partyOf, invites -> guildInvites/partyInvites, name -> guildNames);
// a friendship is always written on both sides. A rule broken anywhere throws Refused, which the
// operation turns into its refusal: the group commit then rolls back whatever it had written.
import { GUILD_RANKS, type FriendView, type GuildRank, type GuildView, type PartyView, type SocialRefusal } from "../../common/protocol/social.ts";
import { childKey, nameKey } from "../../common/store/layout.ts";
import type { CharacterRecord } from "../../common/store/records.ts";
import { friendRecord, groupIdRecord, guildRecord, MIRROR, partyRecord, type FriendRecord, type FriendState, type GuildRecord, type PartyRecord } from "../../common/store/social-records.ts";
import { done, refuse, type OpContext, type Outcome } from "./op-context.ts";

export class Refused extends Error {
  constructor(
    readonly code: SocialRefusal,
    why: string,
  ) {
    super(why);
    this.name = "Refused";
  }
}

/** Runs a social change; a Refused becomes the operation's refusal (and rolls its writes back). */
export function settle(change: () => unknown): Outcome {
  try {
    return done(change());
  } catch (err) {
    if (err instanceof Refused) return refuse(err.code, err.message);
    throw err;
  }
}

export function mustCharacter(ctx: OpContext, id: string): CharacterRecord {
  const c = ctx.character(id);
  if (!c) throw new Refused("not-found", `no character ${id}`);
  return c;
}

/** The target of an action: an existing character other than the actor. */
export function mustTarget(ctx: OpContext, actor: CharacterRecord, targetId: string): CharacterRecord {
  if (targetId === actor.id) throw new Refused("self", `${actor.name} cannot do that to themselves`);
  return mustCharacter(ctx, targetId);
}

const nameOf = (ctx: OpContext, id: string): string => ctx.character(id)?.name ?? id;

// ---- guilds

/** A guild name as stored: trimmed, inner runs of spaces made one ("Night  Watch" is "Night Watch"). */
export const tidyGuildName = (name: string): string => name.trim().replace(/\s+/g, " ");

export function guildOf(ctx: OpContext, characterId: string): GuildRecord | undefined {
  const id = ctx.read("guildOf", characterId, groupIdRecord);
  return id === undefined ? undefined : ctx.read("guilds", id, guildRecord);
}

export function guildByName(ctx: OpContext, name: string): string | undefined {
  return ctx.read("guildNames", nameKey(name), groupIdRecord);
}

/** Writes a guild (or, with `after` undefined, removes it) and every index entry that changed. */
export function saveGuild(ctx: OpContext, before: GuildRecord | undefined, after: GuildRecord | undefined): void {
  const id = (before ?? after)!.id;
  syncIndex(ctx, "guildOf", before?.members, after?.members, (c) => c, id);
  syncIndex(ctx, "guildInvites", before?.invites, after?.invites, (c) => childKey(c, id), 1);
  if (!before && after) ctx.w.put("guildNames", nameKey(after.name), id);
  if (before && !after) ctx.w.remove("guildNames", nameKey(before.name));
  if (after) ctx.w.put("guilds", id, guildRecord.parse(after));
  else ctx.w.remove("guilds", id);
}

const rankOrder = (rank: GuildRank): number => GUILD_RANKS.indexOf(rank);

/** Highest rank first, then the longest member (the record keeps joining order). */
export function byRank(g: GuildRecord): GuildRecord["members"] {
  return [...g.members].sort((a, b) => rankOrder(a.rank) - rankOrder(b.rank));
}

export function guildView(ctx: OpContext, g: GuildRecord | undefined): { guild?: GuildView } {
  if (!g) return {};
  return {
    guild: {
      id: g.id,
      name: g.name,
      members: byRank(g).map((m) => ({ characterId: m.characterId, name: nameOf(ctx, m.characterId), rank: m.rank })),
      invited: g.invites.map((i) => i.characterId),
    },
  };
}

// ---- parties

export function partyOf(ctx: OpContext, characterId: string): PartyRecord | undefined {
  const id = ctx.read("partyOf", characterId, groupIdRecord);
  return id === undefined ? undefined : ctx.read("parties", id, partyRecord);
}

/** Writes a party (or, with `after` undefined, removes it) and every index entry that changed. */
export function saveParty(ctx: OpContext, before: PartyRecord | undefined, after: PartyRecord | undefined): void {
  const id = (before ?? after)!.id;
  syncIndex(ctx, "partyOf", before?.members, after?.members, (c) => c, id);
  syncIndex(ctx, "partyInvites", before?.invites, after?.invites, (c) => childKey(c, id), 1);
  if (after) ctx.w.put("parties", id, partyRecord.parse(after));
  else ctx.w.remove("parties", id);
}

export function partyView(ctx: OpContext, p: PartyRecord | undefined): { party?: PartyView } {
  if (!p) return {};
  return {
    party: {
      id: p.id,
      leader: p.leader,
      members: p.members.map((m) => ({ characterId: m.characterId, name: nameOf(ctx, m.characterId) })),
      invited: p.invites.map((i) => i.characterId),
    },
  };
}

// ---- friends

/** Friends, requests and askings together: three full lists at most. */
const EDGES_MAX = 400;

export function friendEdge(ctx: OpContext, from: string, to: string): FriendRecord | undefined {
  return ctx.read("friends", childKey(from, to), friendRecord);
}

/** Sets (or, with undefined, removes) the friendship on both sides. */
export function setFriendEdge(ctx: OpContext, from: string, to: string, state: FriendState | undefined): void {
  if (state === undefined) {
    ctx.w.remove("friends", childKey(from, to));
    ctx.w.remove("friends", childKey(to, from));
    return;
  }
  ctx.w.put("friends", childKey(from, to), { state, since: ctx.at });
  ctx.w.put("friends", childKey(to, from), { state: MIRROR[state], since: ctx.at });
}

/** The character's friendships as (other, state), without their names (the limits count these). */
export function friendEdges(ctx: OpContext, characterId: string): [string, FriendState][] {
  const out: [string, FriendState][] = [];
  for (const other of ctx.children("friends", characterId, EDGES_MAX)) {
    const edge = friendEdge(ctx, characterId, other);
    if (edge) out.push([other, edge.state]);
  }
  return out;
}

export function friendsOf(ctx: OpContext, characterId: string): FriendView[] {
  return friendEdges(ctx, characterId).map(([other, state]) => ({ characterId: other, name: nameOf(ctx, other), state }));
}

// ---- the indexes of a group's lists

/** Puts the index entries of ids that joined the list and removes those of ids that left it. */
function syncIndex(
  ctx: OpContext,
  index: "guildOf" | "guildInvites" | "partyOf" | "partyInvites",
  before: readonly { characterId: string }[] | undefined,
  after: readonly { characterId: string }[] | undefined,
  key: (characterId: string) => string,
  value: unknown,
): void {
  const was = new Set((before ?? []).map((m) => m.characterId));
  const is = new Set((after ?? []).map((m) => m.characterId));
  for (const c of was) if (!is.has(c)) ctx.w.remove(index, key(c));
  for (const c of is) if (!was.has(c)) ctx.w.put(index, key(c), value);
}
