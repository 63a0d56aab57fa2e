// What a client node tells a realm node about the players of its realm that it holds: all of
// them when a (re)started realm node asks, so it can rebuild its directory, and one of them when
// this node took the player over by a resume, so kicks and departures come here from then on.
import { worldId } from "../../common/world-address.ts";
import { Op } from "../../common/opcodes.ts";
import { sendInParts, type heldPlayer } from "../../common/protocol/directory.ts";
import type { Infer } from "../../common/schema.ts";
import type { ClientNode } from "./client-node.ts";
import type { Player } from "./player.ts";

type Held = Infer<typeof heldPlayer>;

/** The player as the realm's directory knows it: the account, and the character if it is in the world. */
function held(node: ClientNode, p: Player): Held {
  const inWorld = (p.phase === "world" || p.phase === "leaving" || p.phase === "dropped") && p.entity > 0 && p.characterId !== "";
  const zone = inWorld ? node.hubs.get(p.realm)?.realm.zones[p.zone] : undefined;
  if (!zone) return { accountId: p.accountId };
  return { accountId: p.accountId, characterId: p.characterId, entity: p.entity, world: worldId(zone.id, p.copy) };
}

/** Connected players (lobby to leaving), and dropped ones still waiting for their resume: each holds a place in its realm. */
function heldPlayers(node: ClientNode, realm: string): Held[] {
  const out = new Map<string, Held>();
  for (const p of node.byAccount.values()) if (p.realm === realm && p.phase !== "gone") out.set(p.accountId, held(node, p));
  for (const p of node.byToken.values()) if (p.realm === realm && p.phase === "dropped" && !out.has(p.accountId)) out.set(p.accountId, held(node, p));
  return [...out.values()];
}

export function serveDirectoryRequests(node: ClientNode): void {
  const { rt } = node;
  rt.on(Op.REALM_DIRECTORY_REQUEST, ({ realm }, from) => {
    // the players' accounts are for their realm's node only
    if (node.hubs.get(realm)?.realm.realmNode.id !== from) return void rt.log.warn("directory-request-refused", { from, realm });
    const players = heldPlayers(node, realm);
    sendInParts(players, (part, done) => rt.wire.reply(from, Op.REALM_DIRECTORY_REPORT, { realm, players: part, done }));
    rt.log.info("directory-reported", { realm, to: from, players: players.length });
  });
}

/** This node took the player over (a resume): the realm node moves its place here. */
export function reportMoved(node: ClientNode, p: Player): void {
  const realm = node.hubs.get(p.realm)?.realm;
  if (realm) node.rt.wire.send(realm.realmNode.id, Op.SESSION_MOVED, { realm: realm.name, player: held(node, p) });
}
