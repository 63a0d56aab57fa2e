// One interest group's state for one tick, as the zone publishes it and client nodes read it.
// A fixed-size binary record per entity, quantized for the wire: msgpack-lite decodes a
// 50-entity cell only a few thousand times a second, a fixed layout hundreds of thousands.
//
// Block: header [tick u32][serverTime f64 ms][count u16], then `count` records of 16 bytes:
// [id u32][x u16][y u16][heading u8][kind u8][hp u8][flags u8][template u16][level u8][pad u8]

export const EntityKind = { PLAYER: 1, NPC: 2, LOOT: 3 } as const;
export type EntityKindCode = (typeof EntityKind)[keyof typeof EntityKind];

export const EntityFlag = { MOVING: 1, IN_COMBAT: 2, DEAD: 4, LEAVING: 8 } as const;

const HEADER_BYTES = 14;
const RECORD_BYTES = 16;
/** 4,000 records fit in 64 KiB: more entities than that in one cell means the cell is too big. */
export const MAX_RECORDS = 4000;

/** Quantizes world coordinates to u16 over the world's extent, and back. */
export class Quantizer {
  private readonly sx: number;
  private readonly sy: number;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.sx = 65535 / width;
    this.sy = 65535 / height;
  }

  qx(x: number): number {
    return Math.max(0, Math.min(65535, Math.round(x * this.sx)));
  }
  qy(y: number): number {
    return Math.max(0, Math.min(65535, Math.round(y * this.sy)));
  }
  x(q: number): number {
    return q / this.sx;
  }
  y(q: number): number {
    return q / this.sy;
  }
  /** The largest error quantization adds to a coordinate. */
  get error(): number {
    return Math.max(0.5 / this.sx, 0.5 / this.sy);
  }
}

export function quantizeHeading(radians: number): number {
  const turn = radians / (2 * Math.PI);
  return Math.round((turn - Math.floor(turn)) * 256) & 255;
}

/** One record as a client node reads it (quantized values). */
export interface EntityRecord {
  id: number;
  qx: number;
  qy: number;
  heading: number;
  kind: number;
  hp: number;
  flags: number;
  template: number;
  level: number;
}

/** Bytes of a block of `count` records. */
export const blockBytes = (count: number): number => HEADER_BYTES + count * RECORD_BYTES;

/** A block for `count` records with its header written; the records are the caller's to write. */
export function newBlock(tick: number, serverTime: number, count: number): Buffer {
  const buf = Buffer.allocUnsafe(blockBytes(count));
  buf.writeUInt32LE(tick >>> 0, 0);
  buf.writeDoubleLE(serverTime, 4);
  buf.writeUInt16LE(count, 12);
  return buf;
}

/** The records a block holds, or -1 when its length does not agree with its header (a block from the network is not trusted). */
export function recordCount(buf: Buffer): number {
  if (buf.length < HEADER_BYTES) return -1;
  const count = buf.readUInt16LE(12);
  return buf.length === blockBytes(count) ? count : -1;
}

/** The zone's tick a block belongs to. */
export const blockTick = (buf: Buffer): number => buf.readUInt32LE(0);

/** The zone's clock at that tick, ms since 1970. */
export const blockTime = (buf: Buffer): number => buf.readDoubleLE(4);

/** Reads record `i` of a block into `out` (reused by the caller: no allocation per entity). */
export function readRecord(buf: Buffer, i: number, out: EntityRecord): EntityRecord {
  const o = HEADER_BYTES + i * RECORD_BYTES;
  out.id = buf.readUInt32LE(o);
  out.qx = buf.readUInt16LE(o + 4);
  out.qy = buf.readUInt16LE(o + 6);
  out.heading = buf[o + 8]!;
  out.kind = buf[o + 9]!;
  out.hp = buf[o + 10]!;
  out.flags = buf[o + 11]!;
  out.template = buf.readUInt16LE(o + 12);
  out.level = buf[o + 14]!;
  return out;
}

export function writeRecord(buf: Buffer, i: number, r: EntityRecord): void {
  const o = HEADER_BYTES + i * RECORD_BYTES;
  buf.writeUInt32LE(r.id >>> 0, o);
  buf.writeUInt16LE(r.qx, o + 4);
  buf.writeUInt16LE(r.qy, o + 6);
  buf[o + 8] = r.heading;
  buf[o + 9] = r.kind;
  buf[o + 10] = r.hp;
  buf[o + 11] = r.flags;
  buf.writeUInt16LE(r.template, o + 12);
  buf[o + 14] = r.level;
  buf[o + 15] = 0;
}

export function newRecord(): EntityRecord {
  return { id: 0, qx: 0, qy: 0, heading: 0, kind: 0, hp: 0, flags: 0, template: 0, level: 0 };
}
