// What one player has been sent: a small handle per entity it sees (so an update names the
// entity in one byte, not four) and the quantized fields as the player last received them.
// Deltas are against these fields, never against the zone's previous tick: what the budget held
// back is still owed, and it is sent as soon as there is room (the WebSocket is reliable).
import { WorldHeaderState } from "../../common/world-header.ts";

export class SentView {
  /** Per handle: mirror slot (-1: free), its generation, the entity version sent (0: fields only). */
  slot = new Int32Array(64).fill(-1);
  gen = new Uint32Array(64);
  ver = new Uint32Array(64);
  qx = new Uint16Array(64);
  qy = new Uint16Array(64);
  heading = new Uint8Array(64);
  hp = new Uint8Array(64);
  flags = new Uint8Array(64);
  level = new Uint8Array(64);
  /** Frame number when a change was first held back (0: nothing owed), for its ageing priority. */
  owedSince = new Uint32Array(64);
  /** Handles in use are < `high`. */
  high = 0;
  live = 0;
  /** Lowest handle that may be free: handles stay small, so they stay one-byte varints. */
  private lowestFree = 0;
  /** Frames built for this player. */
  frames = 0;
  /** What the previous SMSG_WORLD's header said: the next one is a delta from it. */
  readonly header = new WorldHeaderState();

  private growHandles(): void {
    const n = this.slot.length * 2;
    const g = <T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(a: T, fill?: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      if (fill !== undefined) b.fill(fill);
      b.set(a);
      return b;
    };
    this.slot = g(this.slot, -1);
    this.gen = g(this.gen);
    this.ver = g(this.ver);
    this.qx = g(this.qx);
    this.qy = g(this.qy);
    this.heading = g(this.heading);
    this.hp = g(this.hp);
    this.flags = g(this.flags);
    this.level = g(this.level);
    this.owedSince = g(this.owedSince);
  }

  /** The handle the next spawn will get (an upper bound on its varint size). */
  peekHandle(): number {
    let h = this.lowestFree;
    while (h < this.high && this.slot[h]! >= 0) h++;
    return h;
  }

  allocate(s: number, gen: number): number {
    const h = this.peekHandle();
    if (h >= this.slot.length) this.growHandles();
    if (h >= this.high) this.high = h + 1;
    this.lowestFree = h + 1;
    this.slot[h] = s;
    this.gen[h] = gen;
    this.owedSince[h] = 0;
    this.live++;
    return h;
  }

  release(h: number): void {
    const s = this.slot[h]!;
    if (s < 0) return;
    this.slot[h] = -1;
    this.live--;
    if (h < this.lowestFree) this.lowestFree = h;
    while (this.high > 0 && this.slot[this.high - 1]! < 0) this.high--;
  }

  /**
   * Forget everything: the next frame is a full state with a whole header. The player hears
   * SMSG_VIEW_RESET (or SMSG_ENTERED on a new connection) before it, and forgets the same.
   */
  clear(): void {
    for (let h = 0; h < this.high; h++) this.release(h);
    this.high = 0;
    this.lowestFree = 0;
    this.header.reset();
  }
}
