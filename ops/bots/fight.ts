// The fight behavior: look around for an NPC (kind 2), walk up to it, strike when the cooldown
// allows (nodes/zone/zone.ts: melee reach 3 units with 20 % slack, one blow a second), and when it
// falls take the loot entity (kind 3) it drops, within the 4 units looting allows. A bot that
// sees no NPC wanders until one comes into view; a dead bot waits to revive.
import { EntityKind } from "../../common/cell-snapshot.ts";
import type { ServerMessage } from "../../common/player-codec.ts";
import { PlayerOp } from "../../common/player-opcodes.ts";
import { seenBy, type Seen } from "./behaviors.ts";
import type { Bot, Mind } from "./bot.ts";
import { distance, pointIn, stepToward, type Point } from "./walk.ts";

const STRIKE_REACH = 2.5;
const STRIKE_EVERY_MS = 1100;
const LOOT_REACH = 2.5;
const LOOT_ASK_EVERY_MS = 1000;
/** How long a bot looks for the drop of its kill before it hunts again. */
const LOOT_SEARCH_MS = 6000;
/** A drop lies where its NPC died. */
const DROP_NEAR_CORPSE = 5;
const WANDER = 80;

export class FightMind implements Mind {
  private prey: number | undefined;
  /** NPCs this bot struck: their deaths are its kills. */
  private readonly struck = new Set<number>();
  private corpse: { at: Point; until: number } | undefined;
  private nextStrikeAt = 0;
  private lootAskedAt = 0;

  constructor(private readonly bot: Bot) {}

  step(now: number): void {
    const bot = this.bot;
    const seen = seenBy(bot);
    if (seen.find((e) => e.id === bot.entity)?.dead) return bot.halt();
    if (this.corpse) return this.loot(now, seen);
    const prey = seen.find((e) => e.id === this.prey);
    if (prey?.dead) {
      if (this.struck.delete(prey.id)) {
        bot.counters.kills++;
        this.corpse = { at: prey, until: now + LOOT_SEARCH_MS };
      }
      this.prey = undefined;
      return;
    }
    if (!prey) return this.hunt(seen);
    if (distance(bot, prey) > STRIKE_REACH) return bot.walkTo(stepToward(prey, bot, 1.5));
    bot.halt();
    if (now >= this.nextStrikeAt) {
      this.nextStrikeAt = now + STRIKE_EVERY_MS;
      bot.send({ op: PlayerOp.CMSG_ATTACK, target: prey.id });
    }
  }

  private hunt(seen: Seen[]): void {
    const bot = this.bot;
    let best: Seen | undefined;
    for (const e of seen) if (e.kind === EntityKind.NPC && !e.dead && (!best || distance(bot, e) < distance(bot, best))) best = e;
    this.prey = best?.id;
    if (!best && bot.arrived()) {
      const { width, height } = bot.world;
      bot.walkTo(pointIn(bot.random, Math.max(0, bot.x - WANDER), Math.max(0, bot.y - WANDER), Math.min(width, bot.x + WANDER), Math.min(height, bot.y + WANDER)));
    }
  }

  private loot(now: number, seen: Seen[]): void {
    const bot = this.bot;
    const corpse = this.corpse!;
    if (now > corpse.until) {
      this.corpse = undefined;
      return;
    }
    const drop = seen.find((e) => e.kind === EntityKind.LOOT && distance(e, corpse.at) <= DROP_NEAR_CORPSE);
    if (!drop) return;
    if (distance(bot, drop) > LOOT_REACH) return bot.walkTo(drop);
    bot.halt();
    if (now - this.lootAskedAt >= LOOT_ASK_EVERY_MS) {
      this.lootAskedAt = now;
      bot.send({ op: PlayerOp.CMSG_LOOT, target: drop.id });
    }
  }

  heard(m: ServerMessage): void {
    if (m.op === PlayerOp.SMSG_COMBAT && m.from === this.bot.entity && m.amount > 0) this.struck.add(m.target);
    else if (m.op === PlayerOp.SMSG_LOOT) this.corpse = undefined;
    else if (m.op === PlayerOp.SMSG_REFUSED && this.corpse && (m.reason === "not yours yet" || m.reason === "nothing to loot")) this.corpse = undefined;
  }
}
