// The zone's fixed-rate loop: on the beat of its start, skipping (not bursting) after a slow tick,
// and reporting tick-time percentiles for the heartbeat.
import { performance } from "node:perf_hooks";
import t from "tap";
import { TickLoop, TickTimes } from "../../nodes/zone/tick-loop.ts";

const HZ = 20;
const PERIOD = 1000 / HZ;

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the tick's work: hold the event loop, as a heavy tick would
  }
}

/** What one tick saw: when it began and ended, and the slot the loop ran it in. */
interface Tick {
  begin: number;
  end: number;
  /** 1-based: slot k is due at start + k periods. Read from the loop's own counters. */
  slot: number;
}

/** Runs a 20 Hz loop whose tick does `work(n)`, until `done(n)` says so (that last tick does no work) or `deadlineMs` passes. */
async function run(
  t: { teardown(fn: () => void): void },
  work: (n: number) => void,
  done: (n: number, sinceStart: number) => boolean,
  deadlineMs: number,
): Promise<{ loop: TickLoop; start: number; ticks: Tick[] }> {
  const ticks: Tick[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const loop = new TickLoop(HZ, (n) => {
    const begin = performance.now();
    // ticks run so far plus slots skipped so far, plus this one
    const slot = n + loop.stats().skipped + 1;
    const tick = { begin, end: begin, slot };
    ticks.push(tick);
    if (done(n, begin - start)) {
      loop.stop();
      finish();
      return;
    }
    work(n);
    tick.end = performance.now();
  });
  t.teardown(() => loop.stop());
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`loop not done within ${deadlineMs} ms`)), deadlineMs)));
  const start = performance.now();
  loop.start();
  try {
    await Promise.race([finished, late]);
  } finally {
    clearTimeout(timer);
    loop.stop();
  }
  return { loop, start, ticks };
}

/** Timers may fire a little before their due time: libuv keeps whole (and possibly coarse) milliseconds. */
const EARLY_MS = 5;

/** Ticks that began before their slot was due: catching up, or not scheduling against the start. */
const early = (start: number, ticks: Tick[]): Tick[] => ticks.filter((k) => k.begin < start + k.slot * PERIOD - EARLY_MS);

/** The slots whose due time passed while a tick was running, or before it began: those are skipped. */
const skippedByTheClock = (start: number, ticks: Tick[]): number =>
  ticks.reduce((sum, k) => sum + Math.max(0, Math.floor((k.end - start) / PERIOD) - k.slot), 0);

t.test("tick loop - 20 Hz for about 1 s gives 20 ticks, though each tick takes 10 ms", async (t) => {
  const WINDOW = 1000 + PERIOD / 2; // mid-slot, so the count does not hinge on the last tick's timer
  // the first tick at or past the window ends the run; it is not counted in the window
  const { loop, start, ticks } = await run(t, () => busy(10), (_n, since) => since >= WINDOW, 5000);
  const inWindow = ticks.filter((k) => k.begin - start < WINDOW).length;
  const expected = Math.floor(WINDOW / PERIOD);
  const stats = loop.stats();
  const lateness = ticks.map((k) => k.begin - (start + k.slot * PERIOD));
  t.comment(`${inWindow} ticks in ${WINDOW} ms, ${stats.skipped} slots skipped; ticks began ${Math.min(...lateness).toFixed(1)} to ${Math.max(...lateness).toFixed(1)} ms after their slot`);
  // a loop that waits a period after each tick would run every 60 ms: 16 ticks, not 20
  t.ok(Math.abs(inWindow - expected) <= 2, `${inWindow} ticks, expected ${expected} ± 2`);
  t.equal(stats.ticks, ticks.length, "stats() counts every tick");
  t.same(early(start, ticks), [], "no tick began before its slot (start + k periods) was due");
  t.equal(stats.skipped, skippedByTheClock(start, ticks), "skipped counts exactly the slots that passed while ticks ran");
});

t.test("tick loop - after one slow tick the loop skips the missed slots, without a burst", async (t) => {
  const SLOW = 4;
  const LAST = 14;
  const { loop, start, ticks } = await run(
    t,
    (n) => {
      if (n === SLOW) busy(180);
    },
    (n) => n === LAST,
    5000,
  );
  const stats = loop.stats();
  t.equal(stats.ticks, LAST + 1);
  const gaps = ticks.slice(SLOW + 1).map((k, i) => k.begin - ticks[SLOW + i]!.begin);
  t.comment(`gaps from the slow tick on: ${gaps.map((g) => g.toFixed(0)).join(", ")} ms`);
  t.ok(gaps[0]! >= 180, "the tick after the slow one starts after it ends");
  // catching up would run the 3 missed slots back to back, about 0 ms apart, right after the slow tick
  const short = gaps.slice(1, 6).filter((g) => g < 20).length;
  t.ok(short <= 1, `${short} of the 5 gaps after that under 20 ms (at most one allowed)`);

  const slow = ticks[SLOW]!;
  const next = ticks[SLOW + 1]!;
  const ranPast = Math.floor((slow.end - start) / PERIOD) - slow.slot;
  t.ok(ranPast >= 3, `the 180 ms tick ran past ${ranPast} slot boundaries (at least 3 at 50 ms)`);
  t.equal(next.slot - slow.slot - 1, ranPast, "the loop went on at the first slot still ahead, skipping the ones the slow tick ran past");
  t.ok(stats.skipped >= ranPast, `skipped counts them (${stats.skipped})`);
  t.equal(stats.skipped, skippedByTheClock(start, ticks), "and nothing else: skipped is exactly the slots that passed while ticks ran");
  t.same(early(start, ticks), [], "no tick began before its slot was due: no catching up");
  t.ok(stats.maxMs >= 180, `the slow tick shows in maxMs (${stats.maxMs.toFixed(1)} ms)`);
});

