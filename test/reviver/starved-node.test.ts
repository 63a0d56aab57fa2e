// A node starved of CPU by a loaded host stops heartbeating, yet works: the reviver must not kill
// it (a restart throws away its players' state in flight and adds load), only say so, and take
// it back when it catches up. A stopped node is still restarted at once (kill-restart.test.ts).
import t from "tap";
import { logFileOf } from "../../common/launch.ts";
import { HEARTBEAT_TIMEOUT_MS } from "../../nodes/reviver/supervisor.ts";
import { readLogLines } from "../harness/node-process.ts";
import { TestRealm, until } from "../harness/realm.ts";
import { starve } from "../harness/starve.ts";

const STARVED_FOR_MS = 6000;

t.test("reviver - a zone starved of CPU for 6 s is waited for, not restarted", async (t) => {
  const realm = await TestRealm.start(t);
  const first = await realm.waitAllUp(90_000);
  const zone = first.nodes.find((n) => n.kind === "zone")!;
  const reviverLog = () => readLogLines(logFileOf(realm.dataDir, first.reviver));

  const stopStarving = starve(t, zone.pid!);
  const starvedAt = Date.now();
  const said = await until("the reviver to find the zone starved", 10_000, () =>
    reviverLog().find((l) => l.event === "node-starved" && l.id === zone.id),
  );
  t.ok(Number(said.silentMs) > HEARTBEAT_TIMEOUT_MS, `silent ${said.silentMs} ms, past the ${HEARTBEAT_TIMEOUT_MS} ms that restarts a hung node`);
  t.ok(Number(said.runShare) < 0.25, `it ran ${(Number(said.runShare) * 100).toFixed(2)} % of the time`);
  const during = (await realm.node(zone.id))!;
  t.match(during.reason, /^starved of CPU/, "realm status says why it is silent");
  await new Promise((r) => setTimeout(r, STARVED_FOR_MS - (Date.now() - starvedAt)));
  stopStarving();

  const caughtUp = await until("the zone heard again", 10_000, () => reviverLog().find((l) => l.event === "node-caught-up" && l.id === zone.id));
  t.ok(Number(caughtUp.silentMs) >= STARVED_FOR_MS / 2, `heard again after ${caughtUp.silentMs} ms of silence`);
  const after = (await realm.node(zone.id))!;
  t.equal(after.pid, zone.pid, "the same process");
  t.equal(after.restarts, zone.restarts, "never restarted");
  t.equal(after.state, "up");
  t.equal(after.reason, undefined, "nothing left to explain");
  t.notOk(reviverLog().some((l) => l.event === "node-crashed" && l.id === zone.id), "no crash logged");

  const { leftovers } = await realm.stop();
  t.same(leftovers, [], "nothing left running");
});
