// The one definition of a percentile that every vital and benchmark uses: nearest rank, the
// smallest sample with at least a fraction q of the samples at or below it. Copies of it had
// drifted apart (floor against ceil of q * n), so two figures named p99 could be different ranks
// of the same samples: the second and the third worst of 200 ticks.

/** Samples sorted in increasing numeric order; `q` in [0, 1]. Undefined when there are none. */
export function rankOf(sorted: ArrayLike<number>, q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The rank (1-based) nearest-rank picks among `n` samples: for counted samples such as histogram buckets. */
export const nearestRank = (n: number, q: number): number => Math.min(n, Math.max(1, Math.ceil(q * n)));

/** Sorts a copy (numerically: a plain sort() compares numbers as text). */
export function sortedCopy(values: Iterable<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export interface Spread {
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Mean, median, p99 and maximum of the values; undefined when there are none. */
export function spreadOf(values: Iterable<number>): Spread | undefined {
  const sorted = sortedCopy(values);
  if (sorted.length === 0) return undefined;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { mean: sum / sorted.length, p50: rankOf(sorted, 0.5)!, p99: rankOf(sorted, 0.99)!, max: sorted[sorted.length - 1]! };
}

/** The last `size` samples (tick times, fanout times) and their percentiles, for a heartbeat. */
export class SampleWindow {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;

  constructor(size = 200) {
    this.samples = new Float64Array(size);
  }

  add(v: number): void {
    this.samples[this.next] = v;
    this.next = (this.next + 1) % this.samples.length;
    this.count = Math.min(this.count + 1, this.samples.length);
  }

  /** Zeros before the first sample: a node with nothing to time reports nothing slow. */
  percentiles(): { p50Ms: number; p99Ms: number; maxMs: number } {
    const s = spreadOf(this.samples.subarray(0, this.count));
    return s ? { p50Ms: s.p50, p99Ms: s.p99, maxMs: s.max } : { p50Ms: 0, p99Ms: 0, maxMs: 0 };
  }
}
