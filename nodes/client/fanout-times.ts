// How long the fanout of one tick took (all its slots together), over a sliding window: the
// client node's tick-deadline figure, reported in the heartbeat like the zone's tick time.

export class FanoutTimes {
  private readonly times: Float64Array;
  private count = 0;
  private next = 0;
  ticks = 0;
  /** Slots that started later than due: the node is behind its tick deadline. */
  lateSlots = 0;

  constructor(window = 200) {
    this.times = new Float64Array(window);
  }

  add(ms: number): void {
    this.ticks++;
    this.times[this.next] = ms;
    this.next = (this.next + 1) % this.times.length;
    this.count = Math.min(this.count + 1, this.times.length);
  }

  late(slots: number): void {
    this.lateSlots += slots;
  }

  percentiles(): { p50Ms: number; p99Ms: number; maxMs: number } {
    if (this.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0 };
    const sorted = this.times.slice(0, this.count).sort();
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1] ?? 0 };
  }
}
