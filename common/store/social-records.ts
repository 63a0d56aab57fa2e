// The social records of the realm store: guilds, parties, friendships. A guild or a party is one
// record holding its members and standing invites, so a change to it is one write; the indexes
// (guildOf, partyOf, guildInvites, partyInvites, guildNames) are derived from these records.
import { GUILD_RANKS, PARTY_MAX } from "../protocol/social.ts";
import { list, num, object, oneOf, str, type Infer } from "../schema.ts";

const id = str({ min: 1, max: 64 });

/** The most members a guild may have (a guild's view must fit one reply). */
export const GUILD_MAX_MEMBERS = 500;
/** Standing invites, per guild and per party: an invite flood cannot grow a record without bound. */
export const GUILD_MAX_INVITES = 100;
export const PARTY_MAX_INVITES = 20;
/** Standing invites one character may hold of each kind (what its social view lists). */
export const INVITES_PER_CHARACTER = 100;

export const guildRecord = object({
  id,
  name: str({ min: 1, max: 24 }),
  createdAt: num(),
  /** In joining order: the order the lead passes in, within a rank. */
  members: list(object({ characterId: id, rank: oneOf(GUILD_RANKS), joinedAt: num() }), { min: 1, max: GUILD_MAX_MEMBERS }),
  invites: list(object({ characterId: id, by: id, at: num() }), { max: GUILD_MAX_INVITES }),
});
export type GuildRecord = Infer<typeof guildRecord>;

export const partyRecord = object({
  id,
  leader: id,
  createdAt: num(),
  /** In joining order: the lead passes to the longest member. */
  members: list(object({ characterId: id, joinedAt: num() }), { min: 1, max: PARTY_MAX }),
  invites: list(object({ characterId: id, at: num() }), { max: PARTY_MAX_INVITES }),
});
export type PartyRecord = Infer<typeof partyRecord>;

/** The friendship from the key's first character to its second: `requested` by it, `asked` of it. */
export const FRIEND_STATES = ["friend", "requested", "asked"] as const;
export const friendRecord = object({ state: oneOf(FRIEND_STATES), since: num() });
export type FriendRecord = Infer<typeof friendRecord>;
export type FriendState = FriendRecord["state"];
/** What the other side's entry says of the same friendship. */
export const MIRROR: Record<FriendState, FriendState> = { friend: "friend", requested: "asked", asked: "requested" };

/** guildOf, partyOf, guildNames: the id of the group. */
export const groupIdRecord = id;
