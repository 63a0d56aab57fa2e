// One Prometheus registry per node process: the default process metrics, the vitals of the
// node's last heartbeat, and whatever series its kind adds (a zone's tick histogram, a login
// node's outcomes). Every series carries `node`, `kind` and `realm`.
import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { AnyNodeSpec } from "../topology.ts";
import type { Vitals } from "../protocol/control.ts";
import { vitalSeries } from "./vital-series.ts";

/** What GET /metrics answers. */
export interface MetricsPage {
  status: number;
  contentType: string;
  body: string;
}

/**
 * How often the event-loop delay is sampled, here and in the default metrics. Every sample wakes
 * the process, and a wakeup costs about 0.1 ms of CPU on a virtual machine: at prom-client's 10 ms
 * that alone was 4-5 ms of CPU a second per idle node. A loop stall still shows in full; it is
 * its short jitter that goes unsampled.
 */
export const LOOP_DELAY_RESOLUTION_MS = 100;

export class NodeMetrics {
  readonly registry = new Registry();
  /** The vitals of the last heartbeat: read, never recomputed, since computing them resets their windows. */
  latest: Vitals = {};
  private readonly vitalGauges = new Map<string, Gauge>();
  /** What the listener serves; the leading reviver puts the realm's aggregate here instead. */
  page: () => Promise<MetricsPage> = () => this.own();

  constructor(private readonly spec: AnyNodeSpec) {
    this.registry.setDefaultLabels({ node: spec.id, kind: spec.kind, realm: spec.realm ?? "" });
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: LOOP_DELAY_RESOLUTION_MS });
  }

  /** This node's registry in the text format. */
  async own(): Promise<MetricsPage> {
    for (const [vital, value] of Object.entries(this.latest)) this.vitalGauge(vital).set(vitalSeries(this.spec.kind, vital, value).value);
    return { status: 200, contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private vitalGauge(vital: string): Gauge {
    let gauge = this.vitalGauges.get(vital);
    if (!gauge) {
      const { name, help } = vitalSeries(this.spec.kind, vital, 0);
      gauge = new Gauge({ name, help, registers: [this.registry] });
      this.vitalGauges.set(vital, gauge);
    }
    return gauge;
  }
}
