// The one opcode table of the player protocol (WebSocket, binary), separate from the node
// opcodes because it is a different wire with different peers: game clients of any build.
// Numbers are explicit and never reused; common/player-protocol.md documents every one.
import { namesOf } from "./code-names.ts";

/**
 * Sent in CMSG_HELLO / CMSG_RESUME and SMSG_WELCOME; a client of another version is closed with
 * UNSUPPORTED_VERSION. Version 3 writes SMSG_WORLD's header as deltas from the previous one on
 * the connection (common/world-header.ts): a client of version 2 would misread every frame, so it
 * is refused, as version 1 was when version 2 numbered the moves.
 */
export const PLAYER_PROTOCOL_VERSION = 3;

export const PlayerOp = {
  // player -> client node: handshake and clock (1..9)
  CMSG_HELLO: 1,
  CMSG_RESUME: 2,
  CMSG_PING: 3,

  // player -> client node: characters, before entering the world (10..19)
  CMSG_CHAR_LIST: 10,
  CMSG_CHAR_CREATE: 11,
  CMSG_CHAR_DELETE: 12,
  CMSG_CHAR_SELECT: 13,

  // player -> client node: in the world (20..39)
  CMSG_MOVE: 20,
  CMSG_ATTACK: 21,
  CMSG_LOOT: 22,
  CMSG_SAY: 23,
  CMSG_ZONE_CHAT: 24,
  CMSG_LEAVE: 25,
  CMSG_TRADE_OFFER: 26,
  CMSG_TRADE_ACCEPT: 27,
  CMSG_TRADE_DECLINE: 28,
  CMSG_DUNGEON_ENTER: 29,
  CMSG_DUNGEON_LEAVE: 30,

  // player -> client node: the realm's chat channels, parties, friends, guilds (32..39)
  CMSG_CHAT: 32,
  CMSG_PARTY: 33,
  CMSG_FRIEND: 34,
  CMSG_GUILD: 35,

  // client node -> player: handshake and clock (64..69)
  SMSG_WELCOME: 64,
  SMSG_PONG: 65,

  // client node -> player: characters (70..79)
  SMSG_CHAR_LIST: 70,
  SMSG_CHAR_CREATED: 71,
  SMSG_CHAR_DELETED: 72,
  SMSG_CHAR_REFUSED: 73,
  SMSG_ENTERED: 74,

  // client node -> player: the world, once per tick, and reliable events (80..99)
  SMSG_WORLD: 80,
  SMSG_CHAT: 81,
  SMSG_COMBAT: 82,
  SMSG_LOOT: 83,
  SMSG_CORRECT: 84,
  SMSG_REFUSED: 85,
  SMSG_ZONE_CHANGED: 86,
  SMSG_LEFT: 87,
  SMSG_VIEW_RESET: 88,
  SMSG_TRADE_OFFERED: 89,
  SMSG_TRADE_RESULT: 90,
  SMSG_WALLET: 91,
  SMSG_NOTICE: 92,
  SMSG_DUNGEON: 93,
  SMSG_WORLD_CHANGED: 94,

  // client node -> player: social answers and state (96..103)
  SMSG_SOCIAL_RESULT: 96,
  SMSG_PARTY: 97,
  SMSG_GUILD: 98,
  SMSG_FRIENDS: 99,
  SMSG_INVITES: 100,
  SMSG_PRESENCE: 101,
} as const;

export const playerOpName = namesOf(PlayerOp);

/**
 * WebSocket close codes (4000..4999 are the application's, RFC 6455 7.4.2). The close frame's
 * reason text says the same in words; a client acts on the code.
 */
export const CloseCode = {
  /** The node is stopping: reconnect (CMSG_RESUME) to any client node. */
  GOING_AWAY: 1001,
  /** The player left the game (CMSG_LEAVE), or another normal end. */
  NORMAL: 1000,
  BAD_HANDSHAKE: 4001,
  UNSUPPORTED_VERSION: 4002,
  HANDSHAKE_TIMEOUT: 4003,
  SESSION_REFUSED: 4004,
  RESUME_REFUSED: 4005,
  REALM_UNAVAILABLE: 4006,
  /** The realm is restarting (SMSG_NOTICE warned of it): log in again in a minute. */
  REALM_RESTARTING: 4007,
  TEXT_FRAME: 4010,
  FRAME_TOO_LARGE: 4011,
  UNKNOWN_OPCODE: 4012,
  MALFORMED: 4013,
  OUT_OF_ORDER: 4014,
  FLOOD: 4015,
  IMPLAUSIBLE_MOVEMENT: 4016,
  SLOW_CONSUMER: 4017,
  KICKED: 4020,
  RESUMED_ELSEWHERE: 4021,
  SERVER_ERROR: 4030,
} as const;

