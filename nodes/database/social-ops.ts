// A character's whole social state in one read (when it enters the world), and the lookup of a
// character by name (whispers and invites name their target).
import type { SocialView } from "../../common/protocol/social.ts";
import { nameKey } from "../../common/store/layout.ts";
import { nameRecord } from "../../common/store/records.ts";
import { guildRecord, INVITES_PER_CHARACTER, partyRecord } from "../../common/store/social-records.ts";
import { summaryOf } from "./character-ops.ts";
import { done, refuse, type OpContext, type Outcome } from "./op-context.ts";
import { friendsOf, guildOf, guildView, partyOf, partyView } from "./social-store.ts";

export function loadSocial(ctx: OpContext, characterId: string): Outcome {
  if (!ctx.character(characterId)) return refuse("not-found", `no character ${characterId}`);
  const view: SocialView = {
    ...guildView(ctx, guildOf(ctx, characterId)),
    ...partyView(ctx, partyOf(ctx, characterId)),
    friends: friendsOf(ctx, characterId),
    guildInvites: [],
    partyInvites: [],
  };
  for (const guildId of ctx.children("guildInvites", characterId, INVITES_PER_CHARACTER)) {
    const g = ctx.read("guilds", guildId, guildRecord);
    if (g) view.guildInvites.push({ guildId, name: g.name });
  }
  for (const partyId of ctx.children("partyInvites", characterId, INVITES_PER_CHARACTER)) {
    const p = ctx.read("parties", partyId, partyRecord);
    if (p) view.partyInvites.push({ partyId, leader: p.leader, leaderName: ctx.character(p.leader)?.name ?? p.leader });
  }
  return done(view);
}

/** Case ignored, like the uniqueness of names. */
export function findCharacter(ctx: OpContext, name: string): Outcome {
  const id = ctx.read("names", nameKey(name.trim()), nameRecord);
  const c = id === undefined ? undefined : ctx.character(id);
  return c ? done(summaryOf(c)) : refuse("not-found", `no character named "${name.trim()}" on this realm`);
}
