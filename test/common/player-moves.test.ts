// Move numbering (protocol version 2): a correction puts the prediction where the server holds the
// character and replays only the moves the server had not received, so a client far from the node
// keeps its last steps instead of snapping back; moves sent before a correction carry the old count.
import t from "tap";
import { MoveSequencer } from "../../common/player-moves.ts";

const SIZE = 1000;
const QUANTUM = SIZE / 65535;

t.test("player moves - numbered from 1 after each placing, carrying the corrections applied", async (t) => {
  const m = new MoveSequencer(SIZE, SIZE);
  m.placed(100, 100);
  t.match(m.moveTo(101, 100, 0), { seq: 1, corrections: 0 });
  t.match(m.moveTo(102, 100, 0), { seq: 2, corrections: 0 });
  m.corrected(100, 100, 2);
  t.match(m.moveTo(101, 100, 0), { seq: 3, corrections: 1 }, "a move after a correction says it saw it");
  m.placed(500, 500);
  t.match(m.moveTo(501, 500, 0), { seq: 1, corrections: 0 }, "a new entry numbers from 1 again");
});

t.test("player moves - a correction replays the moves the server had not seen", async (t) => {
  const m = new MoveSequencer(SIZE, SIZE);
  m.placed(100, 100);
  for (let i = 1; i <= 10; i++) m.moveTo(100 + i, 100, 0);
  // the server refused move 4 (blocked at 103) and had received moves up to 6 when it said so
  const replayed = m.corrected(103, 100, 6);
  t.equal(replayed, 4, "moves 7..10 are replayed");
  t.ok(Math.abs(m.x - 107) <= QUANTUM && m.y === 100, `the prediction is the corrected place plus 4 steps (${m.x.toFixed(3)})`);
});

t.test("player moves - a correction after every move was seen is a snap", async (t) => {
  const m = new MoveSequencer(SIZE, SIZE);
  m.placed(10, 10);
  m.moveTo(40, 10, 0);
  t.equal(m.corrected(10.5, 10, 1), 0);
  t.equal([m.x, m.y].join(), "10.5,10");
});

t.test("player moves - the prediction stays inside the world and holds what the server decodes", async (t) => {
  const m = new MoveSequencer(SIZE, SIZE);
  m.placed(999, 999);
  const move = m.moveTo(1200, -5, Math.PI);
  t.equal(move.qx, 65535);
  t.equal(move.qy, 0);
  t.equal(move.heading, 128);
  t.equal([m.x, m.y].join(), "1000,0");
  m.moveTo(10.01234, 20, 0);
  t.equal(m.x, (Math.round((10.01234 * 65535) / SIZE) * SIZE) / 65535, "quantized, as the server will hold it");
});

t.test("player moves - a changed world counts as a correction and quantizes over the new size", async (t) => {
  const m = new MoveSequencer(SIZE, SIZE);
  m.placed(100, 100);
  m.moveTo(101, 100, 0);
  m.worldChanged(400, 400, 20, 20);
  const move = m.moveTo(21, 20, 0);
  t.match(move, { seq: 2, corrections: 1 }, "numbering goes on; the change counts as a correction");
  t.equal(move.qx, Math.round((21 * 65535) / 400), "x is quantized over the dungeon's width");
  t.equal(m.corrected(20, 20, 1), 1, "a correction for a move of the old world replays only the new world's move");
});
