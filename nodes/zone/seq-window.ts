// Which of a player's recent intents were applied. Intents can reach a zone out of order around a
// handoff (some forwarded by the old zone, some sent straight by the client node), so "seq not
// above the highest" is not enough: each of the 32 below the highest is remembered by one bit.
export const WINDOW = 32;

export class SeqWindow {
  constructor(
    /** Highest seq applied, -1 for none. */
    public high = -1,
    /** Bit k set: seq high-1-k was applied. */
    public mask = 0,
  ) {}

  applied(seq: number): boolean {
    if (seq > this.high) return false;
    if (seq === this.high) return true;
    const k = this.high - 1 - seq;
    // older than the window: treat as applied, it can only be a replay
    return k >= WINDOW || ((this.mask >>> k) & 1) === 1;
  }

  mark(seq: number): void {
    if (seq > this.high) {
      const d = seq - this.high;
      const oldHigh = this.high >= 0 ? (d - 1 < WINDOW ? (1 << (d - 1)) >>> 0 : 0) : 0;
      this.mask = (d >= WINDOW ? 0 : (this.mask << d) >>> 0) | oldHigh;
      this.mask >>>= 0;
      this.high = seq;
    } else if (seq < this.high) {
      const k = this.high - 1 - seq;
      if (k < WINDOW) this.mask = (this.mask | (1 << k)) >>> 0;
    }
  }
}
