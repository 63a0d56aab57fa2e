// The realm's side of a bots run, when the bots run on the realm's machine: the zones' tick
// times from their heartbeats (the revivers' status, sampled through the measured window) and
// the CPU the client and zone nodes spent over the window, from /proc.
import type { NodeStatus } from "../../common/protocol/reviver.ts";
import type { Wire } from "../../common/wire.ts";
import type { RealmsConfig } from "../../common/topology.ts";
import { cpuSeconds } from "../bench/proc-cpu.ts";
import { opsWire, queryStatus } from "../status.ts";

const SAMPLE_MS = 2000;

interface NodeCpu {
  id: string;
  kind: string;
  /** Percent of one core over the window. */
  cpuPercent: number;
}

export interface RealmSide {
  /** The worst tick p99 and p50 any zone with players reported during the window. */
  zoneTickP99Ms: number;
  zoneTickP50Ms: number;
  zoneTickMaxMs: number;
  nodes: NodeCpu[];
  samples: number;
}

export class RealmSideWatch {
  private readonly wire: Wire;
  private readonly cpuAtOpen = new Map<string, { pid: number; kind: string; cpu: number }>();
  private openedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private worst = { p99: 0, p50: 0, max: 0 };
  private samples = 0;

  constructor(private readonly config: RealmsConfig) {
    this.wire = opsWire(config);
  }

  private async nodes(): Promise<NodeStatus[]> {
    return (await queryStatus(this.config, this.wire, 1000).catch(() => undefined))?.nodes ?? [];
  }

  private sample(nodes: NodeStatus[]): void {
    for (const n of nodes) {
      if ((n.kind !== "zone" && n.kind !== "instance") || !(Number(n.vitals.players) > 0)) continue;
      this.worst.p99 = Math.max(this.worst.p99, Number(n.vitals.tickP99Ms) || 0);
      this.worst.p50 = Math.max(this.worst.p50, Number(n.vitals.tickP50Ms) || 0);
      this.worst.max = Math.max(this.worst.max, Number(n.vitals.tickMaxMs) || 0);
    }
    this.samples++;
  }

  /** The measured window opens: CPU counters read, tick sampling starts. */
  async open(): Promise<void> {
    this.openedAt = Date.now();
    for (const n of await this.nodes()) {
      if ((n.kind !== "client" && n.kind !== "zone") || n.pid === undefined) continue;
      try {
        this.cpuAtOpen.set(n.id, { pid: n.pid, kind: n.kind, cpu: cpuSeconds(n.pid) });
      } catch {
        // on another host, or gone: no CPU figure for it
      }
    }
    this.timer = setInterval(() => void this.nodes().then((nodes) => this.sample(nodes)), SAMPLE_MS);
  }

  /** The window closes; undefined when nothing of the realm could be read from here. */
  async close(): Promise<RealmSide | undefined> {
    clearInterval(this.timer);
    const seconds = (Date.now() - this.openedAt) / 1000;
    this.sample(await this.nodes());
    await this.wire.close();
    const nodes: NodeCpu[] = [];
    for (const [id, at] of this.cpuAtOpen) {
      try {
        nodes.push({ id, kind: at.kind, cpuPercent: Math.round(((cpuSeconds(at.pid) - at.cpu) / seconds) * 1000) / 10 });
      } catch {
        // restarted during the window: its counters start again, so no honest figure
      }
    }
    if (this.openedAt === 0 || (nodes.length === 0 && this.samples === 0)) return undefined;
    return { zoneTickP99Ms: this.worst.p99, zoneTickP50Ms: this.worst.p50, zoneTickMaxMs: this.worst.max, nodes, samples: this.samples };
  }
}
