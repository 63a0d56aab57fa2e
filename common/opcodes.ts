// The one opcode table for node-to-node frames. Numbers are explicit and never reused:
// nodes of different builds meet during a rolling restart, so a number keeps its meaning forever.
// Which node kinds may send each opcode is the sender table beside it, common/protocol/senders.ts.
import { namesOf } from "./code-names.ts";

export const Op = {
  // every node <-> reviver (1..19)
  HEARTBEAT: 1,
  SHUTDOWN: 2,
  PING: 3,
  PONG: 4,
  /** From the leading reviver to the nodes that must act when a peer they depend on dies. */
  NODE_DOWN: 5,
  NODE_UP: 6,

  // operator tools <-> reviver (20..39)
  STATUS_REQUEST: 20,
  STATUS_REPLY: 21,
  STOP_REALM: 22,
  REALM_RESTART: 27,
  REALM_RESTART_REPLY: 28,

  // login <-> realm: sessions and population (40..49)
  SESSION_GRANT: 40,
  SESSION_GRANT_REPLY: 41,
  SESSION_END: 42,
  SESSION_END_REPLY: 43,
  REALM_STATUS_REQUEST: 44,
  REALM_STATUS_REPLY: 45,

  // client <-> realm, client <-> client: load reports, session checks, kicks (50..59)
  CLIENT_LOAD: 50,
  REALM_SESSION_CHECK: 51,
  REALM_SESSION_CHECK_REPLY: 52,
  SESSION_KICK: 53,
  REALM_PLAYER_LEFT: 54,
  // a restarted realm node rebuilds its directory from the client nodes; a resume moves a session
  REALM_DIRECTORY_REQUEST: 55,
  REALM_DIRECTORY_REPORT: 56,
  SESSION_MOVED: 57,

  // client -> realm: a player's characters (60..79)
  CHAR_LIST: 60,
  CHAR_LIST_REPLY: 61,
  CHAR_CREATE: 62,
  CHAR_CREATE_REPLY: 63,
  CHAR_DELETE: 64,
  CHAR_DELETE_REPLY: 65,
  CHAR_SELECT: 66,
  CHAR_SELECT_REPLY: 67,

  // realm, client nodes <-> zone and instance nodes; zone <-> zone handoff (80..119)
  ZONE_ENTER: 80,
  ZONE_ENTERED: 81,
  ZONE_INTENTS: 82,
  ZONE_EVENTS: 83,
  ZONE_HANDOFF_OFFER: 84,
  ZONE_HANDOFF_ACCEPT: 85,
  ZONE_HANDOFF_COMMIT: 86,
  ZONE_TRUTH_REQUEST: 87,
  ZONE_TRUTH_REPLY: 88,
  ZONE_DISPLACE: 89,
  INSTANCE_OPEN: 90,
  INSTANCE_OPENED: 91,
  INSTANCE_CLOSED: 92,
  ZONE_STARTED: 93,
  // a restarted realm node asks the zones and instances which players they hold
  ZONE_PLAYERS_REQUEST: 94,
  ZONE_PLAYERS_REPORT: 95,
  // client -> realm: a player asks into a dungeon; realm -> client: how a queued request goes (96..98)
  DUNGEON_ENTER: 96,
  DUNGEON_ENTER_REPLY: 97,
  DUNGEON_STATUS: 98,
  // realm -> zone: a party into a dungeon; world -> realm: a player arrived by handoff (99..109)
  ZONE_TRANSFER: 99,
  ZONE_TRANSFER_REPLY: 100,
  WORLD_ARRIVED: 101,

  // realm, zones, backup, operator tools -> database node; every answer is DB_REPLY (120..159)
  DB_LIST_CHARACTERS: 120,
  DB_CREATE_CHARACTER: 121,
  DB_DELETE_CHARACTER: 122,
  DB_LOAD_CHARACTER: 123,
  DB_SAVE_CHECKPOINT: 124,
  DB_GRANT_ITEMS: 125,
  DB_MOVE_ITEM: 126,
  DB_TRADE: 127,
  DB_SEND_MAIL: 128,
  DB_TAKE_MAIL: 129,
  DB_LIST_MAIL: 130,
  DB_GRANT_GOLD: 131,
  DB_SINK_GOLD: 132,
  DB_LOAD_ITEMS: 133,
  DB_OP_STATUS: 134,
  DB_CHECK: 135,
  DB_STATS: 136,
  // guilds, friends, parties (common/protocol/social.ts)
  DB_GUILD: 137,
  DB_FRIEND: 138,
  DB_PARTY: 139,
  DB_SOCIAL_LOAD: 144,
  DB_FIND_CHARACTER: 145,
  DB_REPLICA_PULL: 140,
  DB_COPY_OPEN: 141,
  DB_COPY_CHUNK: 142,
  DB_RESTORE: 143,
  DB_REPLY: 159,

  // operator tools, database node -> backup node; every answer is BACKUP_REPLY (160..179)
  BACKUP_SNAPSHOT_NOW: 160,
  BACKUP_LIST: 161,
  BACKUP_VERIFY: 162,
  BACKUP_RESTORE: 163,
  BACKUP_TASK: 164,
  BACKUP_FILE_OPEN: 165,
  BACKUP_FILE_CHUNK: 166,
  BACKUP_GET_ENTRY: 167,
  BACKUP_STATUS: 168,
  BACKUP_REPLY: 179,

  // client <-> client: reconnect tokens; client -> zone: reattach after a reconnect (180..189)
  CLIENT_RESUME_GRANT: 180,
  CLIENT_RESUME_TAKEN: 181,
  ZONE_REATTACH: 182,
  ZONE_REATTACHED: 183,

  // reviver -> client nodes: what the players of a realm are told, and a realm closing for a restart (190..199)
  PLAYER_NOTICE: 190,
  REALM_CLOSE_PLAYERS: 191,
  REALM_CLOSE_PLAYERS_REPLY: 192,

  // client <-> realm: social and chat (200..219): parties, friends, guilds, the realm's chat channels
  SOCIAL_REQUEST: 200,
  SOCIAL_REPLY: 201,
  SOCIAL_PUSH: 202,
  CHAT_SEND: 203,
  CHAT_SEND_REPLY: 204,
  CHAT_DELIVER: 205,
  // operator tools -> realm: silence a character; realm -> client: the mute the client node enforces
  CHAT_MUTE: 206,
  CHAT_MUTE_REPLY: 207,
  CHAT_MUTED: 208,
} as const;

export type OpName = keyof typeof Op;
export type OpCode = (typeof Op)[OpName];

export const opName = namesOf(Op);
