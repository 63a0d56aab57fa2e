// A fixed-rate game loop. Ticks are scheduled against the loop's start, not the previous
// tick, so the rate never drifts; after a slow tick the loop skips the missed slots instead of
// running them back to back, because a burst of catch-up ticks would only make the next one late.
import { performance } from "node:perf_hooks";
import { SampleWindow } from "../../common/percentile.ts";

interface TickStats {
  ticks: number;
  skipped: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Tick durations over a sliding window, for the heartbeat. */
export class TickTimes extends SampleWindow {}

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
