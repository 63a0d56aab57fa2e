// Remote entities drawn a little in the past, between two world updates the client already has,
// so they glide instead of jumping 20 times a second. The delay follows the measured frame
// interval (max(100 ms, 2.5 x), since frames thin out when the byte budget holds changes back);
// when the buffer runs dry an entity is extrapolated briefly along its last velocity, then held.

/** The least delay, and how many frame intervals behind the newest update rendering stays. */
export const MIN_DELAY_MS = 100;
export const DELAY_FRAMES = 2.5;
/** How long past its last update an entity keeps moving along its last velocity. */
export const EXTRAPOLATE_MS = 150;
/** Samples older than this behind the render time are dropped. */
const KEEP_MS = 1000;
/** The window over which the smallest transit (arrival - snapshot time) is taken as the baseline. */
const BASELINE_MS = 3000;

export interface Sample {
  t: number;
  x: number;
  y: number;
  heading: number;
  /** The entity's moving flag: one at rest is never extrapolated past where it stopped. */
  moving: boolean;
}

export interface Placed {
  x: number;
  y: number;
  heading: number;
}

const lerpAngle = (a: number, b: number, f: number): number => {
  const d = Math.atan2(Math.sin(b - a), Math.cos(b - a));
  return a + d * f;
};

/** One entity's recent positions by snapshot time. */
export class Track {
  readonly samples: Sample[] = [];

  /** A position at snapshot time `t` (ms). `gapMs`: the frame interval, so a start from rest moves over one frame, not the whole rest. */
  push(s: Sample, gapMs: number): void {
    const last = this.samples.at(-1);
    if (last && s.t - last.t > 2 * gapMs) this.samples.push({ ...last, t: s.t - gapMs });
    if (last && s.t <= last.t) this.samples[this.samples.length - 1] = s;
    else this.samples.push(s);
  }

  at(t: number): Placed | undefined {
    const s = this.samples;
    const first = s[0];
    if (!first) return undefined;
    while (s.length > 2 && s[1]!.t < t - KEEP_MS) s.shift();
    if (t <= first.t) return first;
    for (let i = 1; i < s.length; i++) {
      const b = s[i]!;
      if (t > b.t) continue;
      const a = s[i - 1]!;
      const f = (t - a.t) / (b.t - a.t || 1);
      return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f, heading: lerpAngle(a.heading, b.heading, f) };
    }
    const last = s.at(-1)!;
    const prev = s.at(-2);
    const ahead = Math.min(t - last.t, EXTRAPOLATE_MS);
    if (!prev || !last.moving || last.t === prev.t || t - last.t > EXTRAPOLATE_MS) return last;
    const k = ahead / (last.t - prev.t);
    return { x: last.x + (last.x - prev.x) * k, y: last.y + (last.y - prev.y) * k, heading: last.heading };
  }
}

export class Interpolator {
  private readonly tracks = new Map<number, Track>();
  private lastArrival = 0;
  /** Smoothed interval between world updates, on the client's clock. */
  frameMs = 50;
  /** Smallest (arrival - snapshot time) lately: the fastest transit, so render time is the server's clock minus the delay. */
  private baseline = Infinity;
  private baselineAt = 0;
  private nextBaseline = Infinity;

  get delayMs(): number {
    return Math.max(MIN_DELAY_MS, DELAY_FRAMES * this.frameMs);
  }

  /** A world update stamped `snapshotMs` (SMSG_WORLD.time) arrived at `arrivalMs` (client clock). */
  frame(snapshotMs: number, arrivalMs: number): void {
    if (this.lastArrival > 0) {
      const gap = Math.min(1000, arrivalMs - this.lastArrival);
      this.frameMs += (gap - this.frameMs) * 0.1;
    }
    this.lastArrival = arrivalMs;
    const transit = arrivalMs - snapshotMs;
    // a sliding minimum: the window's best transit, renewed every BASELINE_MS so a clock step or a
    // slower route is taken up within a few seconds
    this.nextBaseline = Math.min(this.nextBaseline, transit);
    if (transit < this.baseline) this.baseline = transit;
    if (arrivalMs - this.baselineAt > BASELINE_MS) {
      this.baseline = this.nextBaseline;
      this.nextBaseline = transit;
      this.baselineAt = arrivalMs;
    }
  }

  /** The snapshot time to draw at `nowMs` (client clock). */
  renderTime(nowMs: number): number {
    return nowMs - (Number.isFinite(this.baseline) ? this.baseline : 0) - this.delayMs;
  }

  place(id: number, s: Sample): void {
    let track = this.tracks.get(id);
    if (!track) this.tracks.set(id, (track = new Track()));
    track.push(s, this.frameMs);
  }

  forget(id: number): void {
    this.tracks.delete(id);
  }

  clear(): void {
    this.tracks.clear();
  }

  at(id: number, renderTime: number): Placed | undefined {
    return this.tracks.get(id)?.at(renderTime);
  }
}
