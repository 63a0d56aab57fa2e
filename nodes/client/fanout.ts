// Builds one player's SMSG_WORLD for this tick: despawns, spawns and deltas against what the
// player was last sent, ordered by importance (size of change x nearness x time owed) and cut at
// the player's byte budget. What is cut stays owed and ages, so it wins a later tick: no change
// is lost for good. A move or turn below the threshold waits while the entity is still moving
// (the next step makes it bigger) and is sent once it stops, so the view settles exactly.
import type { ByteWriter } from "../../common/bytes.ts";
import { WorldSection } from "../../common/player-opcodes.ts";
import { changeBytes, changeMask, handleBytes, spawnBytes, writeChange, writeHandle, writeSpawn } from "../../common/world-entries.ts";
import { DELTA_SLOT, headingDiff, WEIGHT } from "./entity-table.ts";
import type { SentView } from "./sent-view.ts";
import type { WorldMirror } from "./world-mirror.ts";

/** A move of fewer quanta than this (|dx| + |dy|, heading weighed in) is held back while moving. */
export const MIN_CHANGE = 2;
/** An entity stays in view until this much beyond the vision radius, so one at the edge does not flicker. */
export const KEEP_FACTOR = 1.1;
const SPAWN_SCORE = 1000;
const DESPAWN = 0;
const SPAWN = 1;
const UPDATE = 2;
const BUCKETS = 96;

interface FrameStats {
  bytes: number;
  spawns: number;
  despawns: number;
  updates: number;
  /** Entities owed a change that did not fit this tick. */
  held: number;
}

export class Fanout {
  // candidates of the frame being built, reused across players: no allocation per entity
  private kind = new Uint8Array(1024);
  private ref = new Int32Array(1024);
  private score = new Float32Array(1024);
  private size = new Uint16Array(1024);
  private take = new Uint8Array(1024);
  private n = 0;
  /**
   * Per mirror slot, the build that found the player holding its entity. One array for all
   * players, not one per player: per player it was O(players x entities) memory, and a cache miss
   * per entity looked at.
   */
  private heldAt = new Uint32Array(1024);
  private builds = 0;
  private readonly bucketBytes = new Float64Array(BUCKETS);
  private readonly zoneSeen: Uint8Array;
  // the zones a frame reflects and their ticks, reused across players
  private readonly frameZones: number[] = [];
  private readonly frameTicks: number[] = [];
  readonly stats: FrameStats = { bytes: 0, spawns: 0, despawns: 0, updates: 0, held: 0 };

  constructor(
    private readonly m: WorldMirror,
    private readonly vision: number,
  ) {
    this.zoneSeen = new Uint8Array(m.zones.length);
  }

  /** Makes room for `n` candidates. */
  private reserve(n: number): void {
    if (n <= this.kind.length) return;
    const cap = Math.max(n, this.kind.length * 2);
    this.kind = new Uint8Array(cap);
    this.ref = new Int32Array(cap);
    this.score = new Float32Array(cap);
    this.size = new Uint16Array(cap);
    this.take = new Uint8Array(cap);
  }

