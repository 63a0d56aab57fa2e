// The two binary batches between client nodes and zones: moves in (common/move-batch.ts) and
// cell blocks out (common/cell-batch.ts). What goes in comes out the same, in order; a bad move
// refuses its frame with the record and key named; a cut batch delivers what came before the cut.
import t from "tap";
import { ENTRY_HEADER, readBatch, writeBatch, type BatchEntry } from "../../common/cell-batch.ts";
import { newBlock } from "../../common/cell-snapshot.ts";
import { decodeFrame, encodeFrame } from "../../common/codec.ts";
import { FrameError } from "../../common/errors.ts";
import { MOVE_BYTES, MoveBatch, readMoves } from "../../common/move-batch.ts";
import { Op } from "../../common/opcodes.ts";
import { batchTopic, interestSubscriberAt, interestTopic, isBatchTopic, newTopicAddress, parseTopic } from "../../common/world-address.ts";

function refusal(moves: Buffer): string {
  try {
    decodeFrame(encodeFrame(Op.ZONE_INTENTS, { intents: [], moves }));
  } catch (err) {
    if (err instanceof FrameError) return err.message;
    throw err;
  }
  return "accepted";
}

t.test("binary moves - a batch decodes to the moves written, in order, through a real frame", async (t) => {
  const batch = new MoveBatch();
  // more than the batch's first buffer holds, so it grows
  for (let i = 0; i < 100; i++) batch.add(7 + (i % 3), i, 10.25 + i, -20.5 - i, i % 2 === 0 ? 1.5 : undefined);
  t.equal(batch.size, 100);
  const frame = decodeFrame(encodeFrame(Op.ZONE_INTENTS, { intents: [{ entity: 7, seq: 100, kind: "attack", target: 9 }], moves: batch.take() }));
  t.equal(batch.size, 0, "take empties the batch");
  if (frame.op !== Op.ZONE_INTENTS) throw new Error("wrong op");
  const moves = readMoves(frame.body.moves!);
  t.equal(moves.length, 100);
  t.same(moves[0], { kind: "move", entity: 7, seq: 0, x: 10.25, y: -20.5, heading: 1.5 });
  t.same(moves[1], { kind: "move", entity: 8, seq: 1, x: 11.25, y: -21.5 }, "no heading: no key, as a map without one");
  t.ok(!("heading" in moves[1]!));
  t.same(moves.map((m) => m.seq), Array.from({ length: 100 }, (_, i) => i), "in the order added");
  t.same(frame.body.intents.map((i) => i.kind), ["attack"], "the other intents travel beside them");
});

t.test("binary moves - a bad record refuses the whole frame, naming the record and the key", async (t) => {
  const one = (entity: number, x: number, y: number, heading?: number): Buffer => {
    const b = new MoveBatch();
    b.add(1, 0, 1, 1, undefined);
    b.add(entity, 1, x, y, heading);
    return b.take();
  };
  t.equal(refusal(one(5, 1, 2)), "accepted");
  t.equal(refusal(one(0, 1, 2)), "ZONE_INTENTS body: moves[1].entity: must be at least 1");
  t.match(refusal(one(5, Number.NaN, 2)), /^ZONE_INTENTS body: moves\[1\]\.x: must be a number from -1000000 to 1000000, got NaN$/);
  t.match(refusal(one(5, 1, 2e6)), /^ZONE_INTENTS body: moves\[1\]\.y: must be a number/);
  t.match(refusal(one(5, 1, Number.POSITIVE_INFINITY)), /moves\[1\]\.y/);
  t.match(refusal(one(5, 1, 2, 99)), /^ZONE_INTENTS body: moves\[1\]\.heading: must be a number from -10 to 10, got 99$/);
  t.equal(refusal(one(5, 1, 2).subarray(0, MOVE_BYTES + 5)), `ZONE_INTENTS body: moves: must be whole ${MOVE_BYTES}-byte moves, got ${MOVE_BYTES + 5} bytes`, "truncated");
  t.match(refusal(Buffer.alloc(20_001 * MOVE_BYTES)), /moves: must be at most/, "oversized");
});

t.test("cell batches - entries come back as written; a cut batch delivers the entries before the cut", async (t) => {
  const entries: BatchEntry[] = [
    { copy: 0, cx: 3, cy: 4, block: newBlock(10, 1000, 2) },
    // past 16 bits: realms.yaml allows a world that many cells wide
    { copy: 2, cx: 80_000, cy: 0, block: newBlock(10, 1000, 0) },
    { copy: 70_000, cx: 1, cy: 2, block: newBlock(11, 1001, 5) },
  ];
  const body = writeBatch(entries);
  const seen: BatchEntry[] = [];
  t.equal(readBatch(body, (copy, cx, cy, block) => seen.push({ copy, cx, cy, block: Buffer.from(block) })), 3);
  t.same(seen, entries);
  // where each entry ends: its header, then its block
  const ends = entries.map((_, i) => entries.slice(0, i + 1).reduce((sum, e) => sum + ENTRY_HEADER + e.block.length, 0));
  for (const cut of [1, ENTRY_HEADER, ends[0]! + 3, body.length - 1]) {
    let n = 0;
    t.equal(readBatch(body.subarray(0, cut), () => n++), -1, `cut at ${cut} of ${body.length} bytes is refused`);
    t.equal(n, ends.filter((end) => end <= cut).length, "the whole entries before the cut were delivered");
  }
  const lying = Buffer.from(body);
  lying.writeUInt32LE(0xffffffff, ENTRY_HEADER - 4);
  t.equal(readBatch(lying, () => t.fail("an entry longer than the batch is not read")), -1);
  t.equal(readBatch(Buffer.alloc(0), () => t.fail("no entries")), 0, "an empty batch holds nothing");
});

t.test("batch topics - interest topics name their subscriber and never match a cell's messages", async (t) => {
  const interest = Buffer.from(interestTopic("FORTRAX-ZONE-1~2", 12, 34, "CLIENT-1"));
  const cell = Buffer.from("FORTRAX-ZONE-1~2/12,34/");
  t.equal(interest.toString(), "FORTRAX-ZONE-1~2/12,34/@CLIENT-1");
  const at = interestSubscriberAt(interest);
  t.equal(interest.toString("latin1", at), "CLIENT-1");
  const addr = newTopicAddress();
  t.equal(parseTopic(interest.subarray(0, at - 1), addr), "FORTRAX-ZONE-1~2".length);
  t.same(addr, { copy: 2, everyCell: false, cx: 12, cy: 34 });
  // SUB matches a message whose topic starts with the subscription: the cell's own topic is shorter
  t.notOk(cell.subarray(0, interest.length).equals(interest), "a cell's message does not match an interest topic");
  t.equal(interestSubscriberAt(cell), -1, "a cell topic is no interest");
  t.ok(isBatchTopic(Buffer.from(batchTopic("CLIENT-1"))));
  t.notOk(isBatchTopic(cell));
  t.notOk(Buffer.from(batchTopic("CLIENT-10")).subarray(0, batchTopic("CLIENT-1").length).equals(Buffer.from(batchTopic("CLIENT-1"))), "CLIENT-1's batches are not CLIENT-10's");
});
