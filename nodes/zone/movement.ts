// The server's half of movement: a player says where it is, the zone decides whether it could
// have got there. Each player earns distance at its speed as time passes, up to one second's
// worth, so latency jitter (two moves in one tick after a quiet one) passes and a speed hack
// does not. Displacement the server applies itself resets the earnings, so it never trips this.
// A client node that was stalled forwards seconds of moves at once; it says for how long, and
// that time is earned on top of the second banked.
import { MAX_EXCUSED_MS } from "../../common/stalls.ts";
import type { Region } from "./grid.ts";

/** Slack over the character's speed for clock and network jitter. */
const SPEED_TOLERANCE = 0.15;
/** The most distance a player may bank while standing still, in seconds of movement. */
const BANKED_SECONDS = 1;

type MoveVerdict = "ok" | "too-fast" | "out-of-world" | "blocked";

export class Terrain {
  constructor(
    readonly world: Region,
    readonly blocked: readonly Region[],
  ) {}

  inWorld(x: number, y: number): boolean {
    return x >= this.world[0] && y >= this.world[1] && x < this.world[2] && y < this.world[3];
  }

  isBlocked(x: number, y: number): boolean {
    for (const b of this.blocked) if (x >= b[0] && y >= b[1] && x < b[2] && y < b[3]) return true;
    return false;
  }

  /** Whether the straight walk from (x0,y0) to (x1,y1) crosses a blocked area, sampled every unit. */
  pathBlocked(x0: number, y0: number, x1: number, y1: number): boolean {
    if (this.blocked.length === 0) return false;
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    for (let i = 1; i <= steps; i++) {
      const f = i / steps;
      if (this.isBlocked(x0 + (x1 - x0) * f, y0 + (y1 - y0) * f)) return true;
    }
    return false;
  }
}

export class MoveAllowance {
  /** World units the player may still move. */
  banked: number;
  /** World units of a client node's stall, spent after the banked ones: moves that waited unread, not a faster walk. */
  excused = 0;

  constructor(readonly speed: number) {
    this.banked = speed * BANKED_SECONDS;
  }

  /**
   * Time passes: earn distance, capped at one second banked, or at the whole gap when the zone
   * itself was stalled longer: the moves that queued meanwhile cover that much walking.
   */
  earn(seconds: number): void {
    this.banked = Math.min(this.speed * Math.max(BANKED_SECONDS, seconds), this.banked + this.speed * seconds);
  }

  /** The player's client node was stalled this long: the time it walked unread is earned too. */
  excuse(seconds: number): void {
    this.excused = Math.min(this.speed * (MAX_EXCUSED_MS / 1000), this.excused + this.speed * seconds);
  }

  check(terrain: Terrain, x0: number, y0: number, x1: number, y1: number): MoveVerdict {
    if (!Number.isFinite(x1) || !Number.isFinite(y1) || !terrain.inWorld(x1, y1)) return "out-of-world";
    const d = Math.hypot(x1 - x0, y1 - y0);
    if (d > (this.banked + this.excused) * (1 + SPEED_TOLERANCE)) return "too-fast";
    if (terrain.pathBlocked(x0, y0, x1, y1)) return "blocked";
    const fromBank = Math.min(this.banked, d);
    this.banked -= fromBank;
    this.excused = Math.max(0, this.excused - (d - fromBank));
    return "ok";
  }

  /** The server moved the player (teleport, knockback): nothing to hold against it, and no old walk to excuse. */
  reset(): void {
    this.banked = this.speed * BANKED_SECONDS;
    this.excused = 0;
  }
}
