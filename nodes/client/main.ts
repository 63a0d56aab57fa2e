import { runNode } from "../../common/main.ts";
import { loadConfig } from "../../config/load.ts";
import type { ClientNodeSpec } from "../../common/topology.ts";
import { ClientNode } from "./client-node.ts";
import { players, startLoadReports } from "./load-report.ts";

// The players' WebSocket endpoint and the fanout of the world to them (common/player-protocol.md).
await runNode<ClientNodeSpec>(["client"], loadConfig, async (rt, spec) => {
  const peers = startLoadReports(rt, rt.opts.config);
  const node = new ClientNode(rt, spec, rt.opts.config, peers, players);
  await node.start();
  rt.addVitals(() => {
    let out = 0;
    let frames = 0;
    let held = 0;
    let cells = 0;
    let dungeons = 0;
    let entities = 0;
    let inBytes = 0;
    let late = 0;
    let p99 = 0;
    for (const hub of node.hubs.values()) {
      out += hub.bytesOut;
      frames += hub.framesOut;
      held += hub.heldChanges;
      cells += hub.feed.subscribed;
      const dungeonViews = [...hub.dungeons.values()].flatMap((byCopy) => [...byCopy.values()]);
      dungeons += dungeonViews.length;
      for (const l of [...hub.layers.values(), ...dungeonViews]) {
        entities += l.mirror.e.count;
        inBytes += l.mirror.bytesIn;
      }
      late += hub.times.lateSlots;
      p99 = Math.max(p99, hub.times.percentiles().p99Ms);
    }
    return {
      players: players.value,
      bytesToPlayers: out,
      framesToPlayers: frames,
      changesHeldByBudget: held,
      bytesFromZones: inBytes,
      subscribedCells: cells,
      dungeonViews: dungeons,
      mirroredEntities: entities,
      fanoutP99Ms: p99,
      lateSlots: late,
      resumeTokens: node.sessions.book.size,
      resumes: node.sessions.resumes,
      kicks: node.sessions.kicks,
    };
  });
  rt.onStop(() => node.stop());
});
