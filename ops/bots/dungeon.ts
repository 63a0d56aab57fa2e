// The dungeon behavior: walk to one of the realm's dungeon entrances (realms.yaml `dungeons`), ask
// in, and once inside fight and loot for a while (the fight behavior's mind, over the dungeon's
// map), then ask out and, back at the entrance, go round again. A queued request waits for its
// turn; a refused one is asked again after a pause, within the client node's request rate.
import type { ClientMessage, ServerMessage } from "../../common/player-codec.ts";
import { DungeonState, PlayerOp } from "../../common/player-opcodes.ts";
import type { DungeonEntrance } from "../../common/topology.ts";
import type { Bot, Mind } from "./bot.ts";
import { FightMind } from "./fight.ts";
import { distance, pointIn } from "./walk.ts";

/** Asking in or out again after this long without an answer or after a refusal (the client node allows one per 2 s). */
const ASK_EVERY_MS = 4000;
/** How long a bot stays inside, fighting: this, plus up to as much again. */
const INSIDE_MS = 20_000;
/** A pause at the entrance before going round again. */
const OUTSIDE_MS = 5000;

type Phase = "walking" | "asking" | "queued" | "inside" | "leaving" | "resting";

export class DungeonMind implements Mind {
  private phase: Phase = "walking";
  private fight: FightMind | undefined;
  private askedAt = 0;
  private until = 0;
  private readonly entrance: DungeonEntrance | undefined;

  constructor(private readonly bot: Bot) {
    const entrances = bot.realm.dungeons;
    this.entrance = entrances[bot.n % Math.max(1, entrances.length)];
  }

  step(now: number): void {
    const bot = this.bot;
    const e = this.entrance;
    // a realm without entrances: nothing to do but stand
    if (!e) return;
    // a resume or a fresh login may put the bot inside or outside whatever this mind thought
    if (bot.dungeon && this.phase !== "inside" && this.phase !== "leaving") this.goneIn(now);
    if (!bot.dungeon && (this.phase === "inside" || this.phase === "leaving")) this.cameOut(now);
    switch (this.phase) {
      case "walking": {
        const [x, y] = e.at;
        const within = e.radius / 2;
        if (distance(bot, { x, y }) <= within) {
          bot.placed(now);
          bot.halt();
          this.phase = "asking";
        } else if (bot.arrived()) bot.walkTo(pointIn(bot.random, x - within / 2, y - within / 2, x + within / 2, y + within / 2));
        return;
      }
      case "asking":
        return this.ask(now, { op: PlayerOp.CMSG_DUNGEON_ENTER, entrance: e.name });
      case "inside":
        this.fight!.step(now);
        if (now >= this.until) this.phase = "leaving";
        return;
      case "leaving":
        bot.halt();
        return this.ask(now, { op: PlayerOp.CMSG_DUNGEON_LEAVE });
      case "resting":
        if (now >= this.until) this.phase = "walking";
        return;
      case "queued":
        return;
    }
  }

  private ask(now: number, m: ClientMessage): void {
    if (now - this.askedAt < ASK_EVERY_MS) return;
    this.askedAt = now;
    this.bot.send(m);
  }

  private goneIn(now: number): void {
    this.phase = "inside";
    this.fight = new FightMind(this.bot);
    this.until = now + INSIDE_MS * (1 + this.bot.random());
    this.askedAt = 0;
  }

  private cameOut(now: number): void {
    this.phase = "resting";
    this.fight = undefined;
    this.until = now + OUTSIDE_MS;
  }

  heard(m: ServerMessage, now: number): void {
    if (m.op === PlayerOp.SMSG_DUNGEON) {
      if (m.state === DungeonState.QUEUED) this.phase = "queued";
      // refused or dropped: ask again after the pause (walking back if it strayed from the entrance)
      else if (m.state === DungeonState.REFUSED || m.state === DungeonState.DROPPED) {
        this.phase = "walking";
        this.askedAt = now;
      }
      return;
    }
    if (m.op === PlayerOp.SMSG_WORLD_CHANGED) return m.dungeon ? this.goneIn(now) : this.cameOut(now);
    if (this.phase === "inside") this.fight?.heard(m);
  }
}
