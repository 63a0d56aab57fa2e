// Node state changes as the console shows them: the supervisor's table sampled every 100 ms, so a
// zone that is down for half a second (a kill -9 and a quick restart) is seen even though the page
// polls once a second. Cheap: a comparison of a dozen states per sample.
import type { NodeStatus } from "../../../common/protocol/reviver.ts";

const SAMPLE_MS = 100;
const KEEP = 200;

interface StateChange {
  at: number;
  node: string;
  from: NodeStatus["state"] | undefined;
  to: NodeStatus["state"];
  /** The cause of the node's latest restart, when it went down. */
  cause?: string;
}

export class StateFeed {
  private readonly last = new Map<string, NodeStatus["state"]>();
  private readonly changes: StateChange[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly status: () => NodeStatus[]) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Newest first. */
  latest(n = 50): StateChange[] {
    return this.changes.slice(-n).reverse();
  }

  sample(now = Date.now()): void {
    for (const s of this.status()) {
      const from = this.last.get(s.id);
      if (from === s.state) continue;
      this.last.set(s.id, s.state);
      // the first sample is the table as found, not a change
      if (from === undefined) continue;
      const change: StateChange = { at: now, node: s.id, from, to: s.state };
      const cause = s.state === "up" ? undefined : (s.reason ?? s.history.at(-1)?.cause);
      if (cause !== undefined) change.cause = cause;
      this.changes.push(change);
      if (this.changes.length > KEEP) this.changes.shift();
    }
  }
}
