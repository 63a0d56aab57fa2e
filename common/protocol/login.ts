// Messages between the login nodes and a realm node: granting a session (and hearing where the
// player was placed), ending one, and the realm's population for the realm list and the queue.
import { bool, int, num, object, oneOf, optional, str, type Infer } from "../schema.ts";
import { corr, nodeId } from "./control.ts";

export const accountId = str({ min: 1, max: 64, what: "an account id" });
export const accountName = str({ min: 1, max: 64, what: "an account name" });
/** sha256 of a session handle, hex: the realm node never sees the handle itself. */
export const sessionHash = str({ min: 64, max: 64, pattern: /^[0-9a-f]{64}$/, what: "a session hash (64 hex digits)" });

const PLACEMENT_REFUSALS = ["full", "no-client-node"] as const;
export type PlacementRefusal = (typeof PLACEMENT_REFUSALS)[number];

/**
 * A login node hands the realm node a fresh session. `keepFree` places stay free for the players
 * queued ahead of this one, so a new login never overtakes the queue.
 */
export const sessionGrant = object({
  corr,
  accountId,
  accountName,
  sessionHash,
  /** Until then (ms since the epoch) the handle may attach to a client node. */
  expiresAt: num({ min: 0 }),
  keepFree: int({ min: 0 }),
});

export const sessionGrantReply = object({
  corr,
  ok: bool,
  clientNode: optional(nodeId),
  /** The client node's WebSocket URL, ws://host:port/ */
  url: optional(str({ max: 300 })),
  code: optional(oneOf(PLACEMENT_REFUSALS)),
});
export type SessionGrantReply = Infer<typeof sessionGrantReply>;

/** Ends an account's session (logout, ban, a login to another realm). With `sessionHash`, only that one. */
export const sessionEnd = object({
  corr,
  accountId,
  sessionHash: optional(sessionHash),
  reason: str({ max: 200 }),
});
export const sessionEndReply = object({ corr, ended: bool });

export const realmStatusRequest = object({ corr });
export const realmStatusReply = object({
  corr,
  realm: str({ max: 64 }),
  population: int({ min: 0 }),
  cap: int({ min: 0 }),
  /** Client nodes whose load reports are fresh: 0 means nobody can be placed. */
  clientNodes: int({ min: 0 }),
});
export type RealmStatusReply = Infer<typeof realmStatusReply>;
