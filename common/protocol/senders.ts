// Who may send what: each node opcode with the node kinds that send it. A node drops a frame
// from a kind not listed (a client node never grants gold, only revivers say a node died).
// Checked in the Wire's receive path (common/wire.ts) against the sender's kind by node id.
import type { NodeKind } from "../topology.ts";
import { opName, type OpName } from "../opcodes.ts";

/**
 * `tool` is any wire whose id is not a node of the config: the CLI, benches, test harnesses.
 * Tools pass: on a CURVE mesh a tool id is proven with the operator's key (common/mesh/), so it
 * is the operator speaking; a realm without a mesh trusts every id, tools and nodes alike.
 */
export type SenderKind = NodeKind | "tool";

const NODES: readonly NodeKind[] = ["reviver", "login", "realm", "client", "zone", "instance", "database", "backup"];
const WORLDS: readonly NodeKind[] = ["zone", "instance"];
// every kind that reads or writes the realm's state through common/db-client.ts
const DB_USERS: readonly NodeKind[] = ["realm", "zone", "instance", "backup", "reviver"];

export const SENDERS: Record<OpName, readonly NodeKind[]> = {
  HEARTBEAT: NODES,
  SHUTDOWN: ["reviver"],
  PING: NODES,
  PONG: NODES,
  NODE_DOWN: ["reviver"],
  NODE_UP: ["reviver"],

  STATUS_REQUEST: ["reviver"],
  STATUS_REPLY: ["reviver"],
  STOP_REALM: ["reviver"],
  REALM_RESTART: ["reviver"],
  REALM_RESTART_REPLY: ["reviver"],

  SESSION_GRANT: ["login"],
  SESSION_GRANT_REPLY: ["realm"],
  // the console's kick (common/operator/player-desk.ts) runs in the leading reviver
  SESSION_END: ["login", "reviver"],
  SESSION_END_REPLY: ["realm"],
  REALM_STATUS_REQUEST: ["login", "reviver"],
  REALM_STATUS_REPLY: ["realm"],

  CLIENT_LOAD: ["client"],
  REALM_SESSION_CHECK: ["client"],
  REALM_SESSION_CHECK_REPLY: ["realm"],
  SESSION_KICK: ["realm"],
  REALM_PLAYER_LEFT: ["client"],
  REALM_DIRECTORY_REQUEST: ["realm"],
  REALM_DIRECTORY_REPORT: ["client"],
  SESSION_MOVED: ["client"],

  CHAR_LIST: ["client"],
  CHAR_LIST_REPLY: ["realm"],
  CHAR_CREATE: ["client"],
  CHAR_CREATE_REPLY: ["realm"],
  CHAR_DELETE: ["client"],
  CHAR_DELETE_REPLY: ["realm"],
  CHAR_SELECT: ["client"],
  CHAR_SELECT_REPLY: ["realm"],

  ZONE_ENTER: ["realm"],
  ZONE_ENTERED: WORLDS,
  ZONE_INTENTS: ["client", ...WORLDS],
  ZONE_EVENTS: WORLDS,
  // zone <-> zone, and zone <-> instance into and out of a dungeon
  ZONE_HANDOFF_OFFER: WORLDS,
  ZONE_HANDOFF_ACCEPT: WORLDS,
  ZONE_HANDOFF_COMMIT: WORLDS,
  ZONE_TRUTH_REQUEST: ["client", "realm", "reviver"],
  ZONE_TRUTH_REPLY: WORLDS,
  ZONE_DISPLACE: ["realm", "zone"],
  INSTANCE_OPEN: ["realm", "zone"],
  INSTANCE_OPENED: ["instance"],
  INSTANCE_CLOSED: ["instance"],
  ZONE_STARTED: WORLDS,
  ZONE_PLAYERS_REQUEST: ["realm"],
  ZONE_PLAYERS_REPORT: WORLDS,
  DUNGEON_ENTER: ["client"],
  DUNGEON_ENTER_REPLY: ["realm"],
  DUNGEON_STATUS: ["realm"],
  ZONE_TRANSFER: ["realm"],
  ZONE_TRANSFER_REPLY: ["zone"],
  WORLD_ARRIVED: WORLDS,

  DB_LIST_CHARACTERS: DB_USERS,
  DB_CREATE_CHARACTER: DB_USERS,
  DB_DELETE_CHARACTER: DB_USERS,
  DB_LOAD_CHARACTER: DB_USERS,
  DB_SAVE_CHECKPOINT: DB_USERS,
  DB_GRANT_ITEMS: DB_USERS,
  DB_MOVE_ITEM: DB_USERS,
  DB_TRADE: DB_USERS,
  DB_SEND_MAIL: [...DB_USERS, "database"],
  DB_TAKE_MAIL: DB_USERS,
  DB_LIST_MAIL: DB_USERS,
  DB_GRANT_GOLD: DB_USERS,
  DB_SINK_GOLD: DB_USERS,
  DB_LOAD_ITEMS: DB_USERS,
  DB_OP_STATUS: DB_USERS,
  DB_CHECK: DB_USERS,
  DB_STATS: DB_USERS,
  // the realm node acts for players; operator tools read
  DB_GUILD: ["realm"],
  DB_FRIEND: ["realm"],
  DB_PARTY: ["realm"],
  DB_SOCIAL_LOAD: DB_USERS,
  DB_FIND_CHARACTER: DB_USERS,
  DB_REPLICA_PULL: ["backup"],
  DB_COPY_OPEN: ["backup"],
  DB_COPY_CHUNK: ["backup"],
  DB_RESTORE: ["backup"],
  DB_REPLY: ["database"],

  BACKUP_SNAPSHOT_NOW: ["reviver", "database"],
  BACKUP_LIST: ["reviver", "database"],
  BACKUP_VERIFY: ["reviver", "database"],
  BACKUP_RESTORE: ["reviver", "database"],
  BACKUP_TASK: ["reviver", "database"],
  BACKUP_FILE_OPEN: ["database"],
  BACKUP_FILE_CHUNK: ["database"],
  BACKUP_GET_ENTRY: ["database"],
  BACKUP_STATUS: ["database"],
  BACKUP_REPLY: ["backup"],

  CLIENT_RESUME_GRANT: ["client"],
  CLIENT_RESUME_TAKEN: ["client"],
  ZONE_REATTACH: ["client"],
  ZONE_REATTACHED: WORLDS,

  PLAYER_NOTICE: ["reviver"],
  REALM_CLOSE_PLAYERS: ["reviver"],
  REALM_CLOSE_PLAYERS_REPLY: ["client"],

  SOCIAL_REQUEST: ["client"],
  SOCIAL_REPLY: ["realm"],
  SOCIAL_PUSH: ["realm"],
  CHAT_SEND: ["client"],
  CHAT_SEND_REPLY: ["realm"],
  CHAT_DELIVER: ["realm"],
  // operator tools pass as "tool"; the console runs in the leading reviver
  CHAT_MUTE: ["reviver"],
  CHAT_MUTE_REPLY: ["realm"],
  CHAT_MUTED: ["realm"],
};

/** True when a `sender` may send opcode `op`; an unknown opcode is left to the decoder. */
export function maySend(sender: SenderKind, op: number): boolean {
  const name = opName(op);
  if (name === undefined) return true;
  return sender === "tool" || SENDERS[name].includes(sender);
}
