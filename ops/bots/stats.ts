// What the bots count, in shapes that add up across worker processes: plain counters, tallies by
// key (close codes, refusal reasons), and a log-bucket histogram for latencies whose percentiles
// stay within 1 % however many samples were merged.
import { nearestRank } from "../../common/percentile.ts";

/** Events a bot counts over the whole run; summed over bots and workers. */
export interface Counters {
  /** Closes the bot did not ask for. */
  disconnects: number;
  /** Back in the world with CMSG_RESUME. */
  resumes: number;
  /** Back in the world through a fresh login (resume refused or too late). */
  relogins: number;
  corrections: number;
  handoffs: number;
  kills: number;
  loots: number;
  tradesOffered: number;
  tradesDone: number;
  tradesRefused: number;
  tradesDeclined: number;
  goldGranted: number;
  chatSent: number;
  chatHeard: number;
  protocolErrors: number;
}

export const newCounters = (): Counters => ({
  disconnects: 0,
  resumes: 0,
  relogins: 0,
  corrections: 0,
  handoffs: 0,
  kills: 0,
  loots: 0,
  tradesOffered: 0,
  tradesDone: 0,
  tradesRefused: 0,
  tradesDeclined: 0,
  goldGranted: 0,
  chatSent: 0,
  chatHeard: 0,
  protocolErrors: 0,
});

export function addCounters(into: Counters, from: Counters): Counters {
  for (const k of Object.keys(into) as (keyof Counters)[]) into[k] += from[k];
  return into;
}

export type Tally = Record<string, number>;

export function tally(into: Tally, key: string | number, n = 1): void {
  into[key] = (into[key] ?? 0) + n;
}

export function addTally(into: Tally, from: Tally): Tally {
  for (const [k, n] of Object.entries(from)) tally(into, k, n);
  return into;
}

const GROWTH = Math.log(1.01);
const FLOOR = 0.001;

/** Samples as counts in buckets 1 % apart from 0.001 up; a bucket stands for its upper bound. */
export class Histogram {
  readonly buckets = new Map<number, number>();
  count = 0;
  sum = 0;

  add(v: number): void {
    const b = v <= FLOOR ? 0 : Math.ceil(Math.log(v / FLOOR) / GROWTH);
    this.buckets.set(b, (this.buckets.get(b) ?? 0) + 1);
    this.count++;
    this.sum += v;
  }

  merge(data: HistogramData): void {
    for (const [b, n] of data.buckets) this.buckets.set(b, (this.buckets.get(b) ?? 0) + n);
    this.count += data.count;
    this.sum += data.sum;
  }

  percentile(p: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = nearestRank(this.count, p / 100);
    let seen = 0;
    for (const b of [...this.buckets.keys()].sort((x, y) => x - y)) {
      seen += this.buckets.get(b)!;
      if (seen >= rank) return FLOOR * Math.exp(b * GROWTH);
    }
    return undefined;
  }

  toData(): HistogramData {
    return { buckets: [...this.buckets], count: this.count, sum: this.sum };
  }
}

export interface HistogramData {
  buckets: [number, number][];
  count: number;
  sum: number;
}

