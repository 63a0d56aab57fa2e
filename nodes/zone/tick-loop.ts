// A fixed-rate game loop. Ticks are scheduled against the loop's start, not the previous
// tick, so the rate never drifts; after a slow tick the loop skips the missed slots instead of
// running them back to back, because a burst of catch-up ticks would only make the next one late.
import { performance } from "node:perf_hooks";

interface TickStats {
  ticks: number;
  skipped: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Tick durations over a sliding window, for the heartbeat. */
export class TickTimes {
  private readonly times: Float64Array;
  private count = 0;
  private next = 0;

  constructor(window = 200) {
    this.times = new Float64Array(window);
  }

  add(ms: number): void {
    this.times[this.next] = ms;
    this.next = (this.next + 1) % this.times.length;
    this.count = Math.min(this.count + 1, this.times.length);
  }

  percentiles(): { p50Ms: number; p99Ms: number; maxMs: number } {
    if (this.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0 };
    const sorted = this.times.slice(0, this.count).sort();
    // nearest rank: the smallest value with at least q of the samples at or below it
    const at = (q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
    return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1] ?? 0 };
  }
}

export class TickLoop {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private slot = 0;
  private ticks = 0;
  private skipped = 0;
  readonly times = new TickTimes();

  constructor(
    readonly hz: number,
    private readonly tick: (n: number) => void,
    /** Told each tick's duration, for the node's `realm_zone_tick_seconds` histogram. */
    private readonly timed: (ms: number) => void = () => {},
  ) {}

  get periodMs(): number {
    return 1000 / this.hz;
  }

  start(): void {
    this.startedAt = performance.now();
    this.slot = 0;
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  stats(): TickStats {
    return { ticks: this.ticks, skipped: this.skipped, ...this.times.percentiles() };
  }

  private schedule(): void {
    this.slot++;
    const due = this.startedAt + this.slot * this.periodMs;
    this.timer = setTimeout(() => this.run(), Math.max(0, due - performance.now()));
  }

  private run(): void {
    const begin = performance.now();
    this.tick(this.ticks++);
    const end = performance.now();
    this.times.add(end - begin);
    this.timed(end - begin);
    const behind = Math.floor((end - this.startedAt) / this.periodMs) - this.slot;
    if (behind > 0) {
      this.skipped += behind;
      this.slot += behind;
    }
    if (this.timer !== undefined) this.schedule();
  }
}
