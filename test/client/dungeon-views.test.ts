// A hub's views of dungeons, in process over its real cell feed: a view is made when a player
// follows into an instance, the player's cells and intents go to the instance node, and the last
// player out releases the view and every cell it had subscribed.
import t from "tap";
import { createLog } from "../../common/log.ts";
import type { Intent } from "../../common/protocol/zone.ts";
import { loadConfig } from "../../config/load.ts";
import { RealmHub } from "../../nodes/client/realm-hub.ts";
import { hubPlayer } from "../harness/hub-players.ts";
import { tempDir } from "../harness/realm.ts";
import { writeTestConfig } from "../harness/test-config.ts";

t.test("client dungeon views - made for the first player in, released with the last one out", async (t) => {
  const config = loadConfig(await writeTestConfig(tempDir(t, "realm-views-")));
  const realm = config.realms[0]!;
  const sent: [string, Intent[]][] = [];
  const log = createLog("test", "error");
  const hub = new RealmHub(realm, "CLIENT-T", log, (node, intents) => sent.push([node, intents]), undefined, config.instances.pool);
  t.teardown(() => hub.stop());
  const zone = realm.zones[0]!.id;
  const [a, b] = [hubPlayer(hub, 1), hubPlayer(hub, 2)];
  const realmCells = hub.feed.subscribed;
  t.ok(realmCells > 0, "the players' realm cells are subscribed");

  hub.moveToWorld(a, "INSTANCE-1~4", 20, 20, "crypt");
  hub.moveToWorld(b, "INSTANCE-1~4", 30, 20, "crypt");
  t.equal(a.dungeon, b.dungeon, "two players in one instance share one view");
  t.same(a.outsideAt, [100, 100], "where each went in is kept for the way out");
  t.same([a.dungeon?.width, a.dungeon?.height, hub.quantizerOf(a).qx(400)], [400, 400, 65535], "sized from the crypt's map, and so quantized");
  const crypt = hub.viewOf(a).mirror;
  t.ok(a.cells.size > 0 && [...a.cells, ...b.cells].every((c) => crypt.isWanted(c)), "the players hold cells of the crypt");
  t.equal(hub.feed.subscribed, new Set([...a.cells, ...b.cells]).size, "and only those: the realm's cells were let go");
  t.equal(hub.worldOf(a), "INSTANCE-1~4", "the player's world is the instance");
  hub.intent(a, { kind: "dungeon-leave" });
  hub.flushIntents();
  t.same(sent.map(([node, list]) => [node, list.map((i) => i.kind)]), [["INSTANCE-1", ["dungeon-leave"]]], "its intents go to the instance node");

  hub.moveToWorld(a, zone, 100, 100, undefined);
  t.equal(hub.dungeons.size, 1, "the view stays while a player of this node is inside");
  hub.remove(b, false);
  t.equal(hub.dungeons.size, 0, "the last one out (here a drop) releases the view");
  t.equal(hub.feed.subscribed, realmCells, "and every cell of the crypt: only a's realm cells are left");
  t.equal(hub.worldOf(a), zone, "a is back in its zone");
});
