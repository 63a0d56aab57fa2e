// A player's way through a dungeon in tests: walking at a legal pace, reading its view in the
// units of the world it is in, and fighting an NPC there until its drop is looted.
import { EntityFlag, EntityKind } from "../../common/cell-snapshot.ts";
import type { DungeonMap } from "../../common/dungeons.ts";
import type { ServerMessage } from "../../common/player-codec.ts";
import { PlayerOp } from "../../common/player-opcodes.ts";
import type { PlayerBot } from "./player-bot.ts";
import { until } from "./realm.ts";

/** One step every 50 ms of at most 0.3 units: 6 units/s, within the walking speed. */
const STEP = 0.3;
const STEP_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function waitMessage<O extends ServerMessage["op"]>(bot: PlayerBot, op: O, from: number, ms: number): Promise<Extract<ServerMessage, { op: O }>> {
  return until(`${bot.label} to get opcode ${op}`, ms, () => {
    if (bot.closed) throw new Error(`${bot.label} closed: ${bot.closed.code} ${bot.closed.reason}`);
    return bot.messages.slice(from).find((m): m is Extract<ServerMessage, { op: O }> => m.op === op);
  });
}

/** The entities the bot sees, in the units of the world it is in now. */
export function seen(bot: PlayerBot) {
  const w = bot.moves!;
  return [...bot.view.entities().values()].map((e) => ({ id: e.id, kind: e.kind, x: (e.qx * w.width) / 65535, y: (e.qy * w.height) / 65535, dead: e.hp === 0 || (e.flags & EntityFlag.DEAD) !== 0 }));
}

/** One step toward (x, y); true once within `within`. */
export function stepToward(bot: PlayerBot, x: number, y: number, within: number): boolean {
  const m = bot.moves!;
  const d = Math.hypot(x - m.x, y - m.y);
  if (d <= within) return true;
  const k = Math.min(STEP, d - within / 2) / d;
  bot.moveTo(m.x + (x - m.x) * k, m.y + (y - m.y) * k);
  return false;
}

/** Walks until within `within` of (x, y). */
export function walkTo(bot: PlayerBot, x: number, y: number, within: number, ms = 60_000): Promise<true> {
  return until(`${bot.label} to walk to (${x}, ${y})`, ms, async () => {
    const there = stepToward(bot, x, y, within);
    await sleep(STEP_MS);
    return there || undefined;
  });
}

/** Inside `map`: walks to the nearest NPC in view (wandering until one shows), kills it and loots its drop. */
export async function fightAndLoot(bot: PlayerBot, map: DungeonMap, ms = 120_000): Promise<Extract<ServerMessage, { op: typeof PlayerOp.SMSG_LOOT }>> {
  const deadline = Date.now() + ms;
  let prey: number | undefined;
  let corpse: { x: number; y: number } | undefined;
  let attackedAt = 0;
  let lootAskedAt = 0;
  let wander = { x: map.width / 2, y: map.height / 2 };
  const mark = bot.messages.length;
  const looted = () => bot.messages.slice(mark).find((m): m is Extract<ServerMessage, { op: typeof PlayerOp.SMSG_LOOT }> => m.op === PlayerOp.SMSG_LOOT);
  for (let loot = looted(); !loot; loot = looted()) {
    if (Date.now() > deadline) throw new Error(`${bot.label}: no loot within ${ms} ms: ${JSON.stringify(bot.messages.slice(mark).filter((m) => m.op === PlayerOp.SMSG_REFUSED).slice(-5))}`);
    if (bot.closed) throw new Error(`${bot.label} closed: ${bot.closed.code} ${bot.closed.reason}`);
    const all = seen(bot);
    const now = Date.now();
    if (corpse) {
      const drop = all.find((e) => e.kind === EntityKind.LOOT && Math.hypot(e.x - corpse!.x, e.y - corpse!.y) < 5);
      if (drop && stepToward(bot, drop.x, drop.y, 2) && now - lootAskedAt > 1000) {
        lootAskedAt = now;
        bot.send({ op: PlayerOp.CMSG_LOOT, target: drop.id });
      }
    } else {
      const target = all.find((e) => e.id === prey);
      if (target?.dead) corpse = target;
      else if (!target) {
        const npcs = all.filter((e) => e.kind === EntityKind.NPC && !e.dead);
        const m = bot.moves!;
        npcs.sort((a, b) => Math.hypot(a.x - m.x, a.y - m.y) - Math.hypot(b.x - m.x, b.y - m.y));
        prey = npcs[0]?.id;
        if (prey === undefined && stepToward(bot, wander.x, wander.y, 2)) wander = { x: 20 + Math.random() * (map.width - 40), y: 20 + Math.random() * (map.height - 40) };
      } else if (stepToward(bot, target.x, target.y, 2) && now - attackedAt > 1100) {
        attackedAt = now;
        bot.send({ op: PlayerOp.CMSG_ATTACK, target: target.id });
      }
    }
    await sleep(STEP_MS);
  }
  return looted()!;
}
