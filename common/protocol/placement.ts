// Messages between client nodes and realm nodes about players' places: load reports (also
// between client nodes), the session check when a player attaches, kicks and departures.
import { bool, int, num, object, oneOf, optional, str } from "../schema.ts";
import { corr, nodeId } from "./control.ts";
import { accountId } from "./login.ts";

/** Every second, from each client node to every realm node and every other client node. */
export const clientLoad = object({
  node: nodeId,
  players: int({ min: 0 }),
  /** When the sending process started (ms since the epoch): another value means the node restarted. */
  started: int({ min: 0 }),
});

/** A client node asks whether a player's session handle may attach; a handle attaches once. */
export const realmSessionCheck = object({
  corr,
  /** The handle as the player sent it; anything malformed is simply unknown. */
  session: str({ max: 256 }),
});

const SESSION_REFUSALS = ["unknown", "expired", "used"] as const;

export const realmSessionCheckReply = object({
  corr,
  ok: bool,
  accountId: optional(accountId),
  realm: optional(str({ max: 64 })),
  code: optional(oneOf(SESSION_REFUSALS)),
});

/** The realm node tells the client node holding an account's connection to close it. */
export const sessionKick = object({
  accountId,
  reason: str({ max: 200 }),
  /** When the realm node sent it: a kick queued for a client node that was down must not close a connection made since. */
  at: optional(num({ min: 0 })),
});

/** A client node tells the realm node a player's connection is gone, so the place frees. */
export const realmPlayerLeft = object({ accountId });
