// Which client node takes the next player: the one with the fewest players, counting both what
// it reported and the players this realm node sent it since (a burst of logins spreads evenly
// instead of piling onto the node that looked emptiest a second ago). A node whose reports
// stopped is never chosen: it is dead, hung or cut off.
export const REPORT_STALE_MS = 2500;

interface Report {
  players: number;
  /** When this realm node received it (its own clock, like everything it compares it with). */
  at: number;
}

export class ClientLoads {
  private readonly reports = new Map<string, Report>();

  /** `order` is the config's order of client nodes: ties go to the earlier one, so placement is predictable. */
  constructor(private readonly order: readonly string[]) {}

  /** True when this is the first report from `node` after it had none or a stale one. */
  report(node: string, players: number, now: number): boolean {
    const before = this.reports.get(node);
    this.reports.set(node, { players, at: now });
    return before === undefined || now - before.at > REPORT_STALE_MS;
  }

  isLive(node: string, now: number): boolean {
    const r = this.reports.get(node);
    return r !== undefined && now - r.at <= REPORT_STALE_MS;
  }

  live(now: number): string[] {
    return this.order.filter((n) => this.isLive(n, now));
  }

  /** Forgets a node the reviver found down, before its reports go stale; true if it was live. */
  drop(node: string, now: number): boolean {
    const live = this.isLive(node, now);
    this.reports.delete(node);
    return live;
  }

  /** Nodes that were live and went silent, for a log line; each is returned once. */
  lost(now: number): string[] {
    const gone: string[] = [];
    for (const [node, r] of this.reports) {
      if (now - r.at > REPORT_STALE_MS) {
        gone.push(node);
        this.reports.delete(node);
      }
    }
    return gone;
  }

  /**
   * The live node with the least load; `unreported(node, reportAt)` counts the players sent there
   * that its last report (received at `reportAt`) cannot include yet.
   */
  choose(now: number, unreported: (node: string, reportAt: number) => number): string | undefined {
    let best: string | undefined;
    let bestLoad = Infinity;
    for (const node of this.order) {
      const r = this.reports.get(node);
      if (!r || now - r.at > REPORT_STALE_MS) continue;
      const load = r.players + unreported(node, r.at);
      if (load < bestLoad) {
        best = node;
        bestLoad = load;
      }
    }
    return best;
  }
}
