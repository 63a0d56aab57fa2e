// Password hashes pass this gate: a few at a time on the libuv pool (once queued there, a hash can
// no longer be taken back), the rest wait here in turn. A login whose turn comes after it waited
// longer than a player's client waits is answered "busy" without hashing: in a login storm the
// clients time out and ask again, and hashing for the abandoned requests is how the node ends up
// spending every hash on an answer nobody reads (the 2,000-bot ramp did that on one core).

/** The gate's answer when a login should come back later. */
export class BusyError extends Error {
  constructor(why: string) {
    super(why);
    this.name = "BusyError";
  }
}

export interface HashGateOptions {
  /** Hashes running at once. */
  parallel: number;
  /** Hashes waiting for a turn; past it a login is refused at once. */
  maxWaiting: number;
  /** A waiter whose turn comes later than this is refused instead of hashed. */
  maxWaitMs: number;
  now?: () => number;
}

interface Waiter {
  since: number;
  go: () => void;
  fail: (err: BusyError) => void;
}

export class HashGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly now: () => number;
  /** Logins answered busy since the start, for the heartbeat. */
  refused = 0;

  constructor(private readonly opts: HashGateOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Hashes running or waiting. */
  get inFlight(): number {
    return this.running + this.waiting.length;
  }

  /** No room to wait (counted as a refusal): a login asked now would be refused, so it need not even read its account. */
  turnsAway(): boolean {
    if (this.full) this.refused++;
    return this.full;
  }

  private get full(): boolean {
    return this.running >= this.opts.parallel && this.waiting.length >= this.opts.maxWaiting;
  }

  /** Runs `hash` in its turn; rejects with BusyError when too many wait or its turn came too late. */
  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.running < this.opts.parallel && this.waiting.length === 0) this.running++;
    else await this.turn();
    try {
      return await hash();
    } finally {
      this.running--;
      this.next();
    }
  }

  private turn(): Promise<void> {
    if (this.full) return Promise.reject(this.busy(`${this.waiting.length} logins already wait for a hash`));
    return new Promise((go, fail) => this.waiting.push({ since: this.now(), go, fail }));
  }

  /** A freed slot goes to the oldest waiter still worth hashing for, taken on its behalf. */
  private next(): void {
    while (this.running < this.opts.parallel) {
      const w = this.waiting.shift();
      if (!w) return;
      const waited = this.now() - w.since;
      if (waited > this.opts.maxWaitMs) {
        w.fail(this.busy(`waited ${waited} ms for a hash`));
        continue;
      }
      this.running++;
      w.go();
    }
  }

  private busy(why: string): BusyError {
    this.refused++;
    return new BusyError(why);
  }
}
