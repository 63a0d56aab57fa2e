// The player protocol's encoder and decoder, shared by the client node and by bots, tests and
// benchmarks, so both ends agree by construction. Layouts are in common/player-protocol.md.
// A player frame carries exactly one CMSG; a server frame carries one or more SMSGs back to back.
import { ByteReader, ByteWriter, WireFormatError } from "./bytes.ts";
import { PlayerOp, playerOpName, WorldSection } from "./player-opcodes.ts";
import { readHandle, readSpawn, readUpdate, type SpawnRecord, type UpdateRecord } from "./world-entries.ts";
import { WorldHeaderState } from "./world-header.ts";

export { WireFormatError, WorldHeaderState };

export const TOKEN_BYTES = 32;
const MAX_SESSION_BYTES = 256;
const MAX_NAME_BYTES = 64;
const MAX_TEXT_BYTES = 256;
/** A CMSG_CHAT line may arrive longer than MAX_TEXT_BYTES: the client node refuses it by name (SMSG_SOCIAL_RESULT "too-long") instead of closing. */
export const MAX_CHAT_WIRE_BYTES = 400;
const MAX_ID_BYTES = 64;
/** Items one side of a trade may give at once. */
export const MAX_TRADE_ITEMS = 8;

// ---- player -> client node

export type ClientMessage =
  | { op: typeof PlayerOp.CMSG_HELLO; version: number; session: string }
  | { op: typeof PlayerOp.CMSG_RESUME; version: number; token: Uint8Array }
  | { op: typeof PlayerOp.CMSG_PING; clientTime: number }
  | { op: typeof PlayerOp.CMSG_CHAR_LIST }
  | { op: typeof PlayerOp.CMSG_CHAR_CREATE; name: string }
  | { op: typeof PlayerOp.CMSG_CHAR_DELETE; characterId: string }
  | { op: typeof PlayerOp.CMSG_CHAR_SELECT; characterId: string }
  | { op: typeof PlayerOp.CMSG_MOVE; qx: number; qy: number; heading: number; seq: number; corrections: number }
  | { op: typeof PlayerOp.CMSG_ATTACK; target: number }
  | { op: typeof PlayerOp.CMSG_LOOT; target: number }
  | { op: typeof PlayerOp.CMSG_SAY; text: string }
  | { op: typeof PlayerOp.CMSG_ZONE_CHAT; text: string }
  | { op: typeof PlayerOp.CMSG_LEAVE }
  | { op: typeof PlayerOp.CMSG_TRADE_OFFER; target: number; gold: number; items: string[] }
  | { op: typeof PlayerOp.CMSG_TRADE_ACCEPT; offer: number; gold: number; items: string[] }
  | { op: typeof PlayerOp.CMSG_TRADE_DECLINE; offer: number }
  | { op: typeof PlayerOp.CMSG_DUNGEON_ENTER; entrance: string }
  | { op: typeof PlayerOp.CMSG_DUNGEON_LEAVE }
  /** `to`: the whispered character's name ("" on other channels). */
  | { op: typeof PlayerOp.CMSG_CHAT; channel: number; to: string; text: string }
  /** `arg`: the target's name, or the party id of an invite (accept, decline); "" to leave. */
  | { op: typeof PlayerOp.CMSG_PARTY; action: number; arg: string }
  | { op: typeof PlayerOp.CMSG_FRIEND; action: number; name: string }
  /** `arg`: the new guild's name, the target's name, or the guild id of an invite; `rank` only for RANK (0 otherwise). */
  | { op: typeof PlayerOp.CMSG_GUILD; action: number; arg: string; rank: number };

const U32 = 0xffffffff;
/** Gold in one message: the database's own ceiling for a balance. */
const MAX_GOLD = 1e12;

function writeIds(w: ByteWriter, ids: readonly string[]): void {
  w.varint(ids.length);
  for (const id of ids) w.str(id);
}

