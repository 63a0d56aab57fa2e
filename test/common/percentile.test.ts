import t from "tap";
import { nearestRank, rankOf, SampleWindow, spreadOf } from "../../common/percentile.ts";
import { FanoutTimes } from "../../nodes/client/fanout-times.ts";
import { TickTimes } from "../../nodes/zone/tick-loop.ts";
import { Histogram } from "../../ops/bots/stats.ts";

t.test("percentile - nearest rank: the smallest sample with at least q of them at or below it", async (t) => {
  const hundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(rankOf(hundred, 0.5), 50, "p50 of 1..100 is 50 (50 of them at or below)");
  t.equal(rankOf(hundred, 0.99), 99, "p99 of 1..100 is 99, not the maximum");
  t.equal(rankOf(hundred, 1), 100);
  t.equal(rankOf(hundred, 0), 1, "q 0 is the smallest, not out of range");
  const two = [10, 20];
  t.equal(rankOf(two, 0.5), 10, "p50 of two samples is the lower one: half of them are at or below it");
  t.equal(rankOf([], 0.5), undefined, "no samples, no percentile");
  // 200 ticks: p99 is the 198th smallest, the third worst (a floor-based copy took the second worst)
  const ticks = Float64Array.from({ length: 200 }, (_, i) => i);
  t.equal(rankOf(ticks, 0.99), 197);
  t.equal(nearestRank(200, 0.99), 198, "the counted form agrees");
  t.equal(nearestRank(1, 0.01), 1);
});

t.test("percentile - spreads sort numerically and report mean, p50, p99, max", async (t) => {
  t.same(spreadOf([9, 100, 2, 1000, 10]), { mean: 224.2, p50: 10, p99: 1000, max: 1000 }, "numeric order, not text order");
  t.equal(spreadOf([]), undefined);
  t.same(spreadOf(new Set([3])), { mean: 3, p50: 3, p99: 3, max: 3 }, "any iterable");
});

t.test("percentile - every vital's window is the same window with the same ranks", async (t) => {
  const values = Array.from({ length: 250 }, (_, i) => (i * 37) % 250);
  const windows = [new SampleWindow(), new TickTimes(), new FanoutTimes()];
  for (const w of windows) for (const v of values) w.add(v);
  // the last 200 of the values, i.e. whatever they are, ranked once
  const expected = spreadOf(values.slice(-200))!;
  for (const w of windows) t.same(w.percentiles(), { p50Ms: expected.p50, p99Ms: expected.p99, maxMs: expected.max }, w.constructor.name);
  t.same(new FanoutTimes().percentiles(), { p50Ms: 0, p99Ms: 0, maxMs: 0 }, "zeros before the first sample");
});

t.test("percentile - the bots' histogram picks the same rank as exact samples, to its 1 % buckets", async (t) => {
  const h = new Histogram();
  const samples = Array.from({ length: 1000 }, (_, i) => 1 + i / 10);
  for (const v of samples) h.add(v);
  for (const q of [0.5, 0.9, 0.99]) {
    const exact = rankOf(samples, q)!;
    const bucketed = h.percentile(q * 100)!;
    t.ok(bucketed >= exact && bucketed <= exact * 1.011, `p${q * 100}: ${bucketed} within one bucket above ${exact}`);
  }
});
