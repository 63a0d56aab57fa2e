// The one opcode table of the player protocol (WebSocket, binary), separate from the node
// opcodes because it is a different wire with different peers: game clients of any build.
// Numbers are explicit and never reused; common/player-protocol.md documents every one.
import { namesOf } from "./code-names.ts";

/**
 * Sent in CMSG_HELLO / CMSG_RESUME and SMSG_WELCOME; a client of another version is closed with
 * UNSUPPORTED_VERSION. Version 2 numbered the moves (CMSG_MOVE seq and corrections, SMSG_CORRECT seq)
 * so a predicting client replays what the server had not seen; a version 1 client is refused, not
 * served, because its un-numbered moves in flight after a correction would read as teleports.
 */
export const PLAYER_PROTOCOL_VERSION = 2;

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

/** SMSG_CHAT channels. */
export const ChatChannel = { SAY: 1, ZONE: 2 } as const;

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
