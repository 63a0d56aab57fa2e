// The byte budget: a crowd moving more than fits in a player's budget never makes a frame
// bigger than the budget, every entity keeps getting its turn (held changes age and win), and
// once the crowd stops every change has arrived: the view is exact.
import t from "tap";
import { EntityFlag, type EntityRecord } from "../../common/cell-snapshot.ts";
import { ClientWorld } from "../harness/client-world.ts";
import type { PlayerBot } from "../harness/player-bot.ts";
import { until } from "../harness/realm.ts";

const BUDGET = 80;
const CROWD = 30;
const WALK_MS = 8000;

t.test("client budget - a moving crowd is cut at the budget each tick and nothing is lost for good", async (t) => {
  const w = await ClientWorld.start(t, { budget: BUDGET, npcs: 0, size: 1000 });
  const { realm } = w;
  const size = realm.world.width;
  const observer = await w.player(300, 500, undefined, "observer");
  const crowd: { bot: PlayerBot; entity: number; hx: number; hy: number; phase: number }[] = [];
  for (let i = 0; i < CROWD; i++) {
    const a = (i / CROWD) * 2 * Math.PI;
    const hx = 300 + 25 * Math.cos(a);
    const hy = 500 + 25 * Math.sin(a);
    const p = await w.player(hx + 5, hy, undefined, `crowd-${i}`);
    crowd.push({ ...p, hx, hy, phase: 0 });
  }
  const everyone = new Set([observer.entity, ...crowd.map((c) => c.entity)]);
  await until("the observer to hold the whole crowd", 10_000, () => (observer.bot.view.size === everyone.size ? true : undefined));

  let frames = 0;
  let overBudget = 0;
  let largest = 0;
  let heldFrames = 0;
  const lastExact = new Map<number, number>();
  let worstWait = 0;
  const pending: Promise<void>[] = [];
  observer.bot.onWorld = (bot, u, bytes) => {
    const n = ++frames;
    largest = Math.max(largest, bytes);
    if (bytes > BUDGET) overBudget++;
    const view = bot.view.entities();
    pending.push(
      (async () => {
        const truth = new Map<number, EntityRecord>();
        for (const [z, tick] of u.ticks) for (const [id, r] of await w.truthAt(realm.zones[z]!.id, tick)) if (!(r.flags & EntityFlag.LEAVING) || !truth.has(id)) truth.set(id, r);
        let behind = 0;
        for (const id of everyone) {
          const v = view.get(id);
          const r = truth.get(id);
          if (!v || !r) continue;
          if (Math.abs(v.qx - r.qx) + Math.abs(v.qy - r.qy) <= 1) lastExact.set(id, n);
          else behind++;
          worstWait = Math.max(worstWait, n - (lastExact.get(id) ?? n));
        }
        if (behind > 0) heldFrames++;
      })(),
    );
  };

  const start = Date.now();
  const timer = setInterval(() => {
    const s = (Date.now() - start) / 1000;
    // 5 units/s around a small circle each: every entity changes every tick
    for (const c of crowd) c.bot.move(c.hx + 5 * Math.cos(s), c.hy + 5 * Math.sin(s), size, size);
  }, 50);
  t.teardown(() => clearInterval(timer));
  await new Promise((r) => setTimeout(r, WALK_MS));
  clearInterval(timer);
  const walkFrames = frames;
  await Promise.all(pending);

  t.equal(overBudget, 0, `no SMSG_WORLD over ${BUDGET} bytes (largest ${largest}, ${walkFrames} frames)`);
  t.ok(heldFrames > walkFrames / 2, `the crowd needs more than the budget: changes were held back in ${heldFrames} of ${walkFrames} frames`);
  t.ok(worstWait <= 20, `every crowd member was brought up to date at least every ${worstWait} frames (ageing priority, no starvation)`);

  // standing still: every held change arrives, the view becomes exact
  const settled = await until("the view to equal the zones' records exactly", 5000, async () => {
    const f = observer.bot.frames.at(-1)?.world;
    if (!f) return undefined;
    const view = observer.bot.view.entities();
    const truth = new Map<number, EntityRecord>();
    for (const [z, tick] of f.ticks) for (const [id, r] of await w.truthAt(realm.zones[z]!.id, tick)) truth.set(id, r);
    const off = [...everyone].filter((id) => {
      const v = view.get(id);
      const r = truth.get(id);
      return !v || !r || v.qx !== r.qx || v.qy !== r.qy || v.heading !== r.heading;
    });
    return off.length === 0 ? frames - walkFrames : undefined;
  });
  t.pass(`${settled} frames after the crowd stopped, the observer's view equals the truth exactly: no change was lost`);
  t.equal(overBudget, 0, "and no frame went over the budget while catching up");
  for (const c of [observer, ...crowd]) c.bot.close();
});