function readIds(r: ByteReader, max: number, what: string): string[] {
  const ids: string[] = [];
  for (let n = r.varint(what, max); n > 0; n--) ids.push(r.str(MAX_ID_BYTES, what));
  return ids;
}

/** One CMSG as the bytes of a frame; a Uint8Array, so the browser SDK encodes with the same code. */
export function encodeClient(m: ClientMessage, w = new ByteWriter(64)): Uint8Array {
  w.reset().u8(m.op);
  switch (m.op) {
    case PlayerOp.CMSG_HELLO:
      w.varint(m.version).str(m.session);
      break;
    case PlayerOp.CMSG_RESUME:
      w.varint(m.version).bytes(m.token);
      break;
    case PlayerOp.CMSG_PING:
      w.f64(m.clientTime);
      break;
    case PlayerOp.CMSG_CHAR_CREATE:
      w.str(m.name);
      break;
    case PlayerOp.CMSG_CHAR_DELETE:
    case PlayerOp.CMSG_CHAR_SELECT:
      w.str(m.characterId);
      break;
    case PlayerOp.CMSG_MOVE:
      w.u16(m.qx).u16(m.qy).u8(m.heading).varint(m.seq).u8(m.corrections);
      break;
    case PlayerOp.CMSG_ATTACK:
    case PlayerOp.CMSG_LOOT:
      w.varint(m.target);
      break;
    case PlayerOp.CMSG_SAY:
    case PlayerOp.CMSG_ZONE_CHAT:
      w.str(m.text);
      break;
    case PlayerOp.CMSG_TRADE_OFFER:
      w.varint(m.target).varint(m.gold);
      writeIds(w, m.items);
      break;
    case PlayerOp.CMSG_TRADE_ACCEPT:
      w.varint(m.offer).varint(m.gold);
      writeIds(w, m.items);
      break;
    case PlayerOp.CMSG_TRADE_DECLINE:
      w.varint(m.offer);
      break;
    case PlayerOp.CMSG_DUNGEON_ENTER:
      w.str(m.entrance);
      break;
    case PlayerOp.CMSG_CHAT:
      w.u8(m.channel).str(m.to).str(m.text);
      break;
    case PlayerOp.CMSG_PARTY:
      w.u8(m.action).str(m.arg);
      break;
    case PlayerOp.CMSG_FRIEND:
      w.u8(m.action).str(m.name);
      break;
    case PlayerOp.CMSG_GUILD:
      w.u8(m.action).str(m.arg).u8(m.rank);
      break;
    case PlayerOp.CMSG_CHAR_LIST:
    case PlayerOp.CMSG_LEAVE:
    case PlayerOp.CMSG_DUNGEON_LEAVE:
      break;
  }
  return w.copy();
}

/** Thrown for an opcode that is not a CMSG: the client node closes with UNKNOWN_OPCODE. */
export class UnknownOpcodeError extends WireFormatError {
  constructor(readonly code: number) {
    super(`unknown opcode ${code}`);
    this.name = "UnknownOpcodeError";
  }
}

