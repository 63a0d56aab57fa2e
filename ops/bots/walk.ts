// Walking as the zone allows it (nodes/zone/movement.ts): a character earns its speed in
// distance per second, with one second banked and 15 % slack. Bots walk a tenth under the speed
// characters get (7 units/s, nodes/realm/characters.ts), so timing jitter never reads as a
// speed hack, and never catch up more than half a second in one move after a stall.

const CHARACTER_SPEED = 7;
export const WALK_SPEED = CHARACTER_SPEED * 0.9;
export const MAX_STEP_S = 0.5;

export interface Point {
  x: number;
  y: number;
}

export const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/** The point `step` units from `from` toward `to` (or `to` itself when closer). */
export function stepToward(from: Point, to: Point, step: number): Point {
  const d = distance(from, to);
  if (d <= step) return { x: to.x, y: to.y };
  return { x: from.x + ((to.x - from.x) / d) * step, y: from.y + ((to.y - from.y) / d) * step };
}

/** A point inside [x0, x1) x [y0, y1), `inset` from the edges. */
export function pointIn(random: () => number, x0: number, y0: number, x1: number, y1: number, inset = 1): Point {
  return { x: x0 + inset + random() * (x1 - x0 - 2 * inset), y: y0 + inset + random() * (y1 - y0 - 2 * inset) };
}
