// Messages of the client nodes among themselves and toward zones: reconnect tokens shared with
// every other client node (so a player whose node died can come back through any of them), and
// the reattach that tells a zone which client node now speaks for a player.
import { bool, int, list, num, object, oneOf, optional, str } from "../schema.ts";
import { DUNGEONS } from "../dungeons.ts";
import { corr, nodeId } from "./control.ts";
import { accountId } from "./login.ts";

const entity = int({ min: 1, max: 0xffffffff });
/** A zone (`FORTRAX-ZONE-1`) or one of its layers (`FORTRAX-ZONE-1~2`). */
const world = str({ min: 1, max: 80, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*(~\d+)?$/, what: "a world id" });
/** sha256 of a reconnect token, hex: the token itself only ever travels to its player. */
const tokenHash = str({ min: 64, max: 64, pattern: /^[0-9a-f]{64}$/, what: "a token hash (64 hex digits)" });

/** What a client node needs to take a dropped player back: who, which character, where it was last seen. */
export const resumeGrant = object({
  token: tokenHash,
  accountId,
  realm: str({ min: 1, max: 64 }),
  entity,
  characterId: str({ min: 1, max: 64 }),
  name: str({ min: 1, max: 32 }),
  zone: world,
  /** The dungeon's kind when `zone` is an instance: the client node sizes its view of it from the kind. */
  dungeon: optional(oneOf(DUNGEONS)),
  x: num({ min: -1e6, max: 1e6 }),
  y: num({ min: -1e6, max: 1e6 }),
  /** Set once the connection dropped: the grace period runs from here. */
  droppedAt: optional(num({ min: 0 })),
});

/** From the node holding the players to every other client node: new tokens and changes (zone, drop). */
export const clientResumeGrant = object({ grants: list(resumeGrant, { max: 20_000 }) });

export const RESUME_ENDS = ["resumed", "expired", "left"] as const;
/** A token is spent (taken by a node, expired, or the player left): every node forgets it; the holder closes the old socket. */
export const clientResumeTaken = object({ token: tokenHash, by: nodeId, why: oneOf(RESUME_ENDS) });

/** A client node now speaks for the player (it reattached after a reconnect). */
export const zoneReattach = object({ corr, entity, clientNode: nodeId });
/** `ok: false` when the zone does not hold the entity (handed over, or gone); `seq` is the last intent applied. */
export const zoneReattached = object({
  corr,
  ok: bool,
  zone: world,
  x: optional(num({ min: -1e6, max: 1e6 })),
  y: optional(num({ min: -1e6, max: 1e6 })),
  seq: optional(int({ min: -1, max: 0xffffffff })),
});
