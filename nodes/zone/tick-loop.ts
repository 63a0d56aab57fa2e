// A fixed-rate game loop. Ticks are scheduled against the loop's start, not the previous
// tick, so the rate never drifts; after a slow tick the loop skips the missed slots instead of
// running them back to back, because a burst of catch-up ticks would only make the next one late.
// A world nobody is in or watching rests: it ticks once a second, so its timers (respawns, an
// empty dungeon closing, checkpoints) still run, and wakes at once when someone comes.
import { performance } from "node:perf_hooks";
import { SampleWindow } from "../../common/percentile.ts";

/** Ticks a second while resting. */
export const REST_HZ = 1;

interface TickStats {
  ticks: number;
  skipped: number;
  /** Ticks run at the resting rate. */
  rested: number;
  resting: boolean;
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
  private rested = 0;
  private resting = false;
  readonly times = new TickTimes();

  constructor(
    readonly hz: number,
    private readonly tick: (n: number) => void,
    /** Told each tick's duration, for the node's `realm_zone_tick_seconds` histogram. */
    private readonly timed: (ms: number) => void = () => {},
    /** Asked after each tick: true lets the loop rest until `wake()` or until it turns false. */
    private readonly restful: () => boolean = () => false,
  ) {}

  get periodMs(): number {
    return 1000 / this.hz;
  }

  start(): void {
    this.resting = false;
    this.startedAt = performance.now();
    this.slot = 0;
    this.schedule();
  }

  /** Back to the full rate now (someone entered, sent intents or subscribed); free when awake. */
  wake(): void {
    if (!this.resting || this.timer === undefined) return;
    clearTimeout(this.timer);
    this.start();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  stats(): TickStats {
    return { ticks: this.ticks, skipped: this.skipped, rested: this.rested, resting: this.resting, ...this.times.percentiles() };
  }

  private schedule(): void {
    this.slot++;
    const due = this.startedAt + this.slot * this.periodMs;
    this.timer = setTimeout(() => this.run(), Math.max(0, due - performance.now()));
  }

  private run(): void {
    if (this.resting) this.rested++;
    const begin = performance.now();
    this.tick(this.ticks++);
    const end = performance.now();
    this.times.add(end - begin);
    this.timed(end - begin);
    // stopped inside the tick
    if (this.timer === undefined) return;
    if (this.restful()) {
      this.resting = true;
      this.timer = setTimeout(() => this.run(), 1000 / REST_HZ);
      return;
    }
    // what it rested for ended without a wake(): back on the beat from now
    if (this.resting) return this.start();
    const behind = Math.floor((end - this.startedAt) / this.periodMs) - this.slot;
    if (behind > 0) {
      this.skipped += behind;
      this.slot += behind;
    }
    this.schedule();
  }
}