export function decodeClient(frame: Uint8Array): ClientMessage {
  const r = new ByteReader(frame);
  const op = r.u8("opcode");
  const name = playerOpName(op);
  if (name === undefined || !name.startsWith("CMSG_")) throw new UnknownOpcodeError(op);
  let m: ClientMessage;
  switch (op) {
    case PlayerOp.CMSG_HELLO:
      m = { op, version: r.varint("version", 65535), session: r.str(MAX_SESSION_BYTES, "session") };
      break;
    case PlayerOp.CMSG_RESUME: {
      const version = r.varint("version", 65535);
      const token = r.bytes(TOKEN_BYTES, "token");
      if (token.length !== TOKEN_BYTES) throw new WireFormatError(`token: ${token.length} bytes, expected ${TOKEN_BYTES}`);
      m = { op, version, token: Uint8Array.from(token) };
      break;
    }
    case PlayerOp.CMSG_PING:
      m = { op, clientTime: r.f64("clientTime") };
      break;
    case PlayerOp.CMSG_CHAR_LIST:
    case PlayerOp.CMSG_LEAVE:
    case PlayerOp.CMSG_DUNGEON_LEAVE:
      m = { op };
      break;
    case PlayerOp.CMSG_CHAR_CREATE:
      m = { op, name: r.str(MAX_NAME_BYTES, "name") };
      break;
    case PlayerOp.CMSG_CHAR_DELETE:
    case PlayerOp.CMSG_CHAR_SELECT:
      m = { op, characterId: r.str(MAX_ID_BYTES, "characterId") };
      break;
    case PlayerOp.CMSG_MOVE:
      m = { op, qx: r.u16("x"), qy: r.u16("y"), heading: r.u8("heading"), seq: r.varint("seq", U32), corrections: r.u8("corrections") };
      break;
    case PlayerOp.CMSG_ATTACK:
    case PlayerOp.CMSG_LOOT:
      m = { op, target: r.varint("target", U32) };
      break;
    case PlayerOp.CMSG_SAY:
    case PlayerOp.CMSG_ZONE_CHAT:
      m = { op, text: r.str(MAX_TEXT_BYTES, "text") };
      break;
    case PlayerOp.CMSG_TRADE_OFFER:
      m = { op, target: r.varint("target", U32), gold: r.varint("gold", MAX_GOLD), items: readIds(r, MAX_TRADE_ITEMS, "items") };
      break;
    case PlayerOp.CMSG_TRADE_ACCEPT:
      m = { op, offer: r.varint("offer", U32), gold: r.varint("gold", MAX_GOLD), items: readIds(r, MAX_TRADE_ITEMS, "items") };
      break;
    case PlayerOp.CMSG_TRADE_DECLINE:
      m = { op, offer: r.varint("offer", U32) };
      break;
    case PlayerOp.CMSG_DUNGEON_ENTER:
      // read up to a chat line's length: a longer name than an entrance has is refused, not kicked
      m = { op, entrance: r.str(MAX_TEXT_BYTES, "entrance") };
      break;
    case PlayerOp.CMSG_CHAT:
      m = { op, channel: r.u8("channel"), to: r.str(MAX_NAME_BYTES, "to"), text: r.str(MAX_CHAT_WIRE_BYTES, "text") };
      break;
    case PlayerOp.CMSG_PARTY:
      m = { op, action: r.u8("action"), arg: r.str(MAX_ID_BYTES, "arg") };
      break;
    case PlayerOp.CMSG_FRIEND:
      m = { op, action: r.u8("action"), name: r.str(MAX_NAME_BYTES, "name") };
      break;
    case PlayerOp.CMSG_GUILD:
      m = { op, action: r.u8("action"), arg: r.str(MAX_ID_BYTES, "arg"), rank: r.u8("rank") };
      break;
    default:
      throw new UnknownOpcodeError(op);
  }
  r.end(name);
  return m;
}

// ---- client node -> player

export interface CharacterEntry {
  id: string;
  name: string;
  level: number;
  x: number;
  y: number;
}

export interface Welcome {
  version: number;
  serverTime: number;
  accountId: string;
  realm: string;
  tickHz: number;
  worldWidth: number;
  worldHeight: number;
  cell: number;
  vision: number;
  budget: number;
  zones: string[];
  /** Each zone's region [x0, y0, x1, y1) in world units, in the order of `zones` (version 2). */
  regions: [number, number, number, number][];
}

export interface Entered {
  entity: number;
  zone: number;
  qx: number;
  qy: number;
  resumed: boolean;
  token: Uint8Array;
  /** Server time (ms since 1970) that SMSG_WORLD times count from. */
  epoch: number;
}

