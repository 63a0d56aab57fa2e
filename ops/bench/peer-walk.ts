// The world and the movement both sides of the peer benchmark share (ours and Colyseus): the
// same scenarios, the same seeded random walk, so the two servers are sent the same moves.
import { quantizeHeading } from "../../common/cell-snapshot.ts";

export const WORLD = 4000;
export const CELL = 50;
export const VISION = 100;
/** A view keeps an entity until it is this far (10 % past vision), as our client node does. */
export const VISION_KEEP = VISION * 1.1;
export const HZ = 20;
export const TICK_MS = 1000 / HZ;
/** The character speed the test world gives every player (test/harness/client-world.ts). */
export const SPEED = 7;
/** The walk's pace, under SPEED so every move passes the zone's movement check. */
export const WALK_SPEED = 5;
export const FULL_HP = 255;

export type ScenarioName = "clumped" | "spread";

/** Where the players walk: [x0, y0, x1, y1]. */
const AREAS: Record<ScenarioName, readonly [number, number, number, number]> = {
  // one cell, away from the border between the two zones of our world
  clumped: [1000, 1000, 1000 + CELL, 1000 + CELL],
  spread: [CELL, CELL, WORLD - CELL, WORLD - CELL],
};

export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** N players walking at WALK_SPEED inside their scenario's area, turning now and then, turning back at its edges. */
export class PeerWalk {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly dir: Float64Array;
  private readonly random: () => number;
  private readonly area: readonly [number, number, number, number];

  constructor(
    readonly count: number,
    scenario: ScenarioName,
    seed = 7,
  ) {
    this.area = AREAS[scenario];
    this.random = seeded(seed);
    this.x = new Float64Array(count);
    this.y = new Float64Array(count);
    this.dir = new Float64Array(count);
    const [x0, y0, x1, y1] = this.area;
    for (let i = 0; i < count; i++) {
      this.x[i] = x0 + this.random() * (x1 - x0);
      this.y[i] = y0 + this.random() * (y1 - y0);
      this.dir[i] = this.random() * 2 * Math.PI;
    }
  }

  /** One tick of walking for everyone. */
  step(): void {
    const step = WALK_SPEED / HZ;
    const [x0, y0, x1, y1] = this.area;
    for (let i = 0; i < this.count; i++) {
      if (this.random() < 1 / (2 * HZ)) this.dir[i] = this.random() * 2 * Math.PI;
      const nx = this.x[i]! + Math.cos(this.dir[i]!) * step;
      const ny = this.y[i]! + Math.sin(this.dir[i]!) * step;
      if (nx < x0 || nx >= x1 || ny < y0 || ny >= y1) {
        // turn back and stand this tick: never a step outside the area
        this.dir[i] = this.dir[i]! + Math.PI;
        continue;
      }
      this.x[i] = nx;
      this.y[i] = ny;
    }
  }

  heading(i: number): number {
    return quantizeHeading(this.dir[i]!);
  }
}
