// When to restart a crashed node, and when to stop trying. Pure, so its edges are unit-tested.

export const CRASH_WINDOW_MS = 60_000;
export const MAX_CRASHES_IN_WINDOW = 5;
const FIRST_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;

export type CrashVerdict = { action: "restart"; delayMs: number } | { action: "give-up"; crashes: number };

export class CrashPolicy {
  private crashes: number[] = [];

  /** Records a crash at `now` and says what to do about it. */
  crashed(now: number): CrashVerdict {
    this.crashes = this.crashes.filter((t) => now - t < CRASH_WINDOW_MS);
    this.crashes.push(now);
    const n = this.crashes.length;
    if (n >= MAX_CRASHES_IN_WINDOW) return { action: "give-up", crashes: n };
    // the first restart is immediate: players wait on it; repeated crashes back off exponentially
    const delayMs = n === 1 ? 0 : Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (n - 2));
    return { action: "restart", delayMs };
  }

  reset(): void {
    this.crashes = [];
  }
}
