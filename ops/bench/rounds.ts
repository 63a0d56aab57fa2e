// Two sides compared fairly on a shared machine: each round runs both, one after the other (never
// at once: they share the cores), the order swapping every round so neither always runs on a
// machine the other has just warmed or loaded; a figure is the median of its rounds, given with
// its spread, and the load average before and after says how quiet the machine was.
import os from "node:os";
import { rankOf, sortedCopy } from "../../common/percentile.ts";

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = sortedCopy(values);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: rankOf(sorted, 0.5)!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

const short = (v: number): string => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : v.toPrecision(3));

/** "1.23 (1.10-1.41)": the median and the range of the rounds. */
export function spreadText(values: readonly number[]): string {
  const s = spreadOf(values);
  return values.length === 1 ? short(s.median) : `${short(s.median)} (${short(s.min)}-${short(s.max)})`;
}

/** Runs `a` and `b` `rounds` times, a first in even rounds and b first in odd ones. */
export async function alternate<A, B>(rounds: number, a: () => Promise<A>, b: () => Promise<B>): Promise<{ a: A[]; b: B[] }> {
  const as: A[] = [];
  const bs: B[] = [];
  for (let k = 0; k < rounds; k++) {
    if (k % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return { a: as, b: bs };
}

/** The 1, 5 and 15 minute load averages now, and the cores they are shared over. */
export function loadNow(): string {
  return `${os.loadavg().map((l) => l.toFixed(2)).join(" ")} on ${os.availableParallelism()} cores`;
}
