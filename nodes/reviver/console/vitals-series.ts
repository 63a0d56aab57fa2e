// The figures the console charts, taken from the heartbeat vitals once a second and kept for five
// minutes, so a page opened now shows the last minutes too: each zone's and instance's tick p99,
// players per realm (its realm node's directory) and per client node. Nodes not up are left out.
import type { NodeStatus } from "../../../common/protocol/reviver.ts";
import type { RealmsConfig } from "../../../common/topology.ts";

const SAMPLE_MS = 1000;
const KEEP = 300;

interface VitalsSample {
  at: number;
  /** Tick p99, ms, by zone or instance id. */
  tick: Record<string, number>;
  /** Players by `realm <name>` and by client node id. */
  players: Record<string, number>;
}

function sampleOf(nodes: NodeStatus[], config: RealmsConfig, at: number): VitalsSample {
  const s: VitalsSample = { at, tick: {}, players: {} };
  const realmOf = new Map(config.realms.map((r) => [r.realmNode.id, r.name]));
  for (const n of nodes) {
    if (n.state !== "up") continue;
    if (n.kind === "zone" || n.kind === "instance") s.tick[n.id] = n.vitals.tickP99Ms ?? 0;
    else if (n.kind === "client") s.players[n.id] = n.vitals.players ?? 0;
    else if (n.kind === "realm") s.players[`realm ${realmOf.get(n.id) ?? n.id}`] = n.vitals.players ?? 0;
  }
  return s;
}

export class VitalsSeries {
  private readonly samples: VitalsSample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly status: () => NodeStatus[],
    private readonly config: RealmsConfig,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  sample(now = Date.now()): void {
    this.samples.push(sampleOf(this.status(), this.config, now));
    if (this.samples.length > KEEP) this.samples.shift();
  }

  /** The samples taken after `since`, oldest first. */
  after(since: number): VitalsSample[] {
    return this.samples.filter((s) => s.at > since);
  }
}