export interface WorldUpdate {
  /** ms since the epoch of SMSG_ENTERED; never less than the connection's previous update's. */
  time: number;
  /** [zone number, tick of that zone] the update reflects (whole ticks: the header's deltas added up). */
  ticks: [number, number][];
  despawns: number[];
  spawns: SpawnRecord[];
  updates: UpdateRecord[];
}

export type ServerMessage =
  | ({ op: typeof PlayerOp.SMSG_WELCOME } & Welcome)
  | { op: typeof PlayerOp.SMSG_PONG; clientTime: number; serverReceive: number; serverSend: number }
  | { op: typeof PlayerOp.SMSG_CHAR_LIST; characters: CharacterEntry[] }
  | { op: typeof PlayerOp.SMSG_CHAR_CREATED; character: CharacterEntry }
  | { op: typeof PlayerOp.SMSG_CHAR_DELETED; characterId: string }
  | { op: typeof PlayerOp.SMSG_CHAR_REFUSED; request: number; code: number; text: string }
  | ({ op: typeof PlayerOp.SMSG_ENTERED } & Entered)
  | ({ op: typeof PlayerOp.SMSG_WORLD } & WorldUpdate)
  | { op: typeof PlayerOp.SMSG_CHAT; channel: number; from: number; fromName: string; text: string }
  | { op: typeof PlayerOp.SMSG_COMBAT; from: number; target: number; amount: number }
  | { op: typeof PlayerOp.SMSG_LOOT; target: number; item: number; itemId: string; opId: string }
  | { op: typeof PlayerOp.SMSG_CORRECT; qx: number; qy: number; reason: number; seq: number }
  | { op: typeof PlayerOp.SMSG_REFUSED; reason: string }
  | { op: typeof PlayerOp.SMSG_ZONE_CHANGED; zone: number }
  | { op: typeof PlayerOp.SMSG_LEFT; reason: string }
  | { op: typeof PlayerOp.SMSG_VIEW_RESET }
  | ({ op: typeof PlayerOp.SMSG_TRADE_OFFERED } & TradeOffered)
  | ({ op: typeof PlayerOp.SMSG_TRADE_RESULT } & TradeResult)
  | { op: typeof PlayerOp.SMSG_WALLET; gold: number; items: WalletItem[] }
  | { op: typeof PlayerOp.SMSG_NOTICE; kind: number; seconds: number; text: string }
  | ({ op: typeof PlayerOp.SMSG_DUNGEON } & DungeonNews)
  | ({ op: typeof PlayerOp.SMSG_WORLD_CHANGED } & WorldChanged)
  | ({ op: typeof PlayerOp.SMSG_SOCIAL_RESULT } & SocialResult)
  | { op: typeof PlayerOp.SMSG_PARTY; id: string; leader: string; members: PartyMember[] }
  | { op: typeof PlayerOp.SMSG_GUILD; id: string; name: string; members: GuildMember[] }
  | { op: typeof PlayerOp.SMSG_FRIENDS; friends: FriendEntry[] }
  | { op: typeof PlayerOp.SMSG_INVITES; party: { partyId: string; leaderName: string }[]; guild: { guildId: string; name: string }[] }
  | { op: typeof PlayerOp.SMSG_PRESENCE; characterId: string; name: string; online: boolean };

/** The answer to a CMSG_CHAT, _PARTY, _FRIEND or _GUILD: `request` is its opcode, `code` 0 when done (SOCIAL_CODES). */
export interface SocialResult {
  request: number;
  action: number;
  code: number;
  text: string;
}

/** How a request to enter a dungeon goes (DungeonState); `code` a DUNGEON_REFUSAL_CODES number, 0 when none. */
export interface DungeonNews {
  state: number;
  entrance: string;
  /** Place in the queue, 1 next; 0 when not queued. */
  position: number;
  code: number;
  text: string;
}

