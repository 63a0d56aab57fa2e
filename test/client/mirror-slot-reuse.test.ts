// An entity that leaves and another that takes its mirror slot in the same tick: every player
// sharing the client node's one fanout must despawn the first and spawn the second, never keep
// the old entity's handle for the new one. Two players, 200 ticks of churn in one cell, every
// frame decoded as a player would; the second gets a frame every third tick only (as a player
// behind on its socket does), so the slot it holds has changed hands by its next frame.
import t from "tap";
import { ByteWriter } from "../../common/bytes.ts";
import { newBlock, newRecord, Quantizer, writeRecord } from "../../common/cell-snapshot.ts";
import { decodeServerFrame, WorldHeaderState, type WorldUpdate } from "../../common/player-codec.ts";
import { PlayerOp } from "../../common/player-opcodes.ts";
import { WorldView } from "../../common/player-view.ts";
import { Fanout } from "../../nodes/client/fanout.ts";
import { SentView } from "../../nodes/client/sent-view.ts";
import { WorldMirror } from "../../nodes/client/world-mirror.ts";
import { oneZoneRealm } from "../harness/one-zone-realm.ts";

const SIZE = 1000;
const realm = oneZoneRealm("Churn", SIZE);
const CELL = realm.world.cell;

t.test("fanout - an entity replaced in its mirror slot within one tick is despawned and the new one spawned, for every player", async (t) => {
  const q = new Quantizer(SIZE, SIZE);
  const m = new WorldMirror(realm, q, { subscribe: () => {}, unsubscribe: () => {} });
  const fanout = new Fanout(m, realm.vision);
  const players = [0, 1].map(() => ({ sent: new SentView(), header: new WorldHeaderState(), view: new WorldView() }));
  const w = new ByteWriter();
  const r = newRecord();
  const cols = SIZE / CELL;
  for (let cy = 8; cy <= 12; cy++) for (let cx = 8; cx <= 12; cx++) m.want(cy * cols + cx, 0);
  const wrong: string[] = [];
  const idsOfSlot = new Map<number, Set<number>>();
  for (let n = 0; n < 200; n++) {
    const tick = 1000 + n;
    // three entities in cell (10, 10); each tick the oldest leaves and a new id arrives (checked
    // once the mirror has settled its first ticks)
    const ids = [n + 1, n + 2, n + 3];
    for (let cy = 8; cy <= 12; cy++) {
      for (let cx = 8; cx <= 12; cx++) {
        const here = cx === 10 && cy === 10;
        const block = newBlock(tick, tick * 50, here ? ids.length : 0);
        if (here) ids.forEach((id, i) => writeRecord(block, i, Object.assign(r, { id, qx: q.qx(510 + i * 10), qy: q.qy(510), heading: 0, kind: 1, hp: 255, flags: 0, template: 0, level: 1 })));
        m.ingest("Z", cx, cy, block, n * 50);
      }
    }
    m.settle(n * 50);
    for (let s = 0; s < m.e.high; s++) if (m.e.alive[s]) (idsOfSlot.get(s) ?? idsOfSlot.set(s, new Set()).get(s)!).add(m.e.id[s]!);
    for (const [k, p] of players.entries()) {
      if (k === 1 && n % 3 !== 0) continue;
      fanout.build(p.sent, 500 + k * 20, 500, 1000, 0, w.reset());
      const u = decodeServerFrame(w.take(), p.header).find((msg): msg is { op: typeof PlayerOp.SMSG_WORLD } & WorldUpdate => msg.op === PlayerOp.SMSG_WORLD)!;
      p.view.apply(u);
      const held = [...p.view.entities().keys()].sort((a, b) => a - b);
      if (n >= 10 && held.join() !== ids.join()) wrong.push(`tick ${tick}, player ${k}: holds ${held.join()}, the zone has ${ids.join()}`);
    }
  }
  t.ok([...idsOfSlot.values()].some((ids) => ids.size > 1), "the mirror did put new entities in the slots of departed ones");
  t.same(wrong, [], "each player's decoded view is the zone's three entities on every tick");
});
