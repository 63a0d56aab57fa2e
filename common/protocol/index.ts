// Every opcode's body shape, in one place: a frame whose body does not fit is dropped.
import { Op, type OpCode } from "../opcodes.ts";
import type { Infer, Schema } from "../schema.ts";
import { heartbeat, ping, pong, shutdown } from "./control.ts";
import { statusReply, statusRequest, stopRealm } from "./reviver.ts";
import { nodeDown, nodeUp } from "./reviver.ts";
import { charCreate, charCreateReply, charDelete, charDeleteReply, charList, charListReply, charSelect, charSelectReply } from "./characters.ts";
import { realmStatusReply, realmStatusRequest, sessionEnd, sessionEndReply, sessionGrant, sessionGrantReply } from "./login.ts";
import { clientLoad, realmPlayerLeft, realmSessionCheck, realmSessionCheckReply, sessionKick } from "./placement.ts";
import {
  displace,
  handoffAccept,
  handoffCommit,
  handoffOffer,
  instanceClosed,
  instanceOpen,
  instanceOpened,
  truthReply,
  zoneStarted,
  truthRequest,
  zoneEnter,
  zoneEntered,
  zoneEvents,
  zoneIntents,
} from "./zone.ts";
import {
  dbCheck, dbCopyChunk, dbCopyOpen, dbCreateCharacter, dbDeleteCharacter, dbGrantGold, dbGrantItems, dbListCharacters, dbListMail, dbLoadCharacter,
  dbLoadItems, dbMoveItem, dbOpStatus, dbReplicaPull, dbReply, dbRestore, dbSaveCheckpoint, dbSendMail, dbSinkGold, dbStats, dbTakeMail, dbTrade,
} from "./db.ts";
import { realmDirectoryReport, realmDirectoryRequest, sessionMoved, zonePlayersReport, zonePlayersRequest } from "./directory.ts";
import { playerNotice, realmClosePlayers, realmClosePlayersReply, realmRestart, realmRestartReply } from "./restart.ts";
import { clientResumeGrant, clientResumeTaken, zoneReattach, zoneReattached } from "./client.ts";
import { dungeonEnter, dungeonEnterReply, dungeonStatus, worldArrived, zoneTransfer, zoneTransferReply } from "./dungeon.ts";
import { dbFindCharacter, dbFriend, dbGuild, dbParty, dbSocialLoad } from "./social.ts";
import { backupFileChunk, backupFileOpen, backupGetEntry, backupList, backupReply, backupRestore, backupSnapshotNow, backupStatus, backupTask, backupVerify } from "./backup.ts";