/**
 * The character is in another world: the realm's (`dungeon` empty) or a dungeon of that kind.
 * Positions and moves are quantized over this world's width and height from now on.
 */
export interface WorldChanged {
  dungeon: string;
  width: number;
  height: number;
  cell: number;
  qx: number;
  qy: number;
}

export interface PartyMember {
  characterId: string;
  name: string;
  online: boolean;
}

export interface GuildMember extends PartyMember {
  rank: number;
}

export interface FriendEntry extends PartyMember {
  state: number;
}

/** Members, guild members and friends in a server message: at most a guild's worth. */
const MAX_MEMBERS = 1000;

function writeMember(w: ByteWriter, m: PartyMember): ByteWriter {
  return w.str(m.characterId).str(m.name).u8(m.online ? 1 : 0);
}

function readMember(r: ByteReader): PartyMember {
  return { characterId: r.str(MAX_ID_BYTES, "characterId"), name: r.str(MAX_NAME_BYTES, "name"), online: r.u8("online") === 1 };
}

function readList<T>(r: ByteReader, what: string, item: () => T): T[] {
  const out: T[] = [];
  for (let n = r.varint(what, MAX_MEMBERS); n > 0; n--) out.push(item());
  return out;
}

interface TradeOffered {
  offer: number;
  from: number;
  fromName: string;
  gold: number;
  items: string[];
}

/** The database's verdict on a trade, to each side: what this player gave and got. */
export interface TradeResult {
  offer: number;
  ok: boolean;
  opId: string;
  goldChange: number;
  /** This player's balance after the trade (0 when refused). */
  gold: number;
  received: string[];
  given: string[];
  reason: string;
}

export interface WalletItem {
  id: string;
  kind: string;
}

function writeCharacter(w: ByteWriter, c: CharacterEntry): void {
  w.str(c.id).str(c.name).varint(c.level).f32(c.x).f32(c.y);
}

function readCharacter(r: ByteReader): CharacterEntry {
  return { id: r.str(MAX_ID_BYTES, "id"), name: r.str(MAX_NAME_BYTES, "name"), level: r.varint("level"), x: r.f32("x"), y: r.f32("y") };
}