  /** Appends this tick's SMSG_WORLD for a player at (px, py) to `w`; `epoch` is the player's time origin. */
  build(v: SentView, px: number, py: number, budget: number, epoch: number, w: ByteWriter): FrameStats {
    const m = this.m;
    const e = m.e;
    if (this.heldAt.length < e.capacity) this.heldAt = new Uint32Array(Math.max(e.capacity, this.heldAt.length * 2));
    // stamps never repeat within the array's life: at the wrap it starts over
    if (++this.builds === 0xffffffff) {
      this.heldAt.fill(0);
      this.builds = 1;
    }
    const stamp = this.builds;
    const heldAt = this.heldAt;
    v.frames++;
    this.n = 0;
    const keep2 = (this.vision * KEEP_FACTOR) ** 2;
    const see2 = this.vision * this.vision;

    // room for every candidate up front, so the loops below write straight into the arrays
    const cell = m.realm.world.cell;
    const cx0 = Math.max(0, Math.floor((px - this.vision) / cell));
    const cx1 = Math.min(m.cols - 1, Math.floor((px + this.vision) / cell));
    const cy0 = Math.max(0, Math.floor((py - this.vision) / cell));
    const cy1 = Math.min(m.rows - 1, Math.floor((py + this.vision) / cell));
    let most = v.high;
    for (let cy = cy0; cy <= cy1; cy++) for (let cx = cx0; cx <= cx1; cx++) most += m.members[cy * m.cols + cx]!.length;
    this.reserve(most);
    const kind = this.kind;
    const ref = this.ref;
    const score = this.score;
    const size = this.size;
    let n = 0;
    const ex = e.x;
    const ey = e.y;
    const alive = e.alive;
    const egen = e.gen;
    const ever = e.ver;
    const eprev = e.prevVer;
    const vslot = v.slot;
    const vgen = v.gen;
    const vver = v.ver;
    const owed = v.owedSince;
    const vision = this.vision;

    // pass 1, what the player holds: gone or out of range -> despawn; changed -> candidate
    for (let h = 0; h < v.high; h++) {
      const s = vslot[h]!;
      if (s < 0) continue;
      if (egen[s] === vgen[h]) heldAt[s] = stamp;
      const dx = ex[s]! - px;
      const dy = ey[s]! - py;
      const d2 = dx * dx + dy * dy;
      if (!alive[s] || egen[s] !== vgen[h] || d2 > keep2) {
        // the slot keeps its handle until the despawn is written: no second handle for one entity
        kind[n] = DESPAWN;
        ref[n] = h;
        score[n] = Infinity;
        size[n++] = handleBytes(h);
        continue;
      }
      const sent = vver[h]!;
      if (sent === ever[s]) continue;
      let mag: number;
      let bytes: number;
      let minor: boolean;
      if (sent === eprev[s]) {
        // in step with the previous state: the change was diffed and encoded once, for everyone
        mag = e.deltaMag[s]!;
        bytes = handleBytes(h) + e.deltaLen[s]!;
        minor = e.deltaMinor[s] === 1;
      } else {
        const ddx = e.qx[s]! - v.qx[h]!;
        const ddy = e.qy[s]! - v.qy[h]!;
        const dHp = e.hp[s] !== v.hp[h];
        const dF = e.flags[s] !== v.flags[h];
        const dL = e.level[s] !== v.level[h];
        const hd = headingDiff(e.heading[s]!, v.heading[h]!);
        const mask = changeMask(ddx, ddy, hd !== 0, dHp, dF, dL);
        if (mask === 0) {
          vver[h] = ever[s]!;
          continue;
        }
        mag = Math.abs(ddx) + Math.abs(ddy) + hd * WEIGHT.headingPerUnit + (dHp ? WEIGHT.hp : 0) + (dF ? WEIGHT.flags : 0) + (dL ? WEIGHT.level : 0);
        bytes = handleBytes(h) + changeBytes(mask, ddx, ddy);
        minor = !dHp && !dF && !dL;
      }
      if (minor && mag < MIN_CHANGE && m.moving(s)) continue;
      if (owed[h] === 0) owed[h] = v.frames;
      const age = v.frames - owed[h]!;
      kind[n] = UPDATE;
      ref[n] = h;
      score[n] = ((mag + 1) * vision * (1 + age)) / (vision + Math.sqrt(d2));
      size[n++] = bytes;
    }

    // pass 2, what the player does not hold yet: entities within vision in the cells around it
    // the handle is allocated when written; high + 128 bounds it for any frame's spawns
    const handleBound = v.high + 128;
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const list = m.members[cy * m.cols + cx]!;
        for (let i = 0; i < list.length; i++) {
          const s = list[i]!;
          // a handle still on the slot's previous entity did not mark it: it is despawned in this same frame, before the spawns
          if (heldAt[s] === stamp) continue;
          const dx = ex[s]! - px;
          const dy = ey[s]! - py;
          const d2 = dx * dx + dy * dy;
          if (d2 > see2) continue;
          kind[n] = SPAWN;
          ref[n] = s;
          score[n] = (SPAWN_SCORE * vision) / (vision + Math.sqrt(d2));
          size[n++] = spawnBytes(handleBound, e.id[s]!, e.template[s]!);
        }
      }
    }
    this.n = n;
    return this.write(v, budget, epoch, this.zonesAround(px, py), w);
  }

  /** Marks the zones whose cells are within the keep radius: the ticks the frame reflects. */
  private zonesAround(px: number, py: number): Uint8Array {
    const m = this.m;
    const seen = this.zoneSeen.fill(0);
    const cell = m.realm.world.cell;
    const r = this.vision * KEEP_FACTOR;
    const cx0 = Math.max(0, Math.floor((px - r) / cell));
    const cx1 = Math.min(m.cols - 1, Math.floor((px + r) / cell));
    const cy0 = Math.max(0, Math.floor((py - r) / cell));
    const cy1 = Math.min(m.rows - 1, Math.floor((py + r) / cell));
    for (let cy = cy0; cy <= cy1; cy++) for (let cx = cx0; cx <= cx1; cx++) seen[m.cellZone[cy * m.cols + cx]!] = 1;
    return seen;
  }

  private write(v: SentView, budget: number, epoch: number, zones: Uint8Array, w: ByteWriter): FrameStats {
    const m = this.m;
    const e = m.e;
    const start = w.pos;
    let time = 0;
    const frameZones = this.frameZones;
    const frameTicks = this.frameTicks;
    frameZones.length = 0;
    frameTicks.length = 0;
    for (let z = 0; z < m.zones.length; z++) {
      if (!zones[z] || m.tickOf(z) < 0) continue;
      frameZones.push(z);
      frameTicks.push(m.tickOf(z));
      time = Math.max(time, m.timeOf(z));
    }
    const sectionsAt = v.header.write(w, Math.max(0, (time || Date.now()) - epoch), frameZones, frameTicks);
    // three counts of at most two bytes each
    const room = budget - (w.pos - start) - 6;
    const held = this.choose(room);
    let despawns = 0;
    let spawns = 0;
    let updates = 0;
    for (let i = 0; i < this.n; i++) {
      if (!this.take[i]) continue;
      if (this.kind[i] === DESPAWN) despawns++;
      else if (this.kind[i] === SPAWN) spawns++;
      else updates++;
    }
    // an empty section is left out: the sections byte says which follow
    w.buf[sectionsAt]! |= (despawns > 0 ? WorldSection.DESPAWNS : 0) | (spawns > 0 ? WorldSection.SPAWNS : 0) | (updates > 0 ? WorldSection.UPDATES : 0);
    if (despawns > 0) w.varint(despawns);
    for (let i = 0; i < this.n; i++) {
      if (this.take[i] && this.kind[i] === DESPAWN) {
        writeHandle(w, this.ref[i]!);
        v.release(this.ref[i]!);
      }
    }
    if (spawns > 0) w.varint(spawns);
    for (let i = 0; i < this.n; i++) {
      if (!this.take[i] || this.kind[i] !== SPAWN) continue;
      const s = this.ref[i]!;
      const h = v.allocate(s, e.gen[s]!);
      writeSpawn(w, h, e, s);
      remember(v, h, m, s);
    }
    if (updates > 0) w.varint(updates);
    for (let i = 0; i < this.n; i++) {
      if (!this.take[i] || this.kind[i] !== UPDATE) continue;
      const h = this.ref[i]!;
      const s = v.slot[h]!;
      writeHandle(w, h);
      if (v.ver[h] === e.prevVer[s]) {
        w.raw(e.delta, s * DELTA_SLOT, s * DELTA_SLOT + e.deltaLen[s]!);
      } else {
        const dx = e.qx[s]! - v.qx[h]!;
        const dy = e.qy[s]! - v.qy[h]!;
        const mask = changeMask(dx, dy, e.heading[s] !== v.heading[h], e.hp[s] !== v.hp[h], e.flags[s] !== v.flags[h], e.level[s] !== v.level[h]);
        writeChange(w, mask, dx, dy, e.heading[s]!, e.hp[s]!, e.flags[s]!, e.level[s]!);
      }
      remember(v, h, m, s);
    }
    const st = this.stats;
    st.bytes = w.pos - start;
    st.spawns = spawns;
    st.despawns = despawns;
    st.updates = updates;
    st.held = held;
    return st;
  }

  /** Marks what fits in `room` bytes: despawns first (they free the player's memory), then by score; returns how many wait. */
  private choose(room: number): number {
    let total = 0;
    let held = 0;
    for (let i = 0; i < this.n; i++) {
      this.take[i] = 1;
      if (this.kind[i] !== DESPAWN) continue;
      if (this.size[i]! <= room) room -= this.size[i]!;
      else {
        this.take[i] = 0;
        held++;
      }
    }
    for (let i = 0; i < this.n; i++) if (this.kind[i] !== DESPAWN) total += this.size[i]!;
    if (total <= room) return held;
    // a partial selection by score buckets (log scale), not a sort: O(candidates)
    const bytes = this.bucketBytes.fill(0);
    for (let i = 0; i < this.n; i++) if (this.kind[i] !== DESPAWN) bytes[bucketOf(this.score[i]!)]! += this.size[i]!;
    let cut = BUCKETS - 1;
    let used = 0;
    while (cut >= 0 && used + bytes[cut]! <= room) used += bytes[cut--]!;
    for (let i = 0; i < this.n; i++) {
      if (this.kind[i] === DESPAWN) continue;
      const b = bucketOf(this.score[i]!);
      if (b > cut) continue;
      if (b === cut && used + this.size[i]! <= room) {
        used += this.size[i]!;
        continue;
      }
      this.take[i] = 0;
      held++;
    }
    return held;
  }
}

function bucketOf(score: number): number {
  if (!(score > 1)) return 0;
  return Math.min(BUCKETS - 1, Math.floor(Math.log2(score) * 4));
}

/** The player now holds the entity's current state. */
function remember(v: SentView, h: number, m: WorldMirror, s: number): void {
  const e = m.e;
  v.ver[h] = e.ver[s]!;
  v.qx[h] = e.qx[s]!;
  v.qy[h] = e.qy[s]!;
  v.heading[h] = e.heading[s]!;
  v.hp[h] = e.hp[s]!;
  v.flags[h] = e.flags[s]!;
  v.level[h] = e.level[s]!;
  v.owedSince[h] = 0;
}
