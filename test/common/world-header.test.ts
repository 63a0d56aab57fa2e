// SMSG_WORLD's delta header (protocol version 3): what the client node writes from a player's
// WorldHeaderState reads back whole on the player's side, through zone changes and resets, and a
// frame cut short or with bits no version defines is refused by name.
import t from "tap";
import { ByteWriter } from "../../common/bytes.ts";
import { decodeServerFrame, encodeServer, WireFormatError, WorldHeaderState, type WorldUpdate } from "../../common/player-codec.ts";
import { PlayerOp, WorldSection } from "../../common/player-opcodes.ts";

/** One SMSG_WORLD with no entries, as the fanout writes it from `st`. */
function frame(st: WorldHeaderState, time: number, zones: number[], ticks: number[]): Buffer {
  const w = new ByteWriter();
  st.write(w, time, zones, ticks);
  return w.take();
}

function world(frame: Uint8Array, header: WorldHeaderState): WorldUpdate {
  const [m, ...rest] = decodeServerFrame(frame, header);
  if (m?.op !== PlayerOp.SMSG_WORLD || rest.length > 0) throw new Error("not one SMSG_WORLD");
  return m;
}

t.test("world header - times and ticks read back whole; a frame one tick on leaves its zones out", async (t) => {
  const server = new WorldHeaderState();
  const player = new WorldHeaderState();
  const steps: [number, number[], number[]][] = [
    [31_000, [0], [20_000]],
    [31_050, [0], [20_001]],
    [31_100, [0], [20_002]],
    // the view reaches a second zone, whose clock is 3 ms behind: time does not step back
    [31_097, [0, 1], [20_003, 5_000]],
    [31_200, [0, 1], [20_004, 5_001]],
    // a late tick: two ticks in one frame
    [31_300, [0, 1], [20_006, 5_003]],
    // zone 1 out of view, then back: its tick is a delta from the last one named, not from 0
    [31_350, [0], [20_007]],
    [31_400, [0, 1], [20_008, 5_005]],
    // zone 1 restarted and counts from 0 again
    [31_450, [0, 1], [20_009, 2]],
  ];
  const sizes: number[] = [];
  let before = 0;
  for (const [time, zones, ticks] of steps) {
    const bytes = frame(server, time, zones, ticks);
    sizes.push(bytes.length);
    const u = world(bytes, player);
    t.same(u.ticks, zones.map((z, i) => [z, ticks[i]]), `ticks at ${time}`);
    t.equal(u.time, Math.max(before, time), `time at ${time}, never back`);
    before = u.time;
  }
  t.same(sizes.slice(0, 3), [10, 3, 3], "the first frame names its zone whole (time and tick 3 bytes each); the next ones are opcode, sections, time");
  t.equal(sizes[5], 8, "a frame whose ticks do not follow on names its zones, a byte of delta each");
});

t.test("world header - both ends start again at SMSG_ENTERED, SMSG_VIEW_RESET and SMSG_WORLD_CHANGED", async (t) => {
  const resets = [
    encodeServer({ op: PlayerOp.SMSG_ENTERED, entity: 7, zone: 0, qx: 1, qy: 2, resumed: true, token: new Uint8Array(32), epoch: 1_700_000_000_000 }),
    encodeServer({ op: PlayerOp.SMSG_VIEW_RESET }),
    encodeServer({ op: PlayerOp.SMSG_WORLD_CHANGED, dungeon: "crypt", width: 600, height: 300, cell: 50, qx: 3, qy: 4 }),
  ];
  for (const reset of resets) {
    const server = new WorldHeaderState();
    const player = new WorldHeaderState();
    world(frame(server, 40_000, [0, 1], [900, 800]), player);
    world(frame(server, 40_050, [0, 1], [901, 801]), player);
    // the client node clears the player's SentView (its header with it) and queues the reset
    // message, which goes out first in the next frame, before that frame's SMSG_WORLD
    server.reset();
    const after = frame(server, 120, [0], [3]);
    const [first, m] = decodeServerFrame(Buffer.concat([reset, after]), player);
    t.equal(first?.op, reset[0], `op ${reset[0]} decodes`);
    t.same(m?.op === PlayerOp.SMSG_WORLD && [m.time, m.ticks], [120, [[0, 3]]], `after op ${reset[0]} the header starts from nothing`);
    t.same(world(frame(server, 170, [0], [4]), player).ticks, [[0, 4]], "and goes on from there");
  }
  const stale = new WorldHeaderState();
  world(frame(new WorldHeaderState(), 40_000, [0], [900]), stale);
  const fresh = new WorldHeaderState();
  t.not(world(frame(fresh, 120, [0], [3]), stale).time, 120, "a player that missed the reset would read the wrong time: the reset matters");
});

t.test("world header - sections name what follows; an empty section takes no byte", async (t) => {
  const server = new WorldHeaderState();
  const w = new ByteWriter();
  const at = server.write(w, 100, [], []);
  t.equal(w.buf[at], 0, "no zones ever named: nothing to list");
  w.buf[at]! |= WorldSection.DESPAWNS;
  w.varint(1).varint(4);
  const u = world(w.take(), new WorldHeaderState());
  t.same([u.despawns, u.spawns, u.updates, u.ticks], [[4], [], [], []]);
});

t.test("world header - a bad or truncated version 3 frame is refused with the field it failed at", async (t) => {
  const server = new WorldHeaderState();
  const whole = frame(server, 5_000, [0, 2], [300, 70_000]);
  for (let n = 1; n < whole.length; n++) {
    t.throws(() => decodeServerFrame(whole.subarray(0, n), new WorldHeaderState()), WireFormatError, `cut after ${n} of ${whole.length} bytes`);
  }
  t.throws(() => decodeServerFrame(Buffer.from([PlayerOp.SMSG_WORLD, 0x10, 0x00]), new WorldHeaderState()), /sections 16: unknown bits 16/, "a sections bit no version defines");
  // zone 0 at tick 2 by a delta of -3 (svarint 5): a tick before 0
  t.throws(() => decodeServerFrame(Buffer.from([PlayerOp.SMSG_WORLD, WorldSection.ZONES, 0x00, 0x01, 0x00, 0x05]), new WorldHeaderState()), /zone 0: tick -3 out of range/, "a tick below 0");
  t.throws(() => decodeServerFrame(Buffer.from([PlayerOp.SMSG_WORLD, WorldSection.UPDATES, 0x00, 0x01]), new WorldHeaderState()), WireFormatError, "an update section whose entries are missing");
});
