// Counts repeats of a refusal per sender so a log says the first and then every power of two:
// a peer that keeps trying must not flood the log, and one cycling through names must not grow memory.
const MAX_KEYS = 10_000;

export class RepeatCounter {
  private readonly counts = new Map<string, number>();

  /** The repeat number of `key`, from 1. */
  count(key: string): number {
    const n = (this.counts.get(key) ?? 0) + 1;
    if (n === 1 && this.counts.size >= MAX_KEYS) this.counts.clear();
    this.counts.set(key, n);
    return n;
  }

  static worthALine(n: number): boolean {
    return (n & (n - 1)) === 0;
  }
}