/** Appends one server message (not SMSG_WORLD, which the fanout writes itself) to `w`. */
export function writeServer(w: ByteWriter, m: Exclude<ServerMessage, { op: typeof PlayerOp.SMSG_WORLD }>): ByteWriter {
  w.u8(m.op);
  switch (m.op) {
    case PlayerOp.SMSG_WELCOME:
      w.varint(m.version).f64(m.serverTime).str(m.accountId).str(m.realm).u8(m.tickHz);
      w.varint(m.worldWidth).varint(m.worldHeight).varint(m.cell).varint(m.vision).varint(m.budget).varint(m.zones.length);
      for (const z of m.zones) w.str(z);
      for (const r of m.regions) w.varint(r[0]).varint(r[1]).varint(r[2]).varint(r[3]);
      break;
    case PlayerOp.SMSG_PONG:
      w.f64(m.clientTime).f64(m.serverReceive).f64(m.serverSend);
      break;
    case PlayerOp.SMSG_CHAR_LIST:
      w.varint(m.characters.length);
      for (const c of m.characters) writeCharacter(w, c);
      break;
    case PlayerOp.SMSG_CHAR_CREATED:
      writeCharacter(w, m.character);
      break;
    case PlayerOp.SMSG_CHAR_DELETED:
      w.str(m.characterId);
      break;
    case PlayerOp.SMSG_CHAR_REFUSED:
      w.u8(m.request).u8(m.code).str(m.text);
      break;
    case PlayerOp.SMSG_ENTERED:
      w.varint(m.entity).u8(m.zone).u16(m.qx).u16(m.qy).u8(m.resumed ? 1 : 0).bytes(m.token).f64(m.epoch);
      break;
    case PlayerOp.SMSG_CHAT:
      w.u8(m.channel).varint(m.from).str(m.fromName).str(m.text);
      break;
    case PlayerOp.SMSG_COMBAT:
      w.varint(m.from).varint(m.target).svarint(m.amount);
      break;
    case PlayerOp.SMSG_LOOT:
      w.varint(m.target).varint(m.item).str(m.itemId).str(m.opId);
      break;
    case PlayerOp.SMSG_TRADE_OFFERED:
      w.varint(m.offer).varint(m.from).str(m.fromName).varint(m.gold);
      writeIds(w, m.items);
      break;
    case PlayerOp.SMSG_TRADE_RESULT:
      w.varint(m.offer).u8(m.ok ? 1 : 0).str(m.opId).svarint(m.goldChange).varint(m.gold);
      writeIds(w, m.received);
      writeIds(w, m.given);
      w.str(m.reason);
      break;
    case PlayerOp.SMSG_WALLET:
      w.varint(m.gold).varint(m.items.length);
      for (const item of m.items) w.str(item.id).str(item.kind);
      break;
    case PlayerOp.SMSG_NOTICE:
      w.u8(m.kind).varint(m.seconds).str(m.text);
      break;
    case PlayerOp.SMSG_CORRECT:
      w.u16(m.qx).u16(m.qy).u8(m.reason).varint(m.seq);
      break;
    case PlayerOp.SMSG_REFUSED:
    case PlayerOp.SMSG_LEFT:
      w.str(m.reason);
      break;
    case PlayerOp.SMSG_ZONE_CHANGED:
      w.u8(m.zone);
      break;
    case PlayerOp.SMSG_VIEW_RESET:
      break;
    case PlayerOp.SMSG_DUNGEON:
      w.u8(m.state).str(m.entrance).varint(m.position).u8(m.code).str(m.text);
      break;
    case PlayerOp.SMSG_WORLD_CHANGED:
      w.str(m.dungeon).varint(m.width).varint(m.height).varint(m.cell).u16(m.qx).u16(m.qy);
      break;
    case PlayerOp.SMSG_SOCIAL_RESULT:
      w.u8(m.request).u8(m.action).u8(m.code).str(m.text);
      break;
    case PlayerOp.SMSG_PARTY:
      w.str(m.id).str(m.leader).varint(m.members.length);
      for (const p of m.members) writeMember(w, p);
      break;
    case PlayerOp.SMSG_GUILD:
      w.str(m.id).str(m.name).varint(m.members.length);
      for (const g of m.members) writeMember(w, g).u8(g.rank);
      break;
    case PlayerOp.SMSG_FRIENDS:
      w.varint(m.friends.length);
      for (const f of m.friends) writeMember(w, f).u8(f.state);
      break;
    case PlayerOp.SMSG_INVITES:
      w.varint(m.party.length);
      for (const i of m.party) w.str(i.partyId).str(i.leaderName);
      w.varint(m.guild.length);
      for (const i of m.guild) w.str(i.guildId).str(i.name);
      break;
    case PlayerOp.SMSG_PRESENCE:
      w.str(m.characterId).str(m.name).u8(m.online ? 1 : 0);
      break;
  }
  return w;
}

export function encodeServer(m: Exclude<ServerMessage, { op: typeof PlayerOp.SMSG_WORLD }>): Buffer {
  return writeServer(new ByteWriter(64), m).take();
}

function readWorld(r: ByteReader, header: WorldHeaderState): WorldUpdate {
  const { sections, time, ticks } = header.read(r);
  // a section left out of the sections byte is empty
  const count = (bit: number, what: string): number => (sections & bit ? r.varint(what, 65535) : 0);
  const despawns: number[] = [];
  for (let n = count(WorldSection.DESPAWNS, "despawns"); n > 0; n--) despawns.push(readHandle(r));
  const spawns: SpawnRecord[] = [];
  for (let n = count(WorldSection.SPAWNS, "spawns"); n > 0; n--) spawns.push(readSpawn(r));
  const updates: UpdateRecord[] = [];
  for (let n = count(WorldSection.UPDATES, "updates"); n > 0; n--) updates.push(readUpdate(r));
  return { time, ticks, despawns, spawns, updates };
}

