// Guilds: create, invite, join, decline, leave, kick, rank. A character is a member of at most
// one guild (guildOf holds it); a guild has exactly one leader; its name is unique in the realm,
// case ignored. Each action is one operation that answers with the actor's guild as it left it.
import type { Op } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import { GUILD_NAME, type GuildRank } from "../../common/protocol/social.ts";
import type { CharacterRecord } from "../../common/store/records.ts";
import { GUILD_MAX_INVITES, GUILD_MAX_MEMBERS, guildRecord, INVITES_PER_CHARACTER, type GuildRecord } from "../../common/store/social-records.ts";
import type { OpContext, Outcome } from "./op-context.ts";
import { byRank, guildByName, guildOf, guildView, mustCharacter, mustTarget, Refused, saveGuild, settle, tidyGuildName } from "./social-store.ts";

type GuildChange = Body<typeof Op.DB_GUILD>;

export const guildKind = (b: GuildChange): string => `guild-${b.action}`;

export function guildChange(ctx: OpContext, b: GuildChange): Outcome {
  return settle(() => {
    const actor = mustCharacter(ctx, b.characterId);
    switch (b.action) {
      case "create":
        return create(ctx, actor, b.name);
      case "invite":
        return invite(ctx, actor, b.target);
      case "join":
        return join(ctx, actor, b.guildId);
      case "decline":
        return decline(ctx, actor, b.guildId);
      case "leave":
        return leave(ctx, actor);
      case "kick":
        return kick(ctx, actor, b.target);
      case "rank":
        return setRank(ctx, actor, b.target, b.rank);
    }
  });
}

function mustGuild(ctx: OpContext, actor: CharacterRecord): GuildRecord {
  const g = guildOf(ctx, actor.id);
  if (!g) throw new Refused("not-in-guild", `${actor.name} is in no guild`);
  return g;
}

function mustBeGuildless(ctx: OpContext, c: CharacterRecord): void {
  const g = guildOf(ctx, c.id);
  if (g) throw new Refused("already-in-guild", `${c.name} is already in the guild ${g.name}`);
}

const rankIn = (g: GuildRecord, characterId: string): GuildRank | undefined => g.members.find((m) => m.characterId === characterId)?.rank;

/** Out of every guild's invites: a character in a guild could not take them up, and a deleted one never will. */
function dropInvites(ctx: OpContext, characterId: string): void {
  for (const guildId of ctx.children("guildInvites", characterId, INVITES_PER_CHARACTER)) {
    const g = ctx.read("guilds", guildId, guildRecord);
    if (g) saveGuild(ctx, g, { ...g, invites: g.invites.filter((i) => i.characterId !== characterId) });
  }
}

function create(ctx: OpContext, actor: CharacterRecord, asked: string): unknown {
  mustBeGuildless(ctx, actor);
  const name = tidyGuildName(asked);
  if (!GUILD_NAME.test(name)) throw new Refused("bad-name", `"${name}" is not a guild name: 3 to 24 letters, digits, spaces, ' or -, starting with a letter`);
  const holder = guildByName(ctx, name);
  if (holder !== undefined) throw new Refused("name-taken", `a guild named "${name}" already exists on this realm (case is ignored)`);
  const g: GuildRecord = { id: ctx.newId("G"), name, createdAt: ctx.at, members: [{ characterId: actor.id, rank: "leader", joinedAt: ctx.at }], invites: [] };
  dropInvites(ctx, actor.id);
  saveGuild(ctx, undefined, g);
  return guildView(ctx, g);
}

function invite(ctx: OpContext, actor: CharacterRecord, targetId: string): unknown {
  const g = mustGuild(ctx, actor);
  if (rankIn(g, actor.id) === "member") throw new Refused("not-allowed", `only the leader and officers of ${g.name} may invite`);
  const target = mustTarget(ctx, actor, targetId);
  mustBeGuildless(ctx, target);
  if (g.invites.some((i) => i.characterId === target.id)) return guildView(ctx, g);
  if (g.members.length >= GUILD_MAX_MEMBERS) throw new Refused("not-allowed", `${g.name} has ${GUILD_MAX_MEMBERS} members, the most a guild may have`);
  if (g.invites.length >= GUILD_MAX_INVITES) throw new Refused("not-allowed", `${g.name} already has ${GUILD_MAX_INVITES} standing invites; wait for answers or withdraw some (kick)`);
  if (ctx.children("guildInvites", target.id, INVITES_PER_CHARACTER).length >= INVITES_PER_CHARACTER) {
    throw new Refused("not-allowed", `${target.name} already holds ${INVITES_PER_CHARACTER} guild invites`);
  }
  const after = { ...g, invites: [...g.invites, { characterId: target.id, by: actor.id, at: ctx.at }] };
  saveGuild(ctx, g, after);
  return guildView(ctx, after);
}

