// Crowding: past the threshold newcomers go to another copy of the zone, friends join their
// friend's copy when it has room, and the copies do not see each other.
import t from "tap";
import { worldId } from "../../common/world-address.ts";
import { until } from "../harness/realm.ts";
import { ZoneWorld } from "../harness/zone-world.ts";

t.test("zone layers - a layer opens past the threshold, friends stay together, copies are apart", async (t) => {
  const w = await ZoneWorld.start(t, { edit: (doc) => (doc.realms[0].layer_players = 3) });
  const base = w.realm.zones[0]!.id;
  const worlds: string[] = [];
  for (let i = 1; i <= 3; i++) worlds.push(await w.enter(w.player(i, 100 + i, 100)));
  t.same(worlds, [base, base, base], "the first three players share the zone");
  const fourth = await w.enter(w.player(4, 104, 100));
  const layer = worldId(base, 1);
  t.equal(fourth, layer, "the fourth goes to a new layer");
  t.equal(await w.enter(w.player(5, 105, 100), 4), layer, "a friend of the fourth joins its layer");
  t.equal(await w.enter(w.player(6, 106, 100), 1), layer, "a friend of someone in a full copy goes where there is room");

  const cell = w.realm.world.cell;
  const [cx, cy] = [Math.floor(104 / cell), Math.floor(100 / cell)];
  await w.subscribe(base, cx, cy);
  await w.subscribe(layer, cx, cy);
  await until("both copies published", 5000, () => (w.seen.has(1) && w.seen.has(4) ? true : undefined));
  t.equal(w.seen.get(1)!.zone, base, "players of the zone appear under its topic");
  t.equal(w.seen.get(4)!.zone, layer, "players of the layer under the layer's");

  const truth = await w.truth(base);
  t.same(truth.entities.filter((e) => e.entity <= 6).map((e) => e.entity).sort(), [1, 2, 3, 4, 5, 6], "the node holds all six, each once");
  w.events.length = 0;
  w.intent(fourth, { entity: 4, kind: "say", text: "hello layer" });
  await w.waitEvent("the layer hears its own", "say", (e) => e.entity === 5);
  t.notOk(w.events.some((e) => e.kind === "say" && e.entity <= 3), "the other copy does not hear it");
});