t.test("tick loop - stop() inside a tick ends the loop", async (t) => {
  const { loop } = await run(t, () => {}, (n) => n === 2, 2000);
  const ticks = loop.stats().ticks;
  // a timer still armed would tick within one period; two periods show none is
  await new Promise((r) => setTimeout(r, 2 * PERIOD));
  t.equal(loop.stats().ticks, ticks, "no tick after stop");
});

t.test("tick loop - rests at 1 Hz while restful, and wake() brings the full rate back at once", async (t) => {
  let restful = true;
  const begins: number[] = [];
  const loop = new TickLoop(HZ, () => void begins.push(performance.now()), undefined, () => restful);
  t.teardown(() => loop.stop());
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const ticksIn = async (ms: number): Promise<number> => {
    const before = begins.length;
    await sleep(ms);
    return begins.length - before;
  };
  loop.start();
  await sleep(100);
  t.ok(loop.stats().resting, "resting after its first tick");
  const resting = await ticksIn(2500);
  t.ok(resting >= 2 && resting <= 3, `${resting} ticks in 2.5 s at rest (1 a second: timers still run)`);
  t.ok(loop.stats().rested >= 2, `rested counts them (${loop.stats().rested})`);

  restful = false;
  const woken = performance.now();
  loop.wake();
  await sleep(1000);
  const first = begins.find((b) => b >= woken)!;
  t.ok(first - woken < PERIOD + EARLY_MS * 4, `first tick ${(first - woken).toFixed(0)} ms after wake(), within a period (not the rest's second)`);
  const awake = begins.filter((b) => b >= woken).length;
  t.ok(awake >= 16 && awake <= 21, `${awake} ticks in the second after wake(): the full rate`);
  t.notOk(loop.stats().resting, "not resting");
  loop.wake();
  t.ok(Math.abs((await ticksIn(500)) - 10) <= 2, "wake() while awake changes nothing");

  restful = true;
  await sleep(200);
  t.ok(loop.stats().resting, "rests again once restful");
  restful = false;
  const unset = performance.now();
  // no wake(): the rest tick due within a second sees it and goes back to the beat
  await sleep(1500);
  const back = begins.filter((b) => b >= unset);
  t.ok(back.length >= 8, `${back.length} ticks in the 1.5 s after restful turned false without wake()`);
  t.notOk(loop.stats().resting, "awake again");
  loop.stop();
  const stopped = begins.length;
  restful = true;
  await sleep(1200);
  t.equal(begins.length, stopped, "stop() ends a loop whatever its rate");
});

t.test("tick times - percentiles for known inputs", async (t) => {
  const empty = new TickTimes();
  t.same(empty.percentiles(), { p50Ms: 0, p99Ms: 0, maxMs: 0 }, "no ticks yet: zeros");

  const one = new TickTimes();
  one.add(7.5);
  t.same(one.percentiles(), { p50Ms: 7.5, p99Ms: 7.5, maxMs: 7.5 }, "one tick: it is every percentile");

  // 1..37 shuffled: the 50th percentile is the 19th smallest, the 99th the 37th
  const times = new TickTimes();
  const values = Array.from({ length: 37 }, (_, i) => i + 1);
  for (let i = 0; i < values.length; i++) {
    const j = (i * 17) % values.length;
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  for (const v of values) times.add(v);
  t.same(times.percentiles(), { p50Ms: 19, p99Ms: 37, maxMs: 37 }, "1..37 in any order");

  // sorted as numbers, not as text ("10" < "9")
  const mixed = new TickTimes();
  for (const v of [9, 100, 2, 1000, 10]) mixed.add(v);
  t.same(mixed.percentiles(), { p50Ms: 10, p99Ms: 1000, maxMs: 1000 }, "numeric order");

  // a sliding window: only the last 9 of 1..30 count
  const window = new TickTimes(9);
  for (let v = 1; v <= 30; v++) window.add(v);
  t.same(window.percentiles(), { p50Ms: 26, p99Ms: 30, maxMs: 30 }, "the window holds 22..30 only");
  window.add(100);
  t.same(window.percentiles(), { p50Ms: 27, p99Ms: 100, maxMs: 100 }, "a new value pushes out the oldest (22)");
});
