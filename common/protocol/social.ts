// Guilds, friends and parties as the realm's database node keeps them: each change is one atomic,
// idempotent operation (an `opId`, like items), asked by the realm node on behalf of the
// character `characterId` (the actor, whose right to act the realm node has checked). Every
// change answers with the state it left, so the caller can tell the members without a second read.
// Refusals come back as DB_REPLY { ok: false, code } with one of SOCIAL_REFUSALS.
import { list, num, object, oneOf, optional, str, variant, type Infer } from "../schema.ts";
import { corr } from "./control.ts";
import { opId } from "./db.ts";

const characterId = str({ min: 1, max: 64, what: "a character id" });
const groupId = str({ min: 1, max: 64, what: "a guild or party id" });
const expiresAt = optional(num({ min: 0 }));
const name = str({ min: 1, max: 32 });

/** 3 to 24 letters, digits, spaces, ' and -, starting with a letter; unique in the realm, case ignored. */
export const GUILD_NAME = /^[A-Za-z][A-Za-z0-9 '-]{2,23}$/;
const guildName = str({ max: 64 });

/** From the top: a leader (exactly one per guild), officers (may invite and kick members), members. */
export const GUILD_RANKS = ["leader", "officer", "member"] as const;
export type GuildRank = (typeof GUILD_RANKS)[number];

export const PARTY_MAX = 5;
export const FRIENDS_MAX = 100;

export const SOCIAL_REFUSALS = [
  "not-found", // no such character, guild, party or invite
  "self", // the actor named itself as the target
  "bad-name",
  "name-taken",
  "already-in-guild",
  "not-in-guild",
  "not-invited",
  "not-allowed", // the actor's rank or role does not allow it
  "party-full",
  "already-in-party",
  "not-in-party",
  "already-friends",
  "too-many-friends",
] as const;
export type SocialRefusal = (typeof SOCIAL_REFUSALS)[number];

const shared = { corr, opId, characterId, expiresAt };

export const dbGuild = variant("action", shared, {
  create: { name: guildName },
  /** An invite stands until accepted, declined, or the guild is gone. */
  invite: { target: characterId },
  join: { guildId: groupId },
  decline: { guildId: groupId },
  /** The leader leaving hands the lead to the highest-ranked, longest-serving member; the last one out disbands the guild. */
  leave: {},
  kick: { target: characterId },
  /** Only the leader sets ranks; making someone leader makes the actor an officer. */
  rank: { target: characterId, rank: oneOf(GUILD_RANKS) },
});
export type DbGuildRequest = Infer<typeof dbGuild>;

export const dbFriend = variant("action", shared, {
  /** Asking someone who already asked the actor makes them friends at once. */
  request: { target: characterId },
  accept: { target: characterId },
  decline: { target: characterId },
  remove: { target: characterId },
});
export type DbFriendRequest = Infer<typeof dbFriend>;

export const dbParty = variant("action", shared, {
  /** An actor in no party makes one, with itself as leader, and invites. */
  invite: { target: characterId },
  accept: { partyId: groupId },
  decline: { partyId: groupId },
  /** The leader leaving passes the lead to the longest member; a party of one is gone. */
  leave: {},
  kick: { target: characterId },
  leader: { target: characterId },
});
export type DbPartyRequest = Infer<typeof dbParty>;

/** Everything social of one character, when it enters the world. */
export const dbSocialLoad = object({ corr, characterId });
/** A character by its name (case ignored): whispers and invites name their target. */
export const dbFindCharacter = object({ corr, name: str({ max: 64 }) });

// ---- values inside a DB_REPLY

const member = { characterId, name };
export const guildView = object({
  id: groupId,
  name: str({ max: 24 }),
  members: list(object({ ...member, rank: oneOf(GUILD_RANKS) }), { max: 1000 }),
  invited: list(characterId, { max: 1000 }),
});
export type GuildView = Infer<typeof guildView>;

export const partyView = object({
  id: groupId,
  leader: characterId,
  members: list(object(member), { max: PARTY_MAX }),
  invited: list(characterId, { max: 100 }),
});
export type PartyView = Infer<typeof partyView>;

/** `friend` both ways; `requested`: the character asked them; `asked`: they asked the character. */
const friendView = object({ ...member, state: oneOf(["friend", "requested", "asked"] as const) });
export type FriendView = Infer<typeof friendView>;
const friendList = list(friendView, { max: FRIENDS_MAX * 3 });

/** What a guild change left (no guild: the actor left, or the guild is gone). */
export const guildResult = object({ guild: optional(guildView) });
export const partyResult = object({ party: optional(partyView) });
export const friendsResult = object({ friends: friendList });

export const socialView = object({
  guild: optional(guildView),
  party: optional(partyView),
  friends: friendList,
  /** Standing invitations to the character. */
  guildInvites: list(object({ guildId: groupId, name: str({ max: 24 }) }), { max: 100 }),
  partyInvites: list(object({ partyId: groupId, leader: characterId, leaderName: name }), { max: 100 }),
});
export type SocialView = Infer<typeof socialView>;
