// Parties, friends, guilds and chat channels as players use them: a client node asks the realm
// node on behalf of an attached account (the realm node acts for the character that account plays,
// never for an id the client node names), the realm node answers, then pushes what changed to the
// client nodes of every online character concerned, one frame per client node. Targets are named
// by character name, as players type them.
import { bool, list, num, object, oneOf, optional, str, variant, type Infer } from "../schema.ts";
import { characterId } from "./characters.ts";
import { corr } from "./control.ts";
import { accountId } from "./login.ts";
import { GUILD_RANKS, guildView, partyView, SOCIAL_REFUSALS } from "./social.ts";

const characterName = str({ min: 1, max: 32, what: "a character name" });
const groupId = str({ min: 1, max: 64, what: "a guild or party id" });
/** The player codec's own limit (256 bytes of UTF-8): a line never grows between the two wires. */
export const CHAT_TEXT_MAX = 256;
const chatText = str({ min: 1, max: CHAT_TEXT_MAX, what: "a chat line" });
const realm = str({ min: 1, max: 64, what: "a realm name" });
/** Accounts in one push or delivery: a realm's worth of players on one client node. */
const RECIPIENTS_MAX = 20_000;

/** Refusals beyond the database's: the player is not in a state to act, or the chat is not allowed. */
export const SOCIAL_DESK_REFUSALS = [
  ...SOCIAL_REFUSALS,
  "not-attached", // the account has no session attached from the asking client node
  "not-in-world", // the account plays no character now
  "offline", // a whisper to a character that is not in the world
  "muted",
  "unavailable", // the database did not answer: nothing was applied, try again
] as const;
export type SocialDeskRefusal = (typeof SOCIAL_DESK_REFUSALS)[number];

export const socialRequest = variant("action", { corr, accountId }, {
  "party-invite": { name: characterName },
  "party-accept": { partyId: groupId },
  "party-decline": { partyId: groupId },
  "party-leave": {},
  "party-kick": { name: characterName },
  "party-leader": { name: characterName },
  "friend-request": { name: characterName },
  "friend-accept": { name: characterName },
  "friend-decline": { name: characterName },
  "friend-remove": { name: characterName },
  "guild-create": { guildName: str({ max: 64 }) },
  "guild-invite": { name: characterName },
  "guild-join": { guildId: groupId },
  "guild-decline": { guildId: groupId },
  "guild-leave": {},
  "guild-kick": { name: characterName },
  "guild-rank": { name: characterName, rank: oneOf(GUILD_RANKS) },
});
export type SocialRequest = Infer<typeof socialRequest>;
export type SocialAction = SocialRequest["action"];

const refusalReply = { corr, ok: bool, code: optional(oneOf(SOCIAL_DESK_REFUSALS)), error: optional(str({ max: 300 })) };
export const socialReply = object(refusalReply);

const presence = object({ characterId, name: characterName, online: bool });
const friendEntry = object({ characterId, name: characterName, state: oneOf(["friend", "requested", "asked"] as const) });

/**
 * What changed for the accounts of `to` (all on the receiving client node): a part that is present
 * replaced the player's, one absent did not change. `party`/`guild` hold `view` only while the player
 * is in one. `online`: which characters the views name are in the world now.
 */
export const socialUpdate = object({
  to: list(accountId, { min: 1, max: RECIPIENTS_MAX }),
  party: optional(object({ view: optional(partyView) })),
  guild: optional(object({ view: optional(guildView) })),
  friends: optional(list(friendEntry, { max: 300 })),
  invites: optional(
    object({
      party: list(object({ partyId: groupId, leaderName: characterName }), { max: 100 }),
      guild: list(object({ guildId: groupId, name: str({ max: 24 }) }), { max: 100 }),
    }),
  ),
  /** A friend, party member or guild member entered or left the world. */
  presence: optional(presence),
  online: list(characterId, { max: 2000 }),
});
export const socialPush = object({ realm, updates: list(socialUpdate, { min: 1, max: 1000 }) });

export const CHAT_CHANNELS = ["whisper", "party", "guild", "global"] as const;
export type RealmChatChannel = (typeof CHAT_CHANNELS)[number];

/** A chat line through the realm node; `to` names the whisper's character. */
export const chatSend = object({ corr, accountId, channel: oneOf(CHAT_CHANNELS), to: optional(characterName), text: chatText });
export const chatSendReply = socialReply;

/** One frame per client node: the line for the accounts of `to`, or for every player of the realm there (`everyone`). */
export const chatDeliver = object({
  realm,
  to: list(accountId, { max: RECIPIENTS_MAX }),
  everyone: bool,
  channel: oneOf(CHAT_CHANNELS),
  fromName: characterName,
  text: chatText,
});

/** An operator silences a character on the realm's channels (`forMs` 0 lifts it); the client node enforces it on every channel. */
export const chatMute = object({ corr, name: characterName, forMs: num({ min: 0, max: 365 * 24 * 3600_000 }), by: str({ min: 1, max: 64 }) });
export const chatMuteReply = object({ ...refusalReply, until: optional(num({ min: 0 })) });

/** Realm node -> the client node of a muted player: no chat until `until` (ms since 1970; 0: not muted). */
export const chatMuted = object({ realm, accountId, until: num({ min: 0 }) });
