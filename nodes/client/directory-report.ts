// What a client node tells a realm node about the players of its realm that it holds: all of
// them when a (re)started realm node asks, so it can rebuild its directory, and one of them when
// this node took the player over by a resume, so kicks and departures come here from then on.
import { worldId } from "../../common/world-address.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import { sendInParts, type heldPlayer } from "../../common/protocol/directory.ts";
import type { Infer } from "../../common/schema.ts";
import type { Wire } from "../../common/wire.ts";
import type { RealmSpec } from "../../common/topology.ts";
import type { Player } from "./player.ts";
import type { Sessions } from "./sessions.ts";

type Held = Infer<typeof heldPlayer>;

/** The player as the realm's directory knows it: the account, and the character if it is in the world. */
function held(realm: RealmSpec, p: Player): Held {
  const inWorld = (p.phase === "world" || p.phase === "leaving" || p.phase === "dropped") && p.entity > 0 && p.characterId !== "";
  const zone = inWorld ? realm.zones[p.zone] : undefined;
  if (!zone) return { accountId: p.accountId };
  return { accountId: p.accountId, characterId: p.characterId, entity: p.entity, world: p.dungeon?.world ?? worldId(zone.id, p.copy) };
}

/** Connected players (lobby to leaving), and dropped ones still waiting for their resume: each holds a place in its realm. */
function heldPlayers(sessions: Sessions, realm: RealmSpec): Held[] {
  const out = new Map<string, Held>();
  for (const p of sessions.byAccount.values()) if (p.realm === realm.name && p.phase !== "gone") out.set(p.accountId, held(realm, p));
  for (const p of sessions.byToken.values()) if (p.realm === realm.name && p.phase === "dropped" && !out.has(p.accountId)) out.set(p.accountId, held(realm, p));
  return [...out.values()];
}

export function serveDirectoryRequests(rt: NodeRuntime, sessions: Sessions): void {
  rt.on(Op.REALM_DIRECTORY_REQUEST, ({ realm }, from) => {
    const spec = sessions.hubs.get(realm)?.realm;
    // the players' accounts are for their realm's node only
    if (!spec || spec.realmNode.id !== from) return void rt.log.warn("directory-request-refused", { from, realm });
    const players = heldPlayers(sessions, spec);
    sendInParts(players, (part, done) => rt.wire.reply(from, Op.REALM_DIRECTORY_REPORT, { realm, players: part, done }));
    rt.log.info("directory-reported", { realm, to: from, players: players.length });
  });
}

/** This node took the player over (a resume): the realm node moves its place here. */
export function reportMoved(wire: Pick<Wire, "send">, sessions: Sessions, p: Player): void {
  const realm = sessions.hubs.get(p.realm)?.realm;
  if (realm) wire.send(realm.realmNode.id, Op.SESSION_MOVED, { realm: realm.name, player: held(realm, p) });
}
