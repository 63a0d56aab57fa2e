// Client nodes tell the realm nodes and each other how many players they hold, every second:
// the realm nodes place new players on the least loaded one (and stop choosing a node whose
// reports stop), and client nodes know their peers' loads for when one must hand players on.
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import type { RealmsConfig } from "../../common/topology.ts";

const LOAD_REPORT_MS = 1000;

/** Players connected to this node: the WebSocket endpoint adds and removes them. */
export class PlayerCount {
  private n = 0;

  get value(): number {
    return this.n;
  }

  joined(): void {
    this.n++;
  }

  left(): void {
    if (this.n > 0) this.n--;
  }
}

export const players = new PlayerCount();

/** A peer client node's latest report; `started` changes when the node restarts. */
export interface PeerLoad {
  players: number;
  at: number;
  started: number;
}

/** Starts the reports; returns the peers' latest loads (client node id -> players), kept fresh by their reports. */
export function startLoadReports(rt: NodeRuntime, config: RealmsConfig, count: PlayerCount = players): Map<string, PeerLoad> {
  const peers = new Map<string, PeerLoad>();
  const targets = [...config.realms.map((r) => r.realmNode.id), ...config.clientNodes.map((c) => c.id).filter((id) => id !== rt.id)];
  const report = (): void => {
    const body = { node: rt.id, players: count.value, started: rt.startedAt };
    for (const to of targets) rt.wire.send(to, Op.CLIENT_LOAD, body);
  };
  rt.on(Op.CLIENT_LOAD, (b, from) => peers.set(from, { players: b.players, at: Date.now(), started: b.started }));
  report();
  const timer = setInterval(report, LOAD_REPORT_MS);
  rt.onStop(() => clearInterval(timer));
  return peers;
}
