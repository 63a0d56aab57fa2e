// The leading reviver's `/metrics`: every node of the realm from the heartbeats it hears, so one
// scrape target covers a one-machine realm. Built afresh from the watch table at each scrape: a
// node no longer in the config has no series at all, and a node that is down keeps only its
// `realm_node_up 0` (its last vitals would be read as current).
import { Gauge, Registry } from "prom-client";
import type { MetricsPage } from "../../common/metrics/node-metrics.ts";
import { vitalSeries } from "../../common/metrics/vital-series.ts";
import type { NodeStatus } from "../../common/protocol/reviver.ts";
import type { ReviverSpec } from "../../common/topology.ts";

const LABELS = ["node", "kind", "realm"] as const;

export async function realmMetricsPage(nodes: readonly NodeStatus[]): Promise<MetricsPage> {
  const registry = new Registry();
  const gauges = new Map<string, Gauge<(typeof LABELS)[number]>>();
  const gauge = (name: string, help: string): Gauge<(typeof LABELS)[number]> => {
    let g = gauges.get(name);
    if (!g) {
      g = new Gauge({ name, help, labelNames: LABELS, registers: [registry] });
      gauges.set(name, g);
    }
    return g;
  };
  for (const n of nodes) {
    const labels = { node: n.id, kind: n.kind, realm: n.realm ?? "" };
    const up = n.state === "up";
    gauge("realm_node_up", "1 while the node heartbeats, 0 while it is down, starting, given up or stopped").set(labels, up ? 1 : 0);
    gauge("realm_node_restarts", "restarts of the node in this run of the realm").set(labels, n.restarts);
    if (!up) continue;
    if (n.heartbeatAgeMs !== undefined) gauge("realm_node_heartbeat_age_seconds", "time since the node's last heartbeat").set(labels, n.heartbeatAgeMs / 1000);
    for (const [vital, value] of Object.entries(n.vitals)) {
      const s = vitalSeries(n.kind, vital, value);
      gauge(s.name, s.help).set(labels, s.value);
    }
  }
  return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
}

/**
 * A follower's answer: 503, naming the leader and its metrics address, so a scrape of both
 * revivers finds the realm on exactly one of them.
 */
export function followerMetricsPage(self: string, nodes: readonly NodeStatus[], revivers: readonly ReviverSpec[]): MetricsPage {
  const leader = nodes.find((n) => n.kind === "reviver" && n.id !== self && n.state === "up" && n.vitals.leader === 1);
  const at = revivers.find((r) => r.id === leader?.id)?.metrics;
  const where = !leader
    ? "no leader is known yet; retry in a second"
    : at
      ? `the leader is ${leader.id}: scrape http://${at.host.includes(":") ? `[${at.host}]` : at.host}:${at.port}/metrics`
      : `the leader is ${leader.id}, which has no metrics address in realms.yaml`;
  return { status: 503, contentType: "text/plain; charset=utf-8", body: `${self} does not lead the realm, so it serves no aggregate: ${where}\n` };
}
