// How a heartbeat vital is named as a Prometheus series. A node's own /metrics and the leading
// reviver's aggregate use the same names, so one dashboard reads either.
import type { NodeKind } from "../topology.ts";

/** Vitals every node sends (common/node.ts, and the heartbeat body itself): `realm_node_*`, not per kind. */
const EVERY_NODE = new Set(["loopDelayP99Ms", "badFrames", "droppedSends", "uptimeMs", "rssBytes", "heapUsedBytes"]);

/** Help for the figures operators ask for first; any other vital gets a generic line. */
const HELP: Record<string, string> = {
  players: "players this node holds now",
  bytesToPlayers: "bytes of world updates sent to players since the node started",
  fanoutP99Ms: "p99 of the time to fan one zone tick out to this node's players",
  commitP99Ms: "p99 of a group commit to LMDB",
  replicaLagOps: "operations the backup's replica is behind the database node",
  replicaLagMs: "how far the backup's replica is behind the database node, in time",
  auditBacklog: "audit events written but not yet taken by the backup node",
  tickP99Ms: "p99 of the zone's tick duration over its last 200 ticks",
};

interface VitalSeries {
  name: string;
  help: string;
  /** In the series' unit: milliseconds become seconds, as Prometheus names them. */
  value: number;
}

/** `tickP99Ms` of a zone becomes `realm_zone_tick_p99_seconds`, its value divided by 1000. */
export function vitalSeries(kind: NodeKind, vital: string, value: number): VitalSeries {
  const snake = vital
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
  const ms = snake.endsWith("_ms");
  const base = ms ? `${snake.slice(0, -3)}_seconds` : snake;
  const every = EVERY_NODE.has(vital);
  return {
    name: every ? `realm_node_${base}` : `realm_${kind}_${base}`,
    help: `${HELP[vital] ?? `heartbeat vital ${vital}`} (${every ? "every node" : `${kind} nodes`})`,
    value: ms ? value / 1000 : value,
  };
}
