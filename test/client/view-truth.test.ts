// The fanout's promise: a player decoding only the deltas holds the same world as the zones,
// checked on every frame of a 30 s walk across a zone border, with players walking in and out
// of sight, leaving the game and entering it, and NPCs wandering.
import t from "tap";
import { EntityFlag, type EntityRecord } from "../../common/cell-snapshot.ts";
import { Op } from "../../common/opcodes.ts";
import { PlayerOp } from "../../common/player-opcodes.ts";
import type { ViewEntity } from "../../common/player-view.ts";
import { KEEP_FACTOR, MIN_CHANGE } from "../../nodes/client/fanout.ts";
import { ClientWorld } from "../harness/client-world.ts";
import type { PlayerBot } from "../harness/player-bot.ts";
import { until } from "../harness/realm.ts";

const WALK_MS = 30_000;
const STEP_MS = 50;
/** Frames right after entering, before the first cells have arrived, are not held against the view. */
const WARMUP_FRAMES = 10;

/** The record of the zone that owns the entity: in a handoff the old zone still lists it for a tick, marked LEAVING. */
function owned(truths: Map<number, EntityRecord>[], id: number): EntityRecord | undefined {
  const all = truths.map((tr) => tr.get(id)).filter((r) => r !== undefined);
  return all.find((r) => !(r.flags & EntityFlag.LEAVING)) ?? all[0];
}

interface Walker {
  bot: PlayerBot;
  entity: number;
  path: (t: number) => [number, number];
}

