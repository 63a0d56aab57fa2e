// When the client node itself was not reading its sockets: starved of CPU, or stuck in long work.
// Whatever a player sent meanwhile waits in the kernel and arrives at once afterwards; the input
// checks time messages by arrival, so they ask this how long the node was away, and do not hold
// that pile-up against the player. The zones are told too (common/stalls.ts).
import { MAX_EXCUSED_MS } from "../../common/stalls.ts";

/** How often the ledger looks at the clock; lateness beyond this counts as a stall. */
const CHECK_EVERY_MS = 100;
/** Lateness under this is ordinary timer jitter, not a stall. */
const MIN_STALL_MS = 100;
/** Stalls older than this no longer excuse anything. */
const KEEP_MS = 60_000;

/** What the input checks ask. */
export interface Stalls {
  /** Milliseconds the node was stalled between `since` and `now` (ms since 1970). */
  since(since: number, now: number): number;
}

/** No stalls: the checks time input by arrival alone (unit tests, tools). */
export const NO_STALLS: Stalls = { since: () => 0 };

interface Stall {
  end: number;
  ms: number;
}

export class StallLedger implements Stalls {
  private timer: NodeJS.Timeout | undefined;
  private checkedAt: number;
  private readonly stalls: Stall[] = [];

  constructor(private readonly clock: () => number = Date.now) {
    this.checkedAt = clock();
  }

  start(): void {
    this.checkedAt = this.clock();
    this.timer = setInterval(() => this.check(this.clock()), CHECK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The clock read on time (or late): a late read records the stall that ended now. */
  check(now: number): void {
    const late = this.lateness(now);
    if (late > 0) this.stalls.push({ end: now, ms: late });
    while (this.stalls.length > 0 && now - this.stalls[0]!.end > KEEP_MS) this.stalls.shift();
    this.checkedAt = now;
  }

  since(since: number, now: number): number {
    // a stall still going on counts too: after one, the node may read its sockets before its timers
    let ms = Math.min(this.lateness(now), Math.max(0, now - since));
    for (let i = this.stalls.length - 1; i >= 0; i--) {
      const s = this.stalls[i]!;
      if (s.end <= since) break;
      ms += Math.min(s.ms, s.end - since);
    }
    return Math.min(MAX_EXCUSED_MS, ms);
  }

  private lateness(now: number): number {
    const late = now - this.checkedAt - CHECK_EVERY_MS;
    return late >= MIN_STALL_MS ? late : 0;
  }
}