/** The guild the actor holds an invite to: unknown ids and guilds that did not invite it are refused alike. */
function invitingGuild(ctx: OpContext, actor: CharacterRecord, guildId: string): GuildRecord {
  const g = ctx.read("guilds", guildId, guildRecord);
  if (!g) throw new Refused("not-found", `no guild ${guildId}`);
  if (!g.invites.some((i) => i.characterId === actor.id)) throw new Refused("not-invited", `${actor.name} has no invite to ${g.name}`);
  return g;
}

function join(ctx: OpContext, actor: CharacterRecord, guildId: string): unknown {
  mustBeGuildless(ctx, actor);
  const g = invitingGuild(ctx, actor, guildId);
  if (g.members.length >= GUILD_MAX_MEMBERS) throw new Refused("not-allowed", `${g.name} has ${GUILD_MAX_MEMBERS} members, the most a guild may have`);
  const after: GuildRecord = {
    ...g,
    members: [...g.members, { characterId: actor.id, rank: "member", joinedAt: ctx.at }],
    invites: g.invites.filter((i) => i.characterId !== actor.id),
  };
  saveGuild(ctx, g, after);
  dropInvites(ctx, actor.id);
  return guildView(ctx, after);
}

function decline(ctx: OpContext, actor: CharacterRecord, guildId: string): unknown {
  const g = invitingGuild(ctx, actor, guildId);
  saveGuild(ctx, g, { ...g, invites: g.invites.filter((i) => i.characterId !== actor.id) });
  return guildView(ctx, guildOf(ctx, actor.id));
}

/** The guild without the character: the lead passes if it led, and the last one out disbands it (its name is free again). */
function departGuild(ctx: OpContext, g: GuildRecord, characterId: string): GuildRecord | undefined {
  const members = g.members.filter((m) => m.characterId !== characterId);
  const after = members.length === 0 ? undefined : { ...g, members };
  if (after && rankIn(g, characterId) === "leader") {
    const heir = byRank(after)[0]!.characterId;
    after.members = members.map((m) => (m.characterId === heir ? { ...m, rank: "leader" } : m));
  }
  saveGuild(ctx, g, after);
  return after;
}

function leave(ctx: OpContext, actor: CharacterRecord): unknown {
  departGuild(ctx, mustGuild(ctx, actor), actor.id);
  return guildView(ctx, undefined);
}

/** Kicks a member (the leader anyone, an officer members only), or withdraws a standing invite. */
function kick(ctx: OpContext, actor: CharacterRecord, targetId: string): unknown {
  const g = mustGuild(ctx, actor);
  const mine = rankIn(g, actor.id);
  if (mine === "member") throw new Refused("not-allowed", `only the leader and officers of ${g.name} may kick`);
  const target = mustTarget(ctx, actor, targetId);
  if (g.invites.some((i) => i.characterId === target.id)) {
    const after = { ...g, invites: g.invites.filter((i) => i.characterId !== target.id) };
    saveGuild(ctx, g, after);
    return guildView(ctx, after);
  }
  const theirs = rankIn(g, target.id);
  if (theirs === undefined) throw new Refused("not-in-guild", `${target.name} is not in ${g.name}`);
  if (mine === "officer" && theirs !== "member") throw new Refused("not-allowed", `an officer may kick members only; ${target.name} is ${theirs === "leader" ? "the leader" : "an officer"}`);
  return guildView(ctx, departGuild(ctx, g, target.id));
}

/** Only the leader sets ranks; handing over the lead makes the old leader an officer, so there is always exactly one. */
function setRank(ctx: OpContext, actor: CharacterRecord, targetId: string, rank: GuildRank): unknown {
  const g = mustGuild(ctx, actor);
  if (rankIn(g, actor.id) !== "leader") throw new Refused("not-allowed", `only the leader of ${g.name} sets ranks`);
  const target = mustTarget(ctx, actor, targetId);
  if (rankIn(g, target.id) === undefined) throw new Refused("not-in-guild", `${target.name} is not in ${g.name}`);
  const after: GuildRecord = {
    ...g,
    members: g.members.map((m) => {
      if (m.characterId === target.id) return { ...m, rank };
      if (m.characterId === actor.id && rank === "leader") return { ...m, rank: "officer" };
      return m;
    }),
  };
  saveGuild(ctx, g, after);
  return guildView(ctx, after);
}

/** A character deleted: out of its guild and out of every guild's invites. */
export function forgetInGuilds(ctx: OpContext, characterId: string): void {
  const g = guildOf(ctx, characterId);
  if (g) departGuild(ctx, g, characterId);
  dropInvites(ctx, characterId);
}
