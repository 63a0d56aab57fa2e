// The hub spreads its players' frames over slots of the tick only when there are enough of them
// to make a burst: each slot is a wakeup of the node and an intents flush that wakes every zone.
import t from "tap";
import { createLog } from "../../common/log.ts";
import { loadConfig } from "../../config/load.ts";
import { RealmHub } from "../../nodes/client/realm-hub.ts";
import { hubPlayer } from "../harness/hub-players.ts";
import { tempDir, type Teardown } from "../harness/realm.ts";
import { writeTestConfig } from "../harness/test-config.ts";

async function hubOf(t: Teardown): Promise<RealmHub> {
  const config = loadConfig(await writeTestConfig(tempDir(t, "realm-slots-")));
  const hub = new RealmHub(config.realms[0]!, "CLIENT-T", createLog("test", "error"), () => {}, undefined);
  t.teardown(() => hub.stop());
  return hub;
}

t.test("fanout slots - players share the tick's first slot until it holds 200, then fill the next", async (t) => {
  const hub = await hubOf(t);
  const players = Array.from({ length: 450 }, (_, i) => hubPlayer(hub, i + 1));
  const inSlot = (s: number): number => players.filter((p) => p.slot === s).length;
  t.same([0, 1, 2, 3, 4].map(inSlot), [200, 200, 50, 0, 0], "200 a slot, in order");
  for (const p of players.slice(0, 100)) hub.remove(p, true);
  const late = hubPlayer(hub, 1000);
  t.equal(late.slot, 0, "a slot with room again takes the next player");
});

t.test("fanout slots - with few players the node wakes once a tick, not once a slot", async (t) => {
  const hub = await hubOf(t);
  for (let i = 1; i <= 3; i++) hubPlayer(hub, i);
  let runs = 0;
  const flush = hub.flushIntents.bind(hub);
  hub.flushIntents = () => {
    runs++;
    flush();
  };
  hub.start();
  await new Promise((r) => setTimeout(r, 1000));
  // 20 ticks a second; five slots a tick would be 100 runs
  t.ok(runs >= 5 && runs <= 30, `${runs} slot runs in one second (ticks at ${hub.realm.tickHz} Hz)`);
});
