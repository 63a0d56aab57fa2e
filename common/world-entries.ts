// SMSG_WORLD's entries (common/player-protocol.md): a spawn, and an update's handle, mask and
// fields. The client node's fanout writes them and budgets by their sizes, players read them:
// both from here, so the layout and the sizes the budget counts cannot drift apart.
import { varintSize, zigzag, type ByteReader, type ByteWriter } from "./bytes.ts";
import { UpdateBit } from "./player-opcodes.ts";

const U32 = 0xffffffff;
const MAX_HANDLE = 65535;

export interface SpawnRecord {
  handle: number;
  id: number;
  kind: number;
  template: number;
  level: number;
  qx: number;
  qy: number;
  heading: number;
  hp: number;
  flags: number;
}

export interface UpdateRecord {
  handle: number;
  mask: number;
  dx: number;
  dy: number;
  heading: number;
  hp: number;
  flags: number;
  level: number;
}

/** The columns a spawn is written from, indexed by slot: the client node's entity table. */
export interface SpawnColumns {
  readonly id: ArrayLike<number>;
  readonly kind: ArrayLike<number>;
  readonly template: ArrayLike<number>;
  readonly level: ArrayLike<number>;
  readonly qx: ArrayLike<number>;
  readonly qy: ArrayLike<number>;
  readonly heading: ArrayLike<number>;
  readonly hp: ArrayLike<number>;
  readonly flags: ArrayLike<number>;
}

/** Every entry starts with the player's handle for the entity; a despawn is the handle alone. */
export const handleBytes = (handle: number): number => varintSize(handle);
export const writeHandle = (w: ByteWriter, handle: number): ByteWriter => w.varint(handle);
export const readHandle = (r: ByteReader): number => r.varint("handle", MAX_HANDLE);

/** A spawn besides its handle, id and template varints: kind, level, x, y, heading, hp, flags. */
const SPAWN_FIXED = 1 + 1 + 2 + 2 + 1 + 1 + 1;

export function spawnBytes(handle: number, id: number, template: number): number {
  return handleBytes(handle) + varintSize(id) + varintSize(template) + SPAWN_FIXED;
}

/** Writes the spawn of slot `s` of `e` under `handle`. */
export function writeSpawn(w: ByteWriter, handle: number, e: SpawnColumns, s: number): void {
  writeHandle(w, handle).varint(e.id[s]!).u8(e.kind[s]!).varint(e.template[s]!).u8(e.level[s]!);
  w.u16(e.qx[s]!).u16(e.qy[s]!).u8(e.heading[s]!).u8(e.hp[s]!).u8(e.flags[s]!);
}

export function readSpawn(r: ByteReader): SpawnRecord {
  return {
    handle: readHandle(r),
    id: r.varint("id", U32),
    kind: r.u8("kind"),
    template: r.varint("template", 65535),
    level: r.u8("level"),
    qx: r.u16("x"),
    qy: r.u16("y"),
    heading: r.u8("heading"),
    hp: r.u8("hp"),
    flags: r.u8("flags"),
  };
}

/** A change (mask and fields) takes at most: the mask, two 3-byte svarints (u16 deltas), four bytes. */
export const MAX_CHANGE_BYTES = 1 + 6 + 4;

/** The mask of a change from one state to another; 0 when nothing differs. */
export function changeMask(dx: number, dy: number, dHeading: boolean, dHp: boolean, dFlags: boolean, dLevel: boolean): number {
  let mask = 0;
  if (dx !== 0 || dy !== 0) mask |= dx >= -8 && dx <= 7 && dy >= -8 && dy <= 7 ? UpdateBit.STEP : UpdateBit.MOVE;
  if (dHeading) mask |= UpdateBit.HEADING;
  if (dHp) mask |= UpdateBit.HP;
  if (dFlags) mask |= UpdateBit.FLAGS;
  if (dLevel) mask |= UpdateBit.LEVEL;
  return mask;
}

/** Bytes of a change: its mask and the fields the mask names. */
export function changeBytes(mask: number, dx: number, dy: number): number {
  let n = 1;
  if (mask & UpdateBit.STEP) n += 1;
  else if (mask & UpdateBit.MOVE) n += varintSize(zigzag(dx)) + varintSize(zigzag(dy));
  if (mask & UpdateBit.HEADING) n++;
  if (mask & UpdateBit.HP) n++;
  if (mask & UpdateBit.FLAGS) n++;
  if (mask & UpdateBit.LEVEL) n++;
  return n;
}

/** Writes a change: the mask, then the fields it names (an update entry is a handle, then this). */
export function writeChange(w: ByteWriter, mask: number, dx: number, dy: number, heading: number, hp: number, flags: number, level: number): void {
  w.u8(mask);
  if (mask & UpdateBit.STEP) w.u8(((dx + 8) << 4) | (dy + 8));
  else if (mask & UpdateBit.MOVE) w.svarint(dx).svarint(dy);
  if (mask & UpdateBit.HEADING) w.u8(heading);
  if (mask & UpdateBit.HP) w.u8(hp);
  if (mask & UpdateBit.FLAGS) w.u8(flags);
  if (mask & UpdateBit.LEVEL) w.u8(level);
}

export function readUpdate(r: ByteReader): UpdateRecord {
  const u: UpdateRecord = { handle: readHandle(r), mask: r.u8("mask"), dx: 0, dy: 0, heading: 0, hp: 0, flags: 0, level: 0 };
  if (u.mask & UpdateBit.STEP) {
    const b = r.u8("step");
    u.dx = (b >> 4) - 8;
    u.dy = (b & 15) - 8;
  } else if (u.mask & UpdateBit.MOVE) {
    u.dx = r.svarint("dx");
    u.dy = r.svarint("dy");
  }
  if (u.mask & UpdateBit.HEADING) u.heading = r.u8("heading");
  if (u.mask & UpdateBit.HP) u.hp = r.u8("hp");
  if (u.mask & UpdateBit.FLAGS) u.flags = r.u8("flags");
  if (u.mask & UpdateBit.LEVEL) u.level = r.u8("level");
  return u;
}
