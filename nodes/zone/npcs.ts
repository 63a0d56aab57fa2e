// Non-player characters: where they spawn, how they wander, chase a player who comes close,
// give up when led too far from home, and come back after dying. Templates are data; the AI is
// a few comparisons per awake NPC per tick.
import { EntityFlag, EntityKind } from "../../common/cell-snapshot.ts";
import type { Entities } from "./entities.ts";

interface NpcTemplate {
  id: number;
  name: string;
  maxHp: number;
  speed: number;
  level: number;
  /** Distance at which it notices a player. */
  aggro: number;
  /** Distance from home past which it gives up the chase. */
  leash: number;
  damage: number;
  attackEveryMs: number;
  respawnMs: number;
  /** Item template dropped on death. */
  loot: number;
}

export const NPC_TEMPLATES: readonly NpcTemplate[] = [
  { id: 1, name: "Wolf", maxHp: 40, speed: 5, level: 2, aggro: 12, leash: 40, damage: 4, attackEveryMs: 1500, respawnMs: 15_000, loot: 101 },
  { id: 2, name: "Boar", maxHp: 60, speed: 4, level: 3, aggro: 8, leash: 30, damage: 6, attackEveryMs: 2000, respawnMs: 20_000, loot: 102 },
  { id: 3, name: "Bandit", maxHp: 80, speed: 6, level: 5, aggro: 15, leash: 50, damage: 8, attackEveryMs: 1800, respawnMs: 30_000, loot: 103 },
];

export const MELEE_RANGE = 3;
const WANDER_RADIUS = 10;

/** Per-NPC state that the snapshot does not carry; indexed by entity slot. */
export class NpcBrains {
  homeX = new Float64Array(0);
  homeY = new Float64Array(0);
  target = new Int32Array(0);
  nextAttackAt = new Float64Array(0);
  nextWanderAt = new Float64Array(0);
  respawnAt = new Float64Array(0);
  readonly slots: number[] = [];

  private ensure(capacity: number): void {
    if (this.homeX.length >= capacity) return;
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.homeX = grow(this.homeX, (n) => new Float64Array(n));
    this.homeY = grow(this.homeY, (n) => new Float64Array(n));
    this.target = grow(this.target, (n) => new Int32Array(n).fill(-1));
    this.nextAttackAt = grow(this.nextAttackAt, (n) => new Float64Array(n));
    this.nextWanderAt = grow(this.nextWanderAt, (n) => new Float64Array(n));
    this.respawnAt = grow(this.respawnAt, (n) => new Float64Array(n));
  }

  spawn(e: Entities, id: number, t: NpcTemplate, x: number, y: number): number {
    const s = e.add(id, EntityKind.NPC, x, y, t.speed, t.maxHp, t.level, t.id);
    this.ensure(e.capacity);
    this.homeX[s] = x;
    this.homeY[s] = y;
    this.target[s] = -1;
    this.nextWanderAt[s] = 0;
    this.respawnAt[s] = 0;
    this.slots.push(s);
    return s;
  }
}

export function templateOf(id: number): NpcTemplate {
  return NPC_TEMPLATES.find((t) => t.id === id) ?? NPC_TEMPLATES[0]!;
}

/** Moves (x,y) of slot `s` toward (tx,ty) by at most `step`; returns the distance left. */
export function stepToward(e: Entities, s: number, tx: number, ty: number, step: number): number {
  const dx = tx - e.x[s]!;
  const dy = ty - e.y[s]!;
  const d = Math.hypot(dx, dy);
  if (d <= step) {
    e.x[s] = tx;
    e.y[s] = ty;
    return 0;
  }
  e.x[s] = e.x[s]! + (dx / d) * step;
  e.y[s] = e.y[s]! + (dy / d) * step;
  e.heading[s] = Math.atan2(dy, dx);
  return d - step;
}

/**
 * One NPC's decision for this tick. `nearestPlayer` finds a living player within a radius.
 * Returns the slot of a player it hits this tick, or -1.
 */
export function thinkNpc(
  e: Entities,
  brains: NpcBrains,
  s: number,
  tick: number,
  now: number,
  dt: number,
  random: () => number,
  nearestPlayer: (x: number, y: number, radius: number) => number,
): number {
  const t = templateOf(e.template[s]!);
  const hx = brains.homeX[s]!;
  const hy = brains.homeY[s]!;
  let target = brains.target[s]!;
  if (target >= 0 && (!e.alive[target] || e.hp[target]! <= 0 || !e.isPlayer(target))) target = -1;
  // looking around costs a scan of nearby players: each NPC does it every 4th tick, staggered
  if (target < 0 && (tick + s) % 4 === 0) {
    target = nearestPlayer(e.x[s]!, e.y[s]!, t.aggro);
  }
  if (target >= 0 && Math.hypot(e.x[s]! - hx, e.y[s]! - hy) > t.leash) {
    // led too far from home: give up and walk back, healed
    target = -1;
    e.hp[s] = e.maxHp[s]!;
    e.tx[s] = hx;
    e.ty[s] = hy;
  }
  brains.target[s] = target;
  e.flags[s] = target >= 0 ? e.flags[s]! | EntityFlag.IN_COMBAT : e.flags[s]! & ~EntityFlag.IN_COMBAT;
  const step = t.speed * dt;
  if (target >= 0) {
    const left = Math.hypot(e.x[target]! - e.x[s]!, e.y[target]! - e.y[s]!);
    if (left > MELEE_RANGE) stepToward(e, s, e.x[target]!, e.y[target]!, Math.min(step, left - MELEE_RANGE * 0.8));
    if (left <= MELEE_RANGE && now >= brains.nextAttackAt[s]!) {
      brains.nextAttackAt[s] = now + t.attackEveryMs;
      return target;
    }
    return -1;
  }
  if (!Number.isNaN(e.tx[s]!)) {
    if (stepToward(e, s, e.tx[s]!, e.ty[s]!, step) === 0) {
      e.tx[s] = NaN;
      e.flags[s] = e.flags[s]! & ~EntityFlag.MOVING;
    } else {
      e.flags[s] = e.flags[s]! | EntityFlag.MOVING;
    }
  } else if (now >= brains.nextWanderAt[s]!) {
    brains.nextWanderAt[s] = now + 3000 + random() * 5000;
    const a = random() * 2 * Math.PI;
    const r = random() * WANDER_RADIUS;
    e.tx[s] = hx + Math.cos(a) * r;
    e.ty[s] = hy + Math.sin(a) * r;
  }
  return -1;
}