export const closeCodeName = namesOf(CloseCode);

/** Character refusals as numbers on the player wire (the node wire's words, common/protocol/characters.ts). */
export const CHAR_REFUSAL_CODES = {
  "not-attached": 1,
  "bad-name": 2,
  "name-taken": 3,
  "too-many-characters": 4,
  "not-found": 5,
  "not-owner": 6,
  "no-zone": 7,
  unavailable: 8,
  "not-now": 9,
} as const;

export type CharRefusalWord = keyof typeof CHAR_REFUSAL_CODES;

/** SMSG_CORRECT reasons: why the zone put the player back. */
export const CORRECT_REASONS = { other: 0, "too-fast": 1, "out-of-world": 2, blocked: 3, "moved by the server": 4 } as const;

/** SMSG_NOTICE kinds: what the realm tells every player, outside the world's events. */
export const NoticeKind = { INFO: 1, RESTART: 2, STORAGE_PAUSED: 3, STORAGE_RESUMED: 4 } as const;

/** SMSG_DUNGEON states: how a request to enter a dungeon goes. */
export const DungeonState = { QUEUED: 1, ENTERING: 2, ADMITTED: 3, DROPPED: 4, REFUSED: 5 } as const;

/** SMSG_DUNGEON refusal codes (0: none), the realm node's words (common/protocol/dungeon.ts) as numbers. */
export const DUNGEON_REFUSAL_CODES = {
  "not-attached": 1,
  "not-in-world": 2,
  "unknown-entrance": 3,
  "too-far": 4,
  "not-leader": 5,
  "already-queued": 6,
  unavailable: 7,
} as const;

/** SMSG_CHAT and CMSG_CHAT channels: say and zone through the zone, the others through the realm node. */
export const ChatChannel = { SAY: 1, ZONE: 2, WHISPER: 3, PARTY: 4, GUILD: 5, GLOBAL: 6 } as const;

/** CMSG_PARTY, CMSG_FRIEND, CMSG_GUILD actions (and SMSG_SOCIAL_RESULT's `action`). */
export const PartyAction = { INVITE: 1, ACCEPT: 2, DECLINE: 3, LEAVE: 4, KICK: 5, LEADER: 6 } as const;
export const FriendAction = { REQUEST: 1, ACCEPT: 2, DECLINE: 3, REMOVE: 4 } as const;
export const GuildAction = { CREATE: 1, INVITE: 2, JOIN: 3, DECLINE: 4, LEAVE: 5, KICK: 6, RANK: 7 } as const;

/** Guild ranks on the player wire (the node wire's words, common/protocol/social.ts). */
export const GUILD_RANK_CODES = { leader: 1, officer: 2, member: 3 } as const;
/** SMSG_FRIENDS states: friends both ways, the player asked them, they asked the player. */
export const FRIEND_STATE_CODES = { friend: 1, requested: 2, asked: 3 } as const;

/** SMSG_SOCIAL_RESULT codes (0: done); the node wire's words, common/protocol/social-desk.ts, plus the client node's own. */
export const SOCIAL_CODES = {
  "not-found": 1,
  self: 2,
  "bad-name": 3,
  "name-taken": 4,
  "already-in-guild": 5,
  "not-in-guild": 6,
  "not-invited": 7,
  "not-allowed": 8,
  "party-full": 9,
  "already-in-party": 10,
  "not-in-party": 11,
  "already-friends": 12,
  "too-many-friends": 13,
  "not-attached": 14,
  "not-in-world": 15,
  offline: 16,
  muted: 17,
  unavailable: 18,
  /** Client node: too many lines too fast (refused, not forwarded). */
  "too-fast": 19,
  /** Client node: an unknown channel or action, an empty line or name. */
  "bad-request": 20,
  /** Client node: a line of more than 256 bytes (UTF-8). */
  "too-long": 21,
} as const;
export type SocialCodeWord = keyof typeof SOCIAL_CODES;

/** SMSG_WORLD's sections byte (version 3): which parts follow its time. */
export const WorldSection = {
  DESPAWNS: 1,
  SPAWNS: 2,
  UPDATES: 4,
  /** The zone list follows; without it the frame reflects the previous one's zones, each one tick later. */
  ZONES: 8,
} as const;

/** SMSG_WORLD update mask bits: which fields follow the handle, in this order. */
export const UpdateBit = {
  /** dx, dy in -8..7 quanta, one byte: (dx + 8) << 4 | (dy + 8). */
  STEP: 1,
  /** dx, dy as zigzag varints (exclusive with STEP). */
  MOVE: 2,
  HEADING: 4,
  HP: 8,
  FLAGS: 16,
  LEVEL: 32,
} as const;
