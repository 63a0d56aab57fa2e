// What a player who sees almost nobody pays per tick (issue #14): the client node's real fanout
// over a mirror fed one walker, in process, each frame decoded as a player would. With the
// version 3 header a frame showing only the player itself walking is 7 bytes (version 2: 15).
import t from "tap";
import { ByteWriter } from "../../common/bytes.ts";
import { newBlock, newRecord, Quantizer, writeRecord } from "../../common/cell-snapshot.ts";
import { decodeServerFrame, encodeServer, WorldHeaderState, type WorldUpdate } from "../../common/player-codec.ts";
import { PlayerOp } from "../../common/player-opcodes.ts";
import { WorldView } from "../../common/player-view.ts";
import { Fanout } from "../../nodes/client/fanout.ts";
import { SentView } from "../../nodes/client/sent-view.ts";
import { WorldMirror } from "../../nodes/client/world-mirror.ts";
import { oneZoneRealm } from "../harness/one-zone-realm.ts";

const SIZE = 4000;
const TICK_MS = 50;
const realm = oneZoneRealm("Bytes", SIZE);
const CELL = realm.world.cell;
const VISION = realm.vision;

/** A zone up for 1000 s, a player who entered 30 s ago: times and ticks of 3-byte varints. */
const ZONE_START = 1_700_000_000_000;
const FIRST_TICK = 20_000;
const EPOCH = ZONE_START + FIRST_TICK * TICK_MS - 30_000;

t.test("world frame bytes - a player who sees only itself walking gets 7-byte frames, and its view follows", async (t) => {
  const q = new Quantizer(SIZE, SIZE);
  const m = new WorldMirror(realm, q, { subscribe: () => {}, unsubscribe: () => {} });
  const fanout = new Fanout(m, VISION);
  const sent = new SentView();
  const w = new ByteWriter();
  const header = new WorldHeaderState();
  const view = new WorldView();
  const r = newRecord();
  for (let cy = 18; cy <= 22; cy++) for (let cx = 18; cx <= 22; cx++) m.want(cy * (SIZE / CELL) + cx, 0);
  let x = 1000;
  let y = 1000;
  let bytes = 0;
  let frames = 0;
  const wrong: string[] = [];
  for (let n = 0; n < 200; n++) {
    const tick = FIRST_TICK + n;
    const now = 1000 + n * TICK_MS;
    // 5.4 units/s: about 4 quanta a tick, so every frame carries the step
    x += 0.25;
    y += 0.1;
    for (let cy = 18; cy <= 22; cy++) {
      for (let cx = 18; cx <= 22; cx++) {
        const here = cx === Math.floor(x / CELL) && cy === Math.floor(y / CELL);
        const block = newBlock(tick, ZONE_START + tick * TICK_MS, here ? 1 : 0);
        if (here) writeRecord(block, 0, Object.assign(r, { id: 1, qx: q.qx(x), qy: q.qy(y), heading: 10, kind: 1, hp: 255, flags: 1, template: 0, level: 10 }));
        m.ingest("Z", cx, cy, block, now);
      }
    }
    m.settle(now);
    if (n === 100) {
      // the player moved to another copy of its zone: the node forgets what it sent, and says so first
      sent.clear();
      w.reset().raw(encodeServer({ op: PlayerOp.SMSG_VIEW_RESET }));
    } else w.reset();
    const worldAt = w.pos;
    fanout.build(sent, x, y, 1000, EPOCH, w);
    const messages = decodeServerFrame(w.take(), header);
    const u = messages.find((msg): msg is { op: typeof PlayerOp.SMSG_WORLD } & WorldUpdate => msg.op === PlayerOp.SMSG_WORLD)!;
    if (messages[0]?.op === PlayerOp.SMSG_VIEW_RESET) view.clear();
    view.apply(u);
    const me = view.get(1);
    // the mirror holds every cell from the second tick on
    if (n >= 2 && (u.time !== tick * TICK_MS + ZONE_START - EPOCH || u.ticks[0]?.[1] !== tick || me?.qx !== q.qx(x) || me.qy !== q.qy(y))) {
      wrong.push(`tick ${tick}: time ${u.time}, ticks ${JSON.stringify(u.ticks)}, at ${me?.qx},${me?.qy}`);
    }
    // the steady state: past the first frames and the reset's
    if (n >= 10 && n !== 100) {
      bytes += w.pos - worldAt;
      frames++;
    }
  }
  t.same(wrong, [], "every frame's time, tick and position read back as the zone had them");
  const mean = bytes / frames;
  t.comment(`mean SMSG_WORLD: ${mean.toFixed(2)} bytes over ${frames} frames (version 2: 15)`);
  t.equal(mean, 7, "opcode, sections, time delta, one update of 3 bytes behind its count");
});
