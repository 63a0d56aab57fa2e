// Every entity a client node currently sees in one realm, in typed arrays indexed by a dense
// slot. Each change is diffed and encoded here ONCE (the delta from the entity's previous
// state), and every player who was in step with that previous state reuses the bytes: the
// per-player work is then a compare and a copy (DESIGN "Hot paths").
import type { EntityRecord } from "../../common/cell-snapshot.ts";
import { ByteWriter } from "../../common/bytes.ts";
import { changeMask, MAX_CHANGE_BYTES, writeChange } from "../../common/world-entries.ts";

/** Bytes kept per slot for its encoded delta (one change: mask and fields). */
export const DELTA_SLOT = MAX_CHANGE_BYTES;

/** Importance of a change that is not a step: a player must not miss a death or a heal. */
export const WEIGHT = { hp: 24, flags: 120, level: 60, headingPerUnit: 0.25 } as const;

export function headingDiff(a: number, b: number): number {
  const d = Math.abs(a - b) & 255;
  return d > 128 ? 256 - d : d;
}

export class EntityTable {
  capacity = 0;
  high = 0;
  count = 0;
  readonly byId = new Map<number, number>();
  private readonly free: number[] = [];
  id = new Uint32Array(0);
  /** Bumped when a slot is freed: a player's handle remembers the generation it spawned. */
  gen = new Uint32Array(0);
  alive = new Uint8Array(0);
  zone = new Uint8Array(0);
  /** Global cell the entity is listed in, -1 while unplaced (it left its cell this tick). */
  cell = new Int32Array(0);
  qx = new Uint16Array(0);
  qy = new Uint16Array(0);
  /** The quantized position in world units, kept beside it: distances are taken per player per entity. */
  x = new Float64Array(0);
  y = new Float64Array(0);
  heading = new Uint8Array(0);
  hp = new Uint8Array(0);
  flags = new Uint8Array(0);
  level = new Uint8Array(0);
  kind = new Uint8Array(0);
  template = new Uint16Array(0);
  /** Version of the quantized state; `prevVer` the one before the last change. */
  ver = new Uint32Array(0);
  prevVer = new Uint32Array(0);
  /** The zone commit that last changed it: changed in the latest commit means "still moving". */
  changedAt = new Uint32Array(0);
  /** Encoded delta prevVer -> ver, its length and its importance. */
  delta = new Uint8Array(0);
  deltaLen = new Uint8Array(0);
  deltaMag = new Float32Array(0);
  /** Last change was only a small move or turn (may be held back below the threshold). */
  deltaMinor = new Uint8Array(0);
  /** Block stamp of the last block that listed it, to find who left a cell. */
  stamp = new Uint32Array(0);
  /** Local time it became unplaced; a LEAVING entity is kept a while (it is being handed over). */
  unplacedAt = new Float64Array(0);
  private readonly w = new ByteWriter(DELTA_SLOT);

  /** `unitX`, `unitY`: world units per quantum. */
  constructor(
    private readonly unitX = 1,
    private readonly unitY = 1,
  ) {}

  private grow(min: number): void {
    const cap = Math.max(256, this.capacity * 2, min);
    const g = <T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap * (a === this.delta ? DELTA_SLOT : 1));
      b.set(a);
      return b;
    };
    this.id = g(this.id);
    this.gen = g(this.gen);
    this.alive = g(this.alive);
    this.zone = g(this.zone);
    this.cell = g(this.cell);
    this.qx = g(this.qx);
    this.qy = g(this.qy);
    this.x = g(this.x);
    this.y = g(this.y);
    this.heading = g(this.heading);
    this.hp = g(this.hp);
    this.flags = g(this.flags);
    this.level = g(this.level);
    this.kind = g(this.kind);
    this.template = g(this.template);
    this.ver = g(this.ver);
    this.prevVer = g(this.prevVer);
    this.changedAt = g(this.changedAt);
    this.delta = g(this.delta);
    this.deltaLen = g(this.deltaLen);
    this.deltaMag = g(this.deltaMag);
    this.deltaMinor = g(this.deltaMinor);
    this.stamp = g(this.stamp);
    this.unplacedAt = g(this.unplacedAt);
    this.capacity = cap;
  }

  /** Takes in one record of a block; returns the slot. */
  upsert(r: EntityRecord, zone: number, cell: number, commit: number, stamp: number): number {
    let s = this.byId.get(r.id);
    if (s === undefined) {
      s = this.free.pop() ?? this.high++;
      if (s >= this.capacity) this.grow(s + 1);
      this.byId.set(r.id, s);
      this.count++;
      this.alive[s] = 1;
      this.id[s] = r.id;
      this.kind[s] = r.kind;
      this.template[s] = r.template;
      this.store(s, r);
      this.ver[s] = 1;
      this.prevVer[s] = 0;
      this.deltaLen[s] = 0;
      this.changedAt[s] = commit;
    } else {
      this.change(s, r, commit);
    }
    this.zone[s] = zone;
    this.cell[s] = cell;
    this.stamp[s] = stamp;
    return s;
  }

  /** The record's changing fields, as the players' deltas are computed against them. */
  private store(s: number, r: EntityRecord): void {
    this.qx[s] = r.qx;
    this.qy[s] = r.qy;
    this.x[s] = r.qx * this.unitX;
    this.y[s] = r.qy * this.unitY;
    this.heading[s] = r.heading;
    this.hp[s] = r.hp;
    this.flags[s] = r.flags;
    this.level[s] = r.level;
  }

  private change(s: number, r: EntityRecord, commit: number): void {
    const dx = r.qx - this.qx[s]!;
    const dy = r.qy - this.qy[s]!;
    const dH = r.heading !== this.heading[s];
    const dHp = r.hp !== this.hp[s];
    const dF = r.flags !== this.flags[s];
    const dL = r.level !== this.level[s];
    const mask = changeMask(dx, dy, dH, dHp, dF, dL);
    if (mask === 0) return;
    let mag = Math.abs(dx) + Math.abs(dy);
    if (dH) mag += headingDiff(r.heading, this.heading[s]!) * WEIGHT.headingPerUnit;
    if (dHp) mag += WEIGHT.hp + Math.abs(r.hp - this.hp[s]!) / 4;
    if (dF) mag += WEIGHT.flags;
    if (dL) mag += WEIGHT.level;
    const w = this.w.reset();
    writeChange(w, mask, dx, dy, r.heading, r.hp, r.flags, r.level);
    this.delta.set(w.buf.subarray(0, w.pos), s * DELTA_SLOT);
    this.deltaLen[s] = w.pos;
    this.deltaMag[s] = mag;
    this.deltaMinor[s] = dHp || dF || dL ? 0 : 1;
    this.store(s, r);
    this.prevVer[s] = this.ver[s]!;
    this.ver[s] = this.ver[s]! + 1;
    this.changedAt[s] = commit;
  }

  remove(s: number): void {
    if (!this.alive[s]) return;
    this.byId.delete(this.id[s]!);
    this.alive[s] = 0;
    this.gen[s] = this.gen[s]! + 1;
    this.cell[s] = -1;
    this.count--;
    this.free.push(s);
  }
}
