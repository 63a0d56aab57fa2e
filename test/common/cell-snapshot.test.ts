// Cell blocks: what the zone writes, the client node reads back, and a block whose length does
// not agree with its header is refused rather than read past its end.
import t from "tap";
import { blockBytes, blockTick, blockTime, newBlock, newRecord, readRecord, recordCount, writeRecord } from "../../common/cell-snapshot.ts";

t.test("cell snapshot - a block reads back its header and records", async (t) => {
  const records = [
    { id: 0xffffffff, qx: 65535, qy: 0, heading: 255, kind: 1, hp: 255, flags: 15, template: 65535, level: 255 },
    { id: 7, qx: 100, qy: 200, heading: 3, kind: 2, hp: 10, flags: 0, template: 4, level: 1 },
  ];
  const block = newBlock(2 ** 32 + 5, 1_700_000_000_123.5, records.length);
  records.forEach((r, i) => writeRecord(block, i, r));
  t.equal(block.length, blockBytes(2));
  t.equal(recordCount(block), 2);
  t.equal(blockTick(block), 5, "the tick is a u32: it wraps");
  t.equal(blockTime(block), 1_700_000_000_123.5);
  t.same(records.map((_, i) => ({ ...readRecord(block, i, newRecord()) })), records);
  t.equal(recordCount(newBlock(1, 0, 0)), 0, "an empty block");
});

t.test("cell snapshot - a block whose length disagrees with its header holds nothing", async (t) => {
  const block = newBlock(1, 0, 3).fill(0, blockBytes(0));
  t.equal(recordCount(block.subarray(0, block.length - 1)), -1, "a record cut short");
  t.equal(recordCount(Buffer.concat([block, Buffer.alloc(16)])), -1, "a record more than it says");
  t.equal(recordCount(block.subarray(0, blockBytes(0) - 1)), -1, "shorter than its header");
  t.equal(recordCount(Buffer.alloc(0)), -1, "empty");
});
