// Interpolation of remote entities (ops/web/sdk/interpolation.ts): drawn between the two updates
// around the render time, the delay following the frame interval, a start from rest not smeared
// over the rest, and only a moving entity extrapolated, briefly, when updates run dry.
import t from "tap";
import { EXTRAPOLATE_MS, Interpolator, MIN_DELAY_MS, Track } from "../../ops/web/sdk/interpolation.ts";

const at = (t: number, x: number, moving = true) => ({ t, x, y: 0, heading: 0, moving });

t.test("interpolation - between the samples around the render time", async (t) => {
  const track = new Track();
  track.push(at(1000, 10), 50);
  track.push(at(1050, 11), 50);
  track.push(at(1100, 12), 50);
  t.equal(track.at(1025)!.x, 10.5);
  t.equal(track.at(1100)!.x, 12);
  t.equal(track.at(900)!.x, 10, "before the first sample: the first");
});

t.test("interpolation - a start from rest moves over one frame, not over the whole rest", async (t) => {
  const track = new Track();
  track.push(at(1000, 10, false), 50);
  track.push(at(5000, 11), 50);
  t.equal(track.at(4900)!.x, 10, "still at rest a frame before the move");
  t.equal(track.at(4975)!.x, 10.5);
});

t.test("interpolation - only a moving entity is extrapolated, and only briefly", async (t) => {
  const moving = new Track();
  moving.push(at(1000, 10), 50);
  moving.push(at(1050, 11), 50);
  t.equal(moving.at(1100)!.x, 12, "one frame past its last update, along its velocity");
  t.equal(moving.at(1050 + EXTRAPOLATE_MS + 1)!.x, 11, "held where it was last seen once the buffer is dry for long");
  const stopped = new Track();
  stopped.push(at(1000, 10), 50);
  stopped.push(at(1050, 11, false), 50);
  t.equal(stopped.at(1100)!.x, 11, "an entity that stopped stays where it stopped");
});

t.test("interpolation - the delay is max(100 ms, 2.5 frame intervals) as frames arrive", async (t) => {
  const i = new Interpolator();
  for (let n = 0; n < 100; n++) i.frame(n * 50, 10_000 + n * 50);
  t.equal(i.delayMs, Math.max(MIN_DELAY_MS, 2.5 * i.frameMs));
  t.ok(Math.abs(i.delayMs - 125) < 2, `20 frames a second: ${i.delayMs.toFixed(1)} ms`);
  for (let n = 100; n < 200; n++) i.frame(n * 200, 20_000 + n * 200);
  t.ok(Math.abs(i.delayMs - 500) < 20, `frames thinned to 5 a second: ${i.delayMs.toFixed(1)} ms`);
  t.ok(Math.abs(i.renderTime(20_000 + 199 * 200) - (199 * 200 - i.delayMs)) < 1, "render time: the newest snapshot's time minus the delay");
});