t.test("client fanout - a player's decoded view equals the zones' truth on every tick of a 30 s walk", async (t) => {
  const w = await ClientWorld.start(t, { npcs: 30, size: 1000 });
  const { q } = w;
  const vision = w.realm.vision;
  const size = w.realm.world.width;
  const walkers: Walker[] = [];
  let start = Date.now();
  const now = (): number => (Date.now() - start) / 1000;
  const walk = async (path: (t: number) => [number, number], label: string): Promise<Walker> => {
    const [x, y] = path(now());
    const p = await w.player(x, y, undefined, label);
    const walker = { bot: p.bot, entity: p.entity, path };
    walkers.push(walker);
    return walker;
  };
  // the observer walks back and forth over the zone border at x = 500
  // everyone walks at 5 units/s or less (characters run at 7): the zones never correct them
  const observer = await walk((s) => [500 + 50 * Math.sin(s / 10), 500], "observer");
  // a companion, a circler, two that walk out of sight and back, one crossing the border the other way
  await walk((s) => [500 + 50 * Math.sin(s / 10) + 10, 510], "companion");
  await walk((s) => [500 + 30 * Math.cos(s / 6), 500 + 30 * Math.sin(s / 6)], "circler");
  await walk((s) => [430 + 5 * s, 470], "away-east");
  await walk((s) => [570 - 5 * s, 530], "away-west");
  await walk((s) => [500, 380 + 5 * Math.abs(((s + 10) % 40) - 20)], "north-south");

  let checks = 0;
  let skipped = 0;
  const errors: string[] = [];
  const pending: Promise<void>[] = [];
  const seen = new Set<number>();
  const compare = (id: number, v: ViewEntity, r: EntityRecord, what: string): void => {
    const dPos = Math.abs(v.qx - r.qx) + Math.abs(v.qy - r.qy);
    const dHead = Math.min((v.heading - r.heading) & 255, (r.heading - v.heading) & 255);
    if (dPos >= MIN_CHANGE || dHead >= 8 || v.hp !== r.hp || v.flags !== r.flags || v.level !== r.level || v.kind !== r.kind || v.template !== r.template) {
      errors.push(`${what}: entity ${id} view ${JSON.stringify(v)} truth ${JSON.stringify(r)}`);
    }
  };
  const check = async (ticks: [number, number][], view: Map<number, ViewEntity>): Promise<void> => {
    const truths: Map<number, EntityRecord>[] = [];
    for (const [z, tick] of ticks) truths.push(await w.truthAt(w.realm.zones[z]!.id, tick));
    const me = owned(truths, observer.entity);
    // the observer itself is between zones (one tick of a handoff): its vision has no centre
    if (!me) return void skipped++;
    checks++;
    const px = q.x(me.qx);
    const py = q.y(me.qy);
    const d2 = (r: { qx: number; qy: number }): number => (q.x(r.qx) - px) ** 2 + (q.y(r.qy) - py) ** 2;
    const what = `frame ticks ${JSON.stringify(ticks)}`;
    for (const tr of truths) {
      for (const [id, r] of tr) {
        if (d2(r) > vision * vision || owned(truths, id) !== r) continue;
        const v = view.get(id);
        if (!v) errors.push(`${what}: entity ${id} at ${Math.sqrt(d2(r)).toFixed(1)} is within vision but not in the view`);
        else compare(id, v, r, what);
      }
    }
    for (const [id, v] of view) {
      seen.add(id);
      const r = owned(truths, id);
      if (!r) {
        // handed from zone to zone: the old zone no longer lists it, the new one not yet
        if (!(v.flags & EntityFlag.LEAVING)) errors.push(`${what}: entity ${id} is in the view but in no zone`);
        continue;
      }
      if (d2(r) > (vision * KEEP_FACTOR) ** 2 + 1) errors.push(`${what}: entity ${id} at ${Math.sqrt(d2(r)).toFixed(1)} is held beyond ${vision * KEEP_FACTOR}`);
      compare(id, v, r, what);
    }
  };
  let framesSinceEnter = 0;
  observer.bot.onWorld = (bot, u) => {
    if (++framesSinceEnter <= WARMUP_FRAMES) return;
    pending.push(check(u.ticks, bot.view.entities()).catch((err: Error) => void errors.push(err.message)));
  };

  start = Date.now();
  let lastLeave = 0;
  let arrivals = 0;
  const timer = setInterval(() => {
    const s = (Date.now() - start) / 1000;
    for (const wk of walkers) {
      if (wk.bot.closed) continue;
      const [x, y] = wk.path(s);
      wk.bot.move(Math.min(size - 1, Math.max(1, x)), Math.min(size - 1, Math.max(1, y)), size, size);
    }
  }, STEP_MS);
  t.teardown(() => clearInterval(timer));
  while (Date.now() - start < WALK_MS) {
    const s = (Date.now() - start) / 1000;
    // every 8 s one of the others leaves the game and a newcomer enters near the observer
    if (s - lastLeave > 8) {
      lastLeave = s;
      const leaving = walkers.find((wk) => wk !== observer && !wk.bot.closed && wk.bot.entered);
      leaving?.bot.send({ op: PlayerOp.CMSG_LEAVE });
      const born = s;
      void walk((x) => [480 + 20 * Math.cos((x - born) / 4), 520 + 20 * Math.sin((x - born) / 4)], `newcomer-${++arrivals}`).catch((err: Error) => errors.push(err.message));
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  clearInterval(timer);
  await Promise.all(pending);

  t.equal(observer.bot.closed, undefined, "the observer was never closed");
  t.ok(checks >= (WALK_MS / STEP_MS) * 0.8, `${checks} frames checked against the zones' records (${skipped} skipped mid-handoff)`);
  t.same(errors.slice(0, 10), [], `no frame differed from the truth beyond ${MIN_CHANGE - 1} quantum (${errors.length} differences)`);
  // at least: two walk out of sight, two of the first leavers were in sight, three newcomers come
  t.ok(observer.bot.view.spawns >= 8 && observer.bot.view.despawns >= 4, `spawns (${observer.bot.view.spawns}) and despawns (${observer.bot.view.despawns}) happened during the walk`);
  t.ok(seen.size >= 8, `${seen.size} different entities were in the observer's view`);

  // standing still, the players' positions settle on the zones' exact positions within quantization
  const still = new Map(walkers.filter((wk) => !wk.bot.closed).map((wk) => [wk.entity, wk]));
  await observer.bot.waitFrames(10);
  await until("the view to settle on the exact truth", 5000, async () => {
    const truth = (await Promise.all(w.realm.zones.map((z) => w.wire.request(z.id, Op.ZONE_TRUTH_REQUEST, {}, 2000)))).flatMap((f) => f.entities);
    const me = truth.find((x) => x.entity === observer.entity);
    if (!me) return undefined;
    const off = [...still.keys()].filter((id) => {
      const v = observer.bot.view.get(id);
      const e = truth.find((x) => x.entity === id);
      if (!e) return false;
      if (!v) return Math.hypot(e.x - me.x, e.y - me.y) <= vision * 0.9;
      return Math.abs(q.x(v.qx) - e.x) > q.error + 1e-9 || Math.abs(q.y(v.qy) - e.y) > q.error + 1e-9;
    });
    return off.length === 0 ? true : undefined;
  });
  t.pass("standing players are in the view at the zones' exact positions, within quantization");
  for (const wk of walkers) wk.bot.close();
});
