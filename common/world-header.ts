// SMSG_WORLD's header (protocol version 3): one byte naming the sections that follow, then the
// time and the zones' ticks as deltas from the previous SMSG_WORLD on the connection, the zone
// list left out while it only moves on by a tick. A player who sees only itself walking gets
// 7-byte frames instead of 15. Both ends keep a WorldHeaderState and reset it at the same points
// of the stream; the client node writes and players read the header from here, so they agree.
import { WireFormatError, type ByteReader, type ByteWriter } from "./bytes.ts";
import { PlayerOp, WorldSection } from "./player-opcodes.ts";

const U32 = 0xffffffff;
const KNOWN_SECTIONS = WorldSection.DESPAWNS | WorldSection.SPAWNS | WorldSection.UPDATES | WorldSection.ZONES;

/**
 * What the previous SMSG_WORLD of a connection said, which the next one is a delta from. Reset at
 * SMSG_ENTERED, SMSG_VIEW_RESET and SMSG_WORLD_CHANGED (the decoder does it as it reads them);
 * a resume is a new connection, so it starts reset.
 */
export class WorldHeaderState {
  /** The previous frame's time, ms since SMSG_ENTERED.epoch (0 before the first). */
  time = 0;
  /** The zones the previous frame reflected, in its order. */
  readonly zones: number[] = [];
  /** The last tick named per zone number since the reset (absent: 0). */
  private readonly last = new Map<number, number>();

  reset(): void {
    this.time = 0;
    this.zones.length = 0;
    this.last.clear();
  }

  lastTick(zone: number): number {
    return this.last.get(zone) ?? 0;
  }

  /** The frame reflected these zones at these ticks. */
  private named(zones: readonly number[], ticks: readonly number[]): void {
    this.zones.length = 0;
    for (let i = 0; i < zones.length; i++) {
      this.zones.push(zones[i]!);
      this.last.set(zones[i]!, ticks[i]!);
    }
  }

  /** Whether a frame reflecting these zones at these ticks may leave its zone list out. */
  private followsOn(zones: readonly number[], ticks: readonly number[]): boolean {
    if (zones.length !== this.zones.length) return false;
    for (let i = 0; i < zones.length; i++) if (zones[i] !== this.zones[i] || ticks[i] !== this.lastTick(zones[i]!) + 1) return false;
    return true;
  }

  /**
   * Writes SMSG_WORLD's opcode and header for a snapshot at `time` (ms since the epoch) of `zones`
   * at `ticks`; returns the offset of the sections byte, where the caller adds the sections it writes.
   */
  write(w: ByteWriter, time: number, zones: readonly number[], ticks: readonly number[]): number {
    // zones' clocks differ by a few ms: a view moving to another zone must not see time step back
    const t = Math.max(this.time, Math.round(time));
    const listed = !this.followsOn(zones, ticks);
    w.u8(PlayerOp.SMSG_WORLD);
    const at = w.pos;
    w.u8(listed ? WorldSection.ZONES : 0).varint(t - this.time);
    if (listed) {
      w.varint(zones.length);
      for (let i = 0; i < zones.length; i++) w.u8(zones[i]!).svarint(ticks[i]! - this.lastTick(zones[i]!));
    }
    this.time = t;
    this.named(zones, ticks);
    return at;
  }

  /** Reads the header after SMSG_WORLD's opcode: the sections that follow, the time, [zone, tick] pairs. */
  read(r: ByteReader): { sections: number; time: number; ticks: [number, number][] } {
    const sections = r.u8("sections");
    if (sections & ~KNOWN_SECTIONS) throw new WireFormatError(`SMSG_WORLD sections ${sections}: unknown bits ${sections & ~KNOWN_SECTIONS}`);
    const time = this.time + r.varint("time");
    const zones: number[] = [];
    const ticks: number[] = [];
    if (sections & WorldSection.ZONES) {
      for (let n = r.varint("zones", 255); n > 0; n--) {
        const zone = r.u8("zone");
        const tick = this.lastTick(zone) + r.svarint("tick");
        if (tick < 0 || tick > U32) throw new WireFormatError(`SMSG_WORLD zone ${zone}: tick ${tick} out of range (was ${this.lastTick(zone)})`);
        zones.push(zone);
        ticks.push(tick);
      }
    } else {
      for (const zone of this.zones) {
        zones.push(zone);
        ticks.push(this.lastTick(zone) + 1);
      }
    }
    this.time = time;
    this.named(zones, ticks);
    return { sections, time, ticks: zones.map((z, i): [number, number] => [z, ticks[i]!]) };
  }
}
