// A zone node nobody is in or watching rests (one tick a second, so its timers run) and wakes
// at once when a player enters, a client node subscribes to one of its cells, or intents come.
import t from "tap";
import { until } from "../harness/realm.ts";
import { ZoneWorld } from "../harness/zone-world.ts";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test("zone rest - an empty, unwatched zone ticks once a second; a subscription or a player brings back 20 Hz", async (t) => {
  const w = await ZoneWorld.start(t, { npcs: 20 });
  const [one, two] = w.realm.zones;
  const tickOf = async (zone: string): Promise<number> => (await w.truth(zone)).tick;
  /** Ticks the zone ran in `ms`, read from its truth before and after. */
  const rate = async (zone: string, ms: number): Promise<number> => {
    const before = await tickOf(zone);
    await sleep(ms);
    return (await tickOf(zone)) - before;
  };

  await sleep(1200);
  const [restOne, restTwo] = await Promise.all([rate(one!.id, 3000), rate(two!.id, 3000)]);
  t.ok(restOne >= 2 && restOne <= 4, `${one!.id}: ${restOne} ticks in 3 s while empty (resting: about 3)`);
  t.ok(restTwo >= 2 && restTwo <= 4, `${two!.id}: ${restTwo} ticks in 3 s while empty`);

  // a player across the border sees into this zone: its client node subscribes, and the zone wakes
  await w.subscribe(one!.id, 10, 10);
  await until(`${one!.id} awake for its subscriber`, 3000, async () => ((await rate(one!.id, 300)) >= 4 ? true : undefined));
  const watched = await rate(one!.id, 1000);
  t.ok(watched >= 15, `${one!.id}: ${watched} ticks in 1 s with a cell subscribed`);
  t.ok((await rate(two!.id, 2000)) <= 3, `${two!.id}, still unwatched, still rests`);

  // a player entering an empty zone: its first tick comes within a period, not the rest's second
  const p = w.player(7, (two!.region[0] + two!.region[2]) / 2, (two!.region[1] + two!.region[3]) / 2);
  t.ok((await rate(two!.id, 1500)) <= 3, `${two!.id} rests before the player comes`);
  // just after a rest tick, so without a wake the player would wait about a second for the next
  const restTick = await tickOf(two!.id);
  await until("a rest tick", 3000, async () => ((await tickOf(two!.id)) > restTick ? true : undefined));
  const asked = Date.now();
  await w.enter(p);
  await w.waitEvent("entered", "entered", (e) => e.entity === 7, 3000);
  const ms = Date.now() - asked;
  t.ok(ms < 500, `the player's "entered" came ${ms} ms after ZONE_ENTER`);
  const withPlayer = await rate(two!.id, 1000);
  t.ok(withPlayer >= 15, `${two!.id}: ${withPlayer} ticks in 1 s with a player in`);

  // its intents are applied at the full rate
  w.intent(two!.id, { entity: 7, kind: "move", x: p.x + 2, y: p.y });
  await until("the move applied", 2000, async () => {
    const me = (await w.truth(two!.id)).entities.find((e) => e.entity === 7);
    return me && Math.abs(me.x - (p.x + 2)) < 0.01 ? true : undefined;
  });
  t.pass("the move is applied");
});