function readServer(r: ByteReader, header: WorldHeaderState): ServerMessage {
  const op = r.u8("opcode");
  // SMSG_WORLD's header is a delta from the previous one since these, on both ends
  if (op === PlayerOp.SMSG_ENTERED || op === PlayerOp.SMSG_VIEW_RESET || op === PlayerOp.SMSG_WORLD_CHANGED) header.reset();
  switch (op) {
    case PlayerOp.SMSG_WELCOME: {
      const head = { op, version: r.varint("version"), serverTime: r.f64(), accountId: r.str(MAX_ID_BYTES), realm: r.str(MAX_ID_BYTES), tickHz: r.u8() };
      const dims = { worldWidth: r.varint(), worldHeight: r.varint(), cell: r.varint(), vision: r.varint(), budget: r.varint() };
      const zones: string[] = [];
      for (let n = r.varint("zones", 255); n > 0; n--) zones.push(r.str(MAX_ID_BYTES));
      const regions = zones.map((): [number, number, number, number] => [r.varint(), r.varint(), r.varint(), r.varint()]);
      return { ...head, ...dims, zones, regions };
    }
    case PlayerOp.SMSG_PONG:
      return { op, clientTime: r.f64(), serverReceive: r.f64(), serverSend: r.f64() };
    case PlayerOp.SMSG_CHAR_LIST: {
      const characters: CharacterEntry[] = [];
      for (let n = r.varint("characters", 1000); n > 0; n--) characters.push(readCharacter(r));
      return { op, characters };
    }
    case PlayerOp.SMSG_CHAR_CREATED:
      return { op, character: readCharacter(r) };
    case PlayerOp.SMSG_CHAR_DELETED:
      return { op, characterId: r.str(MAX_ID_BYTES) };
    case PlayerOp.SMSG_CHAR_REFUSED:
      return { op, request: r.u8(), code: r.u8(), text: r.str(1024) };
    case PlayerOp.SMSG_ENTERED:
      return { op, entity: r.varint("entity", U32), zone: r.u8(), qx: r.u16(), qy: r.u16(), resumed: r.u8() === 1, token: Uint8Array.from(r.bytes(TOKEN_BYTES)), epoch: r.f64() };
    case PlayerOp.SMSG_WORLD:
      return { op, ...readWorld(r, header) };
    case PlayerOp.SMSG_CHAT:
      return { op, channel: r.u8(), from: r.varint("from", U32), fromName: r.str(MAX_NAME_BYTES), text: r.str(MAX_TEXT_BYTES) };
    case PlayerOp.SMSG_COMBAT:
      return { op, from: r.varint("from", U32), target: r.varint("target", U32), amount: r.svarint() };
    case PlayerOp.SMSG_LOOT:
      return { op, target: r.varint("target", U32), item: r.varint("item", U32), itemId: r.str(MAX_ID_BYTES), opId: r.str(MAX_ID_BYTES) };
    case PlayerOp.SMSG_TRADE_OFFERED:
      return { op, offer: r.varint("offer", U32), from: r.varint("from", U32), fromName: r.str(MAX_NAME_BYTES), gold: r.varint("gold", MAX_GOLD), items: readIds(r, MAX_TRADE_ITEMS, "items") };
    case PlayerOp.SMSG_TRADE_RESULT:
      return {
        op,
        offer: r.varint("offer", U32),
        ok: r.u8() === 1,
        opId: r.str(MAX_ID_BYTES),
        goldChange: r.svarint(),
        gold: r.varint("gold", MAX_GOLD),
        received: readIds(r, MAX_TRADE_ITEMS, "received"),
        given: readIds(r, MAX_TRADE_ITEMS, "given"),
        reason: r.str(1024),
      };
    case PlayerOp.SMSG_WALLET: {
      const gold = r.varint("gold", MAX_GOLD);
      const items: WalletItem[] = [];
      for (let n = r.varint("items", 100_000); n > 0; n--) items.push({ id: r.str(MAX_ID_BYTES), kind: r.str(MAX_ID_BYTES) });
      return { op, gold, items };
    }
    case PlayerOp.SMSG_NOTICE:
      return { op, kind: r.u8(), seconds: r.varint("seconds"), text: r.str(1024) };
    case PlayerOp.SMSG_CORRECT:
      return { op, qx: r.u16(), qy: r.u16(), reason: r.u8(), seq: r.varint("seq", U32) };
    case PlayerOp.SMSG_REFUSED:
      return { op, reason: r.str(1024) };
    case PlayerOp.SMSG_ZONE_CHANGED:
      return { op, zone: r.u8() };
    case PlayerOp.SMSG_LEFT:
      return { op, reason: r.str(1024) };
    case PlayerOp.SMSG_VIEW_RESET:
      return { op };
    case PlayerOp.SMSG_DUNGEON:
      return { op, state: r.u8(), entrance: r.str(MAX_TEXT_BYTES), position: r.varint("position", U32), code: r.u8(), text: r.str(1024) };
    case PlayerOp.SMSG_WORLD_CHANGED:
      return { op, dungeon: r.str(MAX_ID_BYTES), width: r.varint(), height: r.varint(), cell: r.varint(), qx: r.u16(), qy: r.u16() };
    case PlayerOp.SMSG_SOCIAL_RESULT:
      return { op, request: r.u8(), action: r.u8(), code: r.u8(), text: r.str(1024) };
    case PlayerOp.SMSG_PARTY:
      return { op, id: r.str(MAX_ID_BYTES), leader: r.str(MAX_ID_BYTES), members: readList(r, "members", () => readMember(r)) };
    case PlayerOp.SMSG_GUILD:
      return { op, id: r.str(MAX_ID_BYTES), name: r.str(MAX_NAME_BYTES), members: readList(r, "members", () => ({ ...readMember(r), rank: r.u8() })) };
    case PlayerOp.SMSG_FRIENDS:
      return { op, friends: readList(r, "friends", () => ({ ...readMember(r), state: r.u8() })) };
    case PlayerOp.SMSG_INVITES:
      return {
        op,
        party: readList(r, "party invites", () => ({ partyId: r.str(MAX_ID_BYTES), leaderName: r.str(MAX_NAME_BYTES) })),
        guild: readList(r, "guild invites", () => ({ guildId: r.str(MAX_ID_BYTES), name: r.str(MAX_NAME_BYTES) })),
      };
    case PlayerOp.SMSG_PRESENCE:
      return { op, characterId: r.str(MAX_ID_BYTES), name: r.str(MAX_NAME_BYTES), online: r.u8() === 1 };
    default:
      throw new UnknownOpcodeError(op);
  }
}

/**
 * Every message of one server frame, in order. `header` is the connection's SMSG_WORLD header
 * state: one per connection, given every frame of it in order.
 */
export function decodeServerFrame(frame: Uint8Array, header: WorldHeaderState): ServerMessage[] {
  return decodeServerFrameSized(frame, header).map((m) => m.message);
}

/** Every message of one server frame with the bytes it took (budget checks, benchmarks). */
export function decodeServerFrameSized(frame: Uint8Array, header: WorldHeaderState): { message: ServerMessage; bytes: number }[] {
  const r = new ByteReader(frame);
  const out: { message: ServerMessage; bytes: number }[] = [];
  while (r.left > 0) {
    const at = r.pos;
    const message = readServer(r, header);
    out.push({ message, bytes: r.pos - at });
  }
  return out;
}
