// Asking the revivers how the realm is. Every reviver hears every heartbeat, but only the
// leader acts, so its answer is the one that counts; a follower's is the fallback.
import { createLog } from "../common/log.ts";
import { Op } from "../common/opcodes.ts";
import type { NodeStatus, StatusReply } from "../common/protocol/reviver.ts";
import { realmWire } from "../common/mesh/realm-mesh.ts";
import type { Wire } from "../common/wire.ts";
import type { RealmsConfig } from "../common/topology.ts";

export function opsWire(config: RealmsConfig): Wire {
  const self = `ops-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const log = createLog(self, "error");
  return realmWire(config, self, log);
}

export async function queryStatus(config: RealmsConfig, wire: Wire, timeoutMs = 1500): Promise<StatusReply | undefined> {
  const answers = await Promise.allSettled(config.revivers.map((r) => wire.request(r.id, Op.STATUS_REQUEST, {}, timeoutMs)));
  const replies = answers.flatMap((a) => (a.status === "fulfilled" ? [a.value] : []));
  return replies.find((r) => r.leader) ?? replies[0];
}

export function stopRealm(config: RealmsConfig, wire: Wire, reason: string): void {
  for (const r of config.revivers) wire.send(r.id, Op.STOP_REALM, { reason });
}

/** The JSON contract of `realm status --json`. */
export function statusJson(reply: StatusReply): object {
  return {
    reviver: reply.reviver,
    leader: reply.leader,
    nodes: reply.nodes.map((n) => ({
      id: n.id,
      kind: n.kind,
      realm: n.realm ?? null,
      state: n.state,
      pid: n.pid ?? null,
      restarts: n.restarts,
      heartbeatAgeMs: n.heartbeatAgeMs ?? null,
      reason: n.reason ?? null,
      vitals: n.vitals,
      history: n.history.map((h) => ({ at: h.at, cause: h.cause, procedure: h.procedure, recoveredMs: h.recoveredMs ?? null })),
    })),
  };
}

/** Restarts shown under the node table, newest last; `--json` has every node's last 20. */
const RESTARTS_SHOWN = 10;

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(head), ...rows.map(line)];
}

function restartsTable(nodes: NodeStatus[]): string[] {
  const all = nodes.flatMap((n) => n.history.map((h) => ({ node: n.id, ...h }))).sort((a, b) => a.at - b.at);
  if (all.length === 0) return ["Restarts: none"];
  const shown = all.slice(-RESTARTS_SHOWN);
  const rows = shown.map((r) => [
    new Date(r.at).toISOString(),
    r.node,
    r.cause,
    r.recoveredMs === undefined ? "-" : `${(r.recoveredMs / 1000).toFixed(2)} s`,
    r.procedure,
  ]);
  const more = all.length > shown.length ? ` (last ${shown.length} of ${all.length}; realm status --json has more)` : "";
  return [`Restarts${more}`, ...table(["TIME", "NODE", "CAUSE", "UP AGAIN", "PROCEDURE"], rows)];
}

export function statusTable(reply: StatusReply): string {
  const rows = reply.nodes.map((n) => [
    n.id,
    n.kind,
    n.realm ?? "-",
    n.state,
    String(n.pid ?? "-"),
    String(n.restarts),
    n.heartbeatAgeMs === undefined ? "-" : `${Math.round(n.heartbeatAgeMs)}ms`,
    n.vitals.rssBytes === undefined ? "-" : `${Math.round(n.vitals.rssBytes / 2 ** 20)}MiB`,
    n.reason ?? "",
  ]);
  const head = ["ID", "KIND", "REALM", "STATE", "PID", "RESTARTS", "HEARTBEAT", "RSS", "REASON"];
  return [
    `answered by ${reply.reviver}${reply.leader ? " (leader)" : " (follower: no leader answered)"}`,
    ...table(head, rows),
    "",
    ...restartsTable(reply.nodes),
  ].join("\n");
}
