// The zone is the authority on movement: what a character could not have done is refused and
// the player corrected; what the server does to a player never counts against it.
import t from "tap";
import { Op } from "../../common/opcodes.ts";
import { until } from "../harness/realm.ts";
import { ZoneWorld } from "../harness/zone-world.ts";

t.test("zone movement - speed hack, teleport, out-of-world and blocked moves are refused and corrected", async (t) => {
  const w = await ZoneWorld.start(t, { edit: (doc) => (doc.realms[0].blocked = [[200, 0, 250, 400]]) });
  const p = w.player(11, 100, 100);
  const zone = await w.enter(p);
  await w.waitEvent("entered", "entered", (e) => e.entity === 11);
  const at = async (): Promise<{ x: number; y: number }> => (await w.truth(zone)).entities.find((e) => e.entity === 11)!;

  w.intent(zone, { entity: 11, kind: "move", x: 103, y: 100 });
  await until("a legal step applied", 3000, async () => ((await at()).x === 103 ? true : undefined));
  t.pass("a step within the character's speed is applied");

  const cases: [string, number, number][] = [
    ["too-fast", 180, 100],
    ["out-of-world", -20, 100],
    ["out-of-world", 103, 99_999],
    ["blocked", 103, 100],
  ];
  for (const [reason, x, y] of cases) {
    const before = await at();
    if (reason === "blocked") {
      // walk to the wall legally first, then try to step through it
      w.events.length = 0;
      w.realmWire.send(zone, Op.ZONE_DISPLACE, { entity: 11, x: 198, y: 100, reason: "test" });
      await w.waitEvent("placed by the wall", "correct", (e) => e.entity === 11 && e.reason === "moved by the server");
      w.events.length = 0;
      w.intent(zone, { entity: 11, kind: "move", x: 203, y: 100 });
    } else {
      w.events.length = 0;
      w.intent(zone, { entity: 11, kind: "move", x, y });
    }
    const ev = await w.waitEvent(`correction for ${reason}`, "correct", (e) => e.entity === 11);
    const now = await at();
    t.equal(ev.reason, reason, `refused as ${reason}`);
    t.same({ x: ev.x, y: ev.y }, { x: now.x, y: now.y }, "the correction carries the server's position");
    if (reason !== "blocked") t.same(now, before, "the position did not change");
  }

  w.events.length = 0;
  w.realmWire.send(zone, Op.ZONE_DISPLACE, { entity: 11, x: 600, y: 600, reason: "knockback" });
  await w.waitEvent("displacement", "correct", (e) => e.entity === 11 && e.reason === "moved by the server");
  w.events.length = 0;
  w.intent(zone, { entity: 11, kind: "move", x: 605, y: 600 });
  await until("a legal step after a teleport", 3000, async () => ((await at()).x === 605 ? true : undefined));
  t.notOk(w.events.some((e) => e.kind === "correct"), "a server teleport never trips the speed check");

  const cell = w.realm.world.cell;
  await w.subscribe(zone, Math.floor(605 / cell), Math.floor(600 / cell));
  const rec = await until("the player in its cell block", 5000, () => w.seen.get(11));
  t.ok(Math.abs(w.q.x(rec.qx) - 605) <= w.q.error && Math.abs(w.q.y(rec.qy) - 600) <= w.q.error, "the published position is the truth within quantization");
});

