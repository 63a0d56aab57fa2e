// Players walking back and forth over a zone border are handed over hundreds of times with no
// duplicate, no loss, and every intent sent meanwhile applied exactly once.
import t from "tap";
import { until } from "../harness/realm.ts";
import { ZoneWorld } from "../harness/zone-world.ts";

const PLAYERS = 20;
const HANDOFFS = 200;

t.test("zone handoff - 200 handoffs under continuous movement: none lost, none duplicated, intents applied once", async (t) => {
  const w = await ZoneWorld.start(t);
  const border = w.realm.zones[0]!.region[2];
  const zoneOf = new Map<number, string>();
  const x = new Map<number, number>();
  const dir = new Map<number, number>();
  for (let i = 1; i <= PLAYERS; i++) {
    const start = border - 1.5 + (i % 10) * 0.3;
    zoneOf.set(i, await w.enter(w.player(i, start, 100 + i * 100)));
    x.set(i, start);
    dir.set(i, i % 2 === 0 ? 1 : -1);
  }
  const said = new Set<string>();
  let redirects = 0;
  let seenEvents = 0;
  const follow = (): void => {
    for (; seenEvents < w.events.length; seenEvents++) {
      const e = w.events[seenEvents]!;
      if (e.kind === "redirect") {
        zoneOf.set(e.entity, e.zone);
        redirects++;
      }
    }
  };
  let tick = 0;
  const deadline = Date.now() + 60_000;
  while (redirects < HANDOFFS && Date.now() < deadline) {
    follow();
    for (let i = 1; i <= PLAYERS; i++) {
      let nx = x.get(i)! + dir.get(i)! * 0.3;
      if (nx > border + 1.5 || nx < border - 1.5) {
        dir.set(i, -dir.get(i)!);
        nx = x.get(i)! + dir.get(i)! * 0.3;
      }
      x.set(i, nx);
      w.intent(zoneOf.get(i)!, { entity: i, kind: "move", x: nx, y: 100 + i * 100 });
      if (tick % 3 === i % 3) {
        const text = `p${i}-t${tick}`;
        said.add(text);
        w.intent(zoneOf.get(i)!, { entity: i, kind: "say", text });
      }
    }
    tick++;
    await new Promise((r) => setTimeout(r, 50));
  }
  follow();
  t.ok(redirects >= HANDOFFS, `${redirects} handoffs in ${tick} ticks`);

  const settled = await until("every player owned by exactly one zone, where it last stepped", 10_000, async () => {
    const truths = await Promise.all(w.realm.zones.map((z) => w.truth(z.id)));
    const owners = new Map<number, { zone: string; x: number }[]>();
    truths.forEach((tr, k) => {
      for (const e of tr.entities) {
        if (e.entity > PLAYERS) continue;
        const list = owners.get(e.entity) ?? [];
        list.push({ zone: w.realm.zones[k]!.id, x: e.x });
        owners.set(e.entity, list);
      }
    });
    const ok = [...Array(PLAYERS).keys()].every((k) => {
      const o = owners.get(k + 1);
      return o?.length === 1 && Math.abs(o[0]!.x - x.get(k + 1)!) < 1e-9 && o[0]!.zone === w.zoneAt(x.get(k + 1)!, 0);
    });
    return ok ? owners : undefined;
  });
  t.equal(settled.size, PLAYERS, "no player lost, none duplicated, each at its last position in the zone owning it");

  await until("the last chat lines", 5000, () => {
    follow();
    return w.events.filter((e) => e.kind === "say" && e.from === e.entity).length >= said.size ? true : undefined;
  }).catch(() => undefined);
  const heard = new Map<string, number>();
  for (const e of w.events) if (e.kind === "say" && e.from === e.entity) heard.set(e.text, (heard.get(e.text) ?? 0) + 1);
  const lost = [...said].filter((s) => !heard.has(s));
  const twice = [...heard].filter(([, n]) => n > 1).map(([s]) => s);
  t.same(lost, [], `all ${said.size} chat intents sent across handoffs were applied`);
  t.same(twice, [], "none was applied twice");
});
