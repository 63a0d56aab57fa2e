// Layers: past `layer_players` in a copy of a zone, newcomers play in another copy (zone~k). A
// player sees its own layer only, across the zone border too, and follows its character into
// whichever copy a handoff puts it in.
import t from "tap";
import { ClientWorld } from "../harness/client-world.ts";
import { until } from "../harness/realm.ts";

t.test("client layers - each player sees its own copy of the world, across the zone border", async (t) => {
  const w = await ClientWorld.start(t, { npcs: 0, size: 1000, edit: (doc) => (doc.realms[0].layer_players = 2) });
  const size = w.realm.world.width;
  const a = await w.player(490, 500, undefined, "a");
  const b = await w.player(492, 500, undefined, "b");
  // the zone's first copy is full: c goes to FORTRAX-ZONE-1~1
  const c = await w.player(494, 500, undefined, "c");
  // d is in the other zone, its first copy, 20 units away over the border
  const d = await w.player(510, 500, undefined, "d");
  await until("a to see b and d", 5000, () => (a.bot.view.get(b.entity) && a.bot.view.get(d.entity) ? true : undefined));
  await until("c to see itself", 5000, () => c.bot.view.get(c.entity));
  await Promise.all([a.bot.waitFrames(10), c.bot.waitFrames(10)]);
  t.same([...a.bot.view.entities().keys()].sort(), [a.entity, b.entity, d.entity].sort(), "a sees its layer: b, and d over the border, not c");
  t.same([...c.bot.view.entities().keys()], [c.entity], "c, alone in the second copy, sees only itself");
  // c walks over the border; the other zone has no second copy but room in its first: c lands
  // there (the handoff does not say which copy), so c and d, and a over the border, see each other
  for (let x = 494; x <= 506; x += 0.25) {
    c.bot.move(x, 500, size, size);
    await new Promise((r) => setTimeout(r, 50));
  }
  await until("c and d to see each other", 5000, () => (c.bot.view.get(d.entity) && d.bot.view.get(c.entity) ? true : undefined));
  await until("a to see c", 5000, () => a.bot.view.get(c.entity));
  t.same([...c.bot.view.entities().keys()].sort(), [a.entity, b.entity, c.entity, d.entity].sort(), "c is in the base copy now and sees everyone there");
  for (const p of [a, b, c, d]) p.bot.close();
});
