// Where bots go: spread (random points over the whole world), clump (everyone in one cell),
// patrol (back and forth over a zone border, so handoffs happen). Fighting and trading have
// modules of their own. Every bot starts where its character was saved (new characters at a
// zone's centre, nodes/realm/characters.ts) and walks to its behavior's spot at a legal pace.
import { EntityFlag } from "../../common/cell-snapshot.ts";
import type { RealmSpec } from "../../common/topology.ts";
import { startingPoint } from "../../nodes/realm/characters.ts";
import type { Bot, Mind } from "./bot.ts";
import { pointIn, type Point } from "./walk.ts";

/** How far past a zone border a patrol walks before turning back. */
const PATROL_REACH = 40;

export interface Seen {
  id: number;
  kind: number;
  x: number;
  y: number;
  hp: number;
  dead: boolean;
}

/** The entities in the bot's view, in world units. */
export function seenBy(bot: Bot): Seen[] {
  const view = bot.link?.view;
  if (!view) return [];
  const { width, height } = bot.world;
  return [...view.entities().values()].map((e) => ({ id: e.id, kind: e.kind, x: (e.qx * width) / 65535, y: (e.qy * height) / 65535, hp: e.hp, dead: e.hp === 0 || (e.flags & EntityFlag.DEAD) !== 0 }));
}

export class SpreadMind implements Mind {
  constructor(private readonly bot: Bot) {}

  step(): void {
    const { width, height } = this.bot.world;
    if (this.bot.arrived()) this.bot.walkTo(pointIn(this.bot.random, 0, 0, width, height));
  }
}

/** The cell every clumping bot heads for: the one holding the middle of the realm's starting points, so no walk-in is longer than it must be. */
export function clumpCell(realm: RealmSpec): [number, number, number, number] {
  const starts = realm.zones.map((_, i) => startingPoint(realm, i));
  const mx = starts.reduce((s, p) => s + p.x, 0) / starts.length;
  const my = starts.reduce((s, p) => s + p.y, 0) / starts.length;
  const { width, height, cell } = realm.world;
  const x0 = Math.min(width - cell, Math.floor(mx / cell) * cell);
  const y0 = Math.min(height - cell, Math.floor(my / cell) * cell);
  return [x0, y0, x0 + cell, y0 + cell];
}

export class ClumpMind implements Mind {
  private inside = false;

  constructor(
    private readonly bot: Bot,
    private readonly cell: [number, number, number, number],
  ) {}

  step(now: number): void {
    const bot = this.bot;
    const [x0, y0, x1, y1] = this.cell;
    if (!this.inside && bot.x >= x0 && bot.x < x1 && bot.y >= y0 && bot.y < y1) {
      this.inside = true;
      bot.placed(now);
    }
    // milling about inside the cell, a pause now and then
    if (bot.arrived() && bot.random() < 0.2) bot.walkTo(pointIn(bot.random, x0, y0, x1, y1));
  }
}

/** Two points either side of the zone border nearest to `from` (a loop around `from` in a one-zone world). */
function patrolRoute(realm: RealmSpec, from: Point, lane: number): [Point, Point] {
  const { width, height } = realm.world;
  let best: [Point, Point] | undefined;
  let bestD = Infinity;
  const consider = (a: Point, b: Point, at: Point): void => {
    const d = Math.hypot(at.x - from.x, at.y - from.y);
    if (d < bestD) [best, bestD] = [[a, b], d];
  };
  for (const { region } of realm.zones) {
    const [x0, y0, x1, y1] = region;
    if (x1 < width) {
      const y = Math.min(y1 - 1, Math.max(y0 + 1, from.y + lane));
      consider({ x: x1 - PATROL_REACH, y }, { x: x1 + PATROL_REACH, y }, { x: x1, y });
    }
    if (y1 < height) {
      const x = Math.min(x1 - 1, Math.max(x0 + 1, from.x + lane));
      consider({ x, y: y1 - PATROL_REACH }, { x, y: y1 + PATROL_REACH }, { x, y: y1 });
    }
  }
  return best ?? [{ x: Math.max(1, from.x - PATROL_REACH), y: from.y }, { x: Math.min(width - 1, from.x + PATROL_REACH), y: from.y }];
}

export class PatrolMind implements Mind {
  private route: [Point, Point] | undefined;
  private leg = 0;

  constructor(
    private readonly bot: Bot,
    private readonly realm: RealmSpec,
  ) {}

  step(now: number): void {
    const bot = this.bot;
    // lanes a couple of units apart, so patrols do not all walk one line
    this.route ??= patrolRoute(this.realm, bot.spawn ?? bot, ((bot.n % 21) - 10) * 2);
    if (!bot.arrived()) return;
    if (this.leg > 0) bot.placed(now);
    bot.walkTo(this.route[this.leg++ % 2]!);
  }
}
