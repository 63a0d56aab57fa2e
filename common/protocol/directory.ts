// Messages that rebuild a restarted realm node's directory (who is where): the realm node asks
// every client node for the players of its realm that it holds, and every zone and instance node
// for the players in its worlds; client nodes also say when they took a player over by a resume.
// Reports are plain messages, not answers: one that comes late (a node slow or down while the
// realm node rebuilt) is merged when it comes.
import { bool, list, object, optional, str } from "../schema.ts";
import { characterId } from "./characters.ts";
import { nodeId } from "./control.ts";
import { accountId } from "./login.ts";
import { entity, world } from "./zone.ts";

const realm = str({ min: 1, max: 64, what: "a realm name" });

/** Players per report message: a whole node's players could pass the 1 MiB body limit. */
const REPORT_PART = 2000;

/** Sends a report in parts of REPORT_PART players (one empty part when there are none); `done` on the last. */
export function sendInParts<T>(players: T[], send: (part: T[], done: boolean) => void): void {
  for (let i = 0; ; i += REPORT_PART) {
    const done = i + REPORT_PART >= players.length;
    send(players.slice(i, i + REPORT_PART), done);
    if (done) return;
  }
}

/** A player a client node holds: the account, and its character in the world (absent in the lobby). */
export const heldPlayer = object({
  accountId,
  characterId: optional(characterId),
  entity: optional(entity),
  world: optional(world),
});

/** A realm node (just started) asks a client node for the players of its realm. */
export const realmDirectoryRequest = object({ realm });

/** What the client node holds for that realm, in parts; `done` on the last one. */
export const realmDirectoryReport = object({ realm, players: list(heldPlayer, { max: REPORT_PART }), done: bool });

/** A client node took a player over (a resume through it): kicks and departures go there now. */
export const sessionMoved = object({ realm, player: heldPlayer });

/** A realm node (just started) asks a zone or instance node for the players of its realm in its worlds. */
export const zonePlayersRequest = object({ realm });

/** A player in a zone's world, and the client node that speaks for it there. */
export const zonePlayer = object({ entity, characterId, accountId, clientNode: nodeId, world });

export const zonePlayersReport = object({ realm, players: list(zonePlayer, { max: REPORT_PART }), done: bool });