export const BODIES = {
  [Op.HEARTBEAT]: heartbeat,
  [Op.SHUTDOWN]: shutdown,
  [Op.PING]: ping,
  [Op.PONG]: pong,
  [Op.NODE_DOWN]: nodeDown,
  [Op.NODE_UP]: nodeUp,
  [Op.STATUS_REQUEST]: statusRequest,
  [Op.STATUS_REPLY]: statusReply,
  [Op.STOP_REALM]: stopRealm,
  [Op.REALM_RESTART]: realmRestart,
  [Op.REALM_RESTART_REPLY]: realmRestartReply,
  [Op.PLAYER_NOTICE]: playerNotice,
  [Op.REALM_CLOSE_PLAYERS]: realmClosePlayers,
  [Op.REALM_CLOSE_PLAYERS_REPLY]: realmClosePlayersReply,
  [Op.SESSION_GRANT]: sessionGrant,
  [Op.SESSION_GRANT_REPLY]: sessionGrantReply,
  [Op.SESSION_END]: sessionEnd,
  [Op.SESSION_END_REPLY]: sessionEndReply,
  [Op.REALM_STATUS_REQUEST]: realmStatusRequest,
  [Op.REALM_STATUS_REPLY]: realmStatusReply,
  [Op.CLIENT_LOAD]: clientLoad,
  [Op.REALM_SESSION_CHECK]: realmSessionCheck,
  [Op.REALM_SESSION_CHECK_REPLY]: realmSessionCheckReply,
  [Op.SESSION_KICK]: sessionKick,
  [Op.REALM_PLAYER_LEFT]: realmPlayerLeft,
  [Op.REALM_DIRECTORY_REQUEST]: realmDirectoryRequest,
  [Op.REALM_DIRECTORY_REPORT]: realmDirectoryReport,
  [Op.SESSION_MOVED]: sessionMoved,
  [Op.CHAR_LIST]: charList,
  [Op.CHAR_LIST_REPLY]: charListReply,
  [Op.CHAR_CREATE]: charCreate,
  [Op.CHAR_CREATE_REPLY]: charCreateReply,
  [Op.CHAR_DELETE]: charDelete,
  [Op.CHAR_DELETE_REPLY]: charDeleteReply,
  [Op.CHAR_SELECT]: charSelect,
  [Op.CHAR_SELECT_REPLY]: charSelectReply,
  [Op.ZONE_ENTER]: zoneEnter,
  [Op.ZONE_ENTERED]: zoneEntered,
  [Op.ZONE_INTENTS]: zoneIntents,
  [Op.ZONE_EVENTS]: zoneEvents,
  [Op.ZONE_HANDOFF_OFFER]: handoffOffer,
  [Op.ZONE_HANDOFF_ACCEPT]: handoffAccept,
  [Op.ZONE_HANDOFF_COMMIT]: handoffCommit,
  [Op.ZONE_TRUTH_REQUEST]: truthRequest,
  [Op.ZONE_TRUTH_REPLY]: truthReply,
  [Op.ZONE_DISPLACE]: displace,
  [Op.INSTANCE_OPEN]: instanceOpen,
  [Op.INSTANCE_OPENED]: instanceOpened,
  [Op.INSTANCE_CLOSED]: instanceClosed,
  [Op.ZONE_STARTED]: zoneStarted,
  [Op.ZONE_PLAYERS_REQUEST]: zonePlayersRequest,
  [Op.ZONE_PLAYERS_REPORT]: zonePlayersReport,
  [Op.DUNGEON_ENTER]: dungeonEnter,
  [Op.DUNGEON_ENTER_REPLY]: dungeonEnterReply,
  [Op.DUNGEON_STATUS]: dungeonStatus,
  [Op.ZONE_TRANSFER]: zoneTransfer,
  [Op.ZONE_TRANSFER_REPLY]: zoneTransferReply,
  [Op.WORLD_ARRIVED]: worldArrived,
  [Op.DB_LIST_CHARACTERS]: dbListCharacters,
  [Op.DB_CREATE_CHARACTER]: dbCreateCharacter,
  [Op.DB_DELETE_CHARACTER]: dbDeleteCharacter,
  [Op.DB_LOAD_CHARACTER]: dbLoadCharacter,
  [Op.DB_SAVE_CHECKPOINT]: dbSaveCheckpoint,
  [Op.DB_GRANT_ITEMS]: dbGrantItems,
  [Op.DB_MOVE_ITEM]: dbMoveItem,
  [Op.DB_TRADE]: dbTrade,
  [Op.DB_SEND_MAIL]: dbSendMail,
  [Op.DB_TAKE_MAIL]: dbTakeMail,
  [Op.DB_LIST_MAIL]: dbListMail,
  [Op.DB_GRANT_GOLD]: dbGrantGold,
  [Op.DB_SINK_GOLD]: dbSinkGold,
  [Op.DB_LOAD_ITEMS]: dbLoadItems,
  [Op.DB_OP_STATUS]: dbOpStatus,
  [Op.DB_CHECK]: dbCheck,
  [Op.DB_STATS]: dbStats,
  [Op.DB_GUILD]: dbGuild,
  [Op.DB_FRIEND]: dbFriend,
  [Op.DB_PARTY]: dbParty,
  [Op.DB_SOCIAL_LOAD]: dbSocialLoad,
  [Op.DB_FIND_CHARACTER]: dbFindCharacter,
  [Op.DB_REPLICA_PULL]: dbReplicaPull,
  [Op.DB_COPY_OPEN]: dbCopyOpen,
  [Op.DB_COPY_CHUNK]: dbCopyChunk,
  [Op.DB_RESTORE]: dbRestore,
  [Op.DB_REPLY]: dbReply,
  [Op.BACKUP_SNAPSHOT_NOW]: backupSnapshotNow,
  [Op.BACKUP_LIST]: backupList,
  [Op.BACKUP_VERIFY]: backupVerify,
  [Op.BACKUP_RESTORE]: backupRestore,
  [Op.BACKUP_TASK]: backupTask,
  [Op.BACKUP_FILE_OPEN]: backupFileOpen,
  [Op.BACKUP_FILE_CHUNK]: backupFileChunk,
  [Op.BACKUP_GET_ENTRY]: backupGetEntry,
  [Op.BACKUP_STATUS]: backupStatus,
  [Op.BACKUP_REPLY]: backupReply,
  [Op.CLIENT_RESUME_GRANT]: clientResumeGrant,
  [Op.CLIENT_RESUME_TAKEN]: clientResumeTaken,
  [Op.ZONE_REATTACH]: zoneReattach,
  [Op.ZONE_REATTACHED]: zoneReattached,
} as const satisfies Record<OpCode, Schema<unknown>>;

export type Body<O extends OpCode> = Infer<(typeof BODIES)[O]>;

/**
 * Every request and the opcode of its answer, which settles it by its `corr`. `Wire.request`
 * types the body it sends and the answer it resolves to from this map, and rejects another opcode.
 */
