// What the reviver tells a realm's players through every client node: notices (a restart coming,
// the realm's storage paused while its database node restarts), and, when the realm restarts,
// the closing of their connections: each character leaves its zone (which saves it) and the
// player logs in again afterwards.
import { Op } from "../../common/opcodes.ts";
import { encodeServer } from "../../common/player-codec.ts";
import { CloseCode, NoticeKind, PlayerOp } from "../../common/player-opcodes.ts";
import type { NodeRuntime } from "../../common/node.ts";
import type { Sessions } from "./sessions.ts";
import { flushEvents } from "./zone-events.ts";

export function serveRealmNotices(rt: NodeRuntime, sessions: Sessions): void {
  const playersOf = (realm: string) => [...sessions.byAccount.values()].filter((p) => p.realm === realm);
  const notice = (realm: string, kind: number, seconds: number, text: string): void => {
    const frame = encodeServer({ op: PlayerOp.SMSG_NOTICE, kind, seconds, text });
    const players = playersOf(realm);
    for (const p of players) p.send(frame);
    rt.log.info("players-noticed", { realm, kind, seconds, players: players.length });
  };
  rt.on(Op.PLAYER_NOTICE, ({ realm, kind, seconds, text }) => notice(realm, kind, seconds, text));
  // trades and loot wait for the database (nodes/zone/economy.ts); players hear why
  rt.onPeerDown(({ kind, realm }) => {
    if (kind === "database" && realm !== undefined) notice(realm, NoticeKind.STORAGE_PAUSED, 0, "The realm's storage is restarting: trades and loot wait a moment.");
  });
  rt.onPeerUp(({ kind, realm }) => {
    if (kind === "database" && realm !== undefined) notice(realm, NoticeKind.STORAGE_RESUMED, 0, "The realm's storage is back.");
  });
  rt.on(Op.REALM_CLOSE_PLAYERS, ({ corr, realm, reason }, from) => {
    const players = playersOf(realm);
    for (const p of players) {
      flushEvents(p);
      sessions.evict(p, CloseCode.REALM_RESTARTING, reason);
    }
    rt.log.info("realm-players-closed", { realm, reason, players: players.length, by: from });
    rt.wire.reply(from, Op.REALM_CLOSE_PLAYERS_REPLY, { corr, closed: players.length });
  });
}
