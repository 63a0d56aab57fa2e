// The player's side of the protocol's state: the view a client rebuilds from SMSG_WORLD
// (handles -> entities, deltas applied to what was received) and the NTP-like clock estimate
// from SMSG_PONG. Bots, tests and benchmarks use these; a game client in another language
// implements the same few rules (common/player-protocol.md).
import { UpdateBit } from "./player-opcodes.ts";
import { WireFormatError, type WorldUpdate } from "./player-codec.ts";
import type { SpawnRecord } from "./world-entries.ts";

export type ViewEntity = Omit<SpawnRecord, "handle">;

export class WorldView {
  private readonly byHandle = new Map<number, ViewEntity>();
  /** Latest tick per zone number that the view reflects. */
  readonly ticks = new Map<number, number>();
  time = 0;
  spawns = 0;
  despawns = 0;

  /** Applies one SMSG_WORLD; throws on a handle the server never spawned (a protocol bug). */
  apply(u: WorldUpdate): void {
    this.time = u.time;
    for (const [zone, tick] of u.ticks) this.ticks.set(zone, tick);
    for (const h of u.despawns) {
      if (!this.byHandle.delete(h)) throw new WireFormatError(`despawn of unknown handle ${h}`);
      this.despawns++;
    }
    for (const s of u.spawns) {
      if (this.byHandle.has(s.handle)) throw new WireFormatError(`spawn on handle ${s.handle} already in use`);
      this.byHandle.set(s.handle, { id: s.id, kind: s.kind, template: s.template, level: s.level, qx: s.qx, qy: s.qy, heading: s.heading, hp: s.hp, flags: s.flags });
      this.spawns++;
    }
    for (const d of u.updates) {
      const e = this.byHandle.get(d.handle);
      if (!e) throw new WireFormatError(`update of unknown handle ${d.handle}`);
      if (d.mask & (UpdateBit.STEP | UpdateBit.MOVE)) {
        e.qx = (e.qx + d.dx) & 0xffff;
        e.qy = (e.qy + d.dy) & 0xffff;
      }
      if (d.mask & UpdateBit.HEADING) e.heading = d.heading;
      if (d.mask & UpdateBit.HP) e.hp = d.hp;
      if (d.mask & UpdateBit.FLAGS) e.flags = d.flags;
      if (d.mask & UpdateBit.LEVEL) e.level = d.level;
    }
  }

  /** A fresh start (after a reconnect the server sends everything again). */
  clear(): void {
    this.byHandle.clear();
    this.ticks.clear();
  }

  get size(): number {
    return this.byHandle.size;
  }

  /** The entities by id. */
  entities(): Map<number, ViewEntity> {
    const out = new Map<number, ViewEntity>();
    for (const e of this.byHandle.values()) out.set(e.id, { ...e });
    return out;
  }

  get(id: number): ViewEntity | undefined {
    for (const e of this.byHandle.values()) if (e.id === id) return e;
    return undefined;
  }
}

/**
 * Clock offset and round trip from ping/pong exchanges (seed 001's NTP-like handshake): with t0
 * the client's send, t1 the server's receive, t2 the server's send and t3 the client's receive,
 * rtt = (t3 - t0) - (t2 - t1) and offset = ((t1 - t0) + (t2 - t3)) / 2. The sample with the
 * smallest rtt is the least skewed by queueing, so it wins.
 */
export class ClockSync {
  rttMs = Infinity;
  offsetMs = 0;
  samples = 0;

  add(t0: number, t1: number, t2: number, t3: number): void {
    const rtt = t3 - t0 - (t2 - t1);
    this.samples++;
    if (rtt > this.rttMs) return;
    this.rttMs = Math.max(0, rtt);
    this.offsetMs = (t1 - t0 + (t2 - t3)) / 2;
  }

  /** The server's clock now, by the client's clock. */
  serverNow(clientNow: number): number {
    return clientNow + this.offsetMs;
  }
}