export const REPLIES = {
  [Op.PING]: Op.PONG,
  [Op.STATUS_REQUEST]: Op.STATUS_REPLY,
  [Op.REALM_RESTART]: Op.REALM_RESTART_REPLY,
  [Op.REALM_CLOSE_PLAYERS]: Op.REALM_CLOSE_PLAYERS_REPLY,
  [Op.SESSION_GRANT]: Op.SESSION_GRANT_REPLY,
  [Op.SESSION_END]: Op.SESSION_END_REPLY,
  [Op.REALM_STATUS_REQUEST]: Op.REALM_STATUS_REPLY,
  [Op.REALM_SESSION_CHECK]: Op.REALM_SESSION_CHECK_REPLY,
  [Op.CHAR_LIST]: Op.CHAR_LIST_REPLY,
  [Op.CHAR_CREATE]: Op.CHAR_CREATE_REPLY,
  [Op.CHAR_DELETE]: Op.CHAR_DELETE_REPLY,
  [Op.CHAR_SELECT]: Op.CHAR_SELECT_REPLY,
  [Op.ZONE_ENTER]: Op.ZONE_ENTERED,
  [Op.ZONE_HANDOFF_OFFER]: Op.ZONE_HANDOFF_ACCEPT,
  [Op.ZONE_TRUTH_REQUEST]: Op.ZONE_TRUTH_REPLY,
  [Op.ZONE_REATTACH]: Op.ZONE_REATTACHED,
  [Op.INSTANCE_OPEN]: Op.INSTANCE_OPENED,
  [Op.DUNGEON_ENTER]: Op.DUNGEON_ENTER_REPLY,
  [Op.ZONE_TRANSFER]: Op.ZONE_TRANSFER_REPLY,
  [Op.DB_LIST_CHARACTERS]: Op.DB_REPLY,
  [Op.DB_CREATE_CHARACTER]: Op.DB_REPLY,
  [Op.DB_DELETE_CHARACTER]: Op.DB_REPLY,
  [Op.DB_LOAD_CHARACTER]: Op.DB_REPLY,
  [Op.DB_SAVE_CHECKPOINT]: Op.DB_REPLY,
  [Op.DB_GRANT_ITEMS]: Op.DB_REPLY,
  [Op.DB_MOVE_ITEM]: Op.DB_REPLY,
  [Op.DB_TRADE]: Op.DB_REPLY,
  [Op.DB_SEND_MAIL]: Op.DB_REPLY,
  [Op.DB_TAKE_MAIL]: Op.DB_REPLY,
  [Op.DB_LIST_MAIL]: Op.DB_REPLY,
  [Op.DB_GRANT_GOLD]: Op.DB_REPLY,
  [Op.DB_SINK_GOLD]: Op.DB_REPLY,
  [Op.DB_LOAD_ITEMS]: Op.DB_REPLY,
  [Op.DB_OP_STATUS]: Op.DB_REPLY,
  [Op.DB_CHECK]: Op.DB_REPLY,
  [Op.DB_STATS]: Op.DB_REPLY,
  [Op.DB_GUILD]: Op.DB_REPLY,
  [Op.DB_FRIEND]: Op.DB_REPLY,
  [Op.DB_PARTY]: Op.DB_REPLY,
  [Op.DB_SOCIAL_LOAD]: Op.DB_REPLY,
  [Op.DB_FIND_CHARACTER]: Op.DB_REPLY,
  [Op.DB_REPLICA_PULL]: Op.DB_REPLY,
  [Op.DB_COPY_OPEN]: Op.DB_REPLY,
  [Op.DB_COPY_CHUNK]: Op.DB_REPLY,
  [Op.DB_RESTORE]: Op.DB_REPLY,
  [Op.BACKUP_SNAPSHOT_NOW]: Op.BACKUP_REPLY,
  [Op.BACKUP_LIST]: Op.BACKUP_REPLY,
  [Op.BACKUP_VERIFY]: Op.BACKUP_REPLY,
  [Op.BACKUP_RESTORE]: Op.BACKUP_REPLY,
  [Op.BACKUP_TASK]: Op.BACKUP_REPLY,
  [Op.BACKUP_FILE_OPEN]: Op.BACKUP_REPLY,
  [Op.BACKUP_FILE_CHUNK]: Op.BACKUP_REPLY,
  [Op.BACKUP_GET_ENTRY]: Op.BACKUP_REPLY,
  [Op.BACKUP_STATUS]: Op.BACKUP_REPLY,
} as const satisfies Partial<Record<OpCode, OpCode>>;

export type RequestOp = keyof typeof REPLIES;
type ReplyOp<O extends RequestOp> = (typeof REPLIES)[O];
/** A request's body as its caller gives it: the wire adds the `corr`. */
export type Request<O extends RequestOp> = Omit<Body<O>, "corr">;
export type Reply<O extends RequestOp> = Body<ReplyOp<O>>;
/** The requests one answer opcode settles, e.g. every database request for DB_REPLY. */
export type RequestsAnsweredBy<R extends OpCode> = { [O in RequestOp]: ReplyOp<O> extends R ? O : never }[RequestOp];

/** Answers: frames that settle a pending request by their `corr`. */
export const REPLY_OPS: ReadonlySet<OpCode> = new Set<OpCode>(Object.values(REPLIES));
