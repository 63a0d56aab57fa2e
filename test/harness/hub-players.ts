// Players in a client node's realm hub without sockets: for tests of the hub itself, in process.
import type { WebSocket } from "ws";
import { createLog } from "../../common/log.ts";
import { Player } from "../../nodes/client/player.ts";
import type { RealmHub } from "../../nodes/client/realm-hub.ts";
import { NO_STALLS } from "../../nodes/client/stall-ledger.ts";

/** What a Player needs of its socket here: open, never backed up. */
const openSocket = { readyState: 1, OPEN: 1, CLOSED: 3, CLOSING: 2, bufferedAmount: 0, send: () => {}, close: () => {} } as unknown as WebSocket;

/** A player in the world at (100, 100) of the realm's first zone, added to the hub's fanout. */
export function hubPlayer(hub: RealmHub, entity: number): Player {
  const p = new Player(openSocket, "test", createLog("test", "error"), NO_STALLS);
  p.entity = entity;
  p.phase = "world";
  hub.place(p, hub.realm.zones[0]!.id, 100, 100, undefined);
  hub.add(p);
  return p;
}
