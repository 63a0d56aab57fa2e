// A player at a dungeon entrance asks to go in: the client node asks the realm node on its
// behalf, the realm node takes a node from the shared pool (or queues the request) and has the
// zone hand the player (or its party) to the instance. The realm node tells the player's client
// node how a queued request goes.
import { bool, int, list, num, object, oneOf, optional, str } from "../schema.ts";
import { DUNGEONS } from "../dungeons.ts";
import { accountId } from "./login.ts";
import { corr, nodeId } from "./control.ts";
import { entity, world } from "./zone.ts";

const coord = num({ min: -1e6, max: 1e6 });

/** An entrance's name, as realms.yaml gives it. */
export const entranceName = str({ min: 1, max: 64, what: "an entrance name" });

export const DUNGEON_REFUSALS = ["not-attached", "not-in-world", "unknown-entrance", "too-far", "not-leader", "already-queued", "unavailable"] as const;

export const dungeonEnter = object({ corr, accountId, entrance: entranceName });
/** `queued`: the pool is full; `position` (1 is next) follows in DUNGEON_STATUS as it moves. */
export const dungeonEnterReply = object({
  corr,
  ok: bool,
  state: optional(oneOf(["entering", "queued"] as const)),
  position: optional(int({ min: 1 })),
  code: optional(oneOf(DUNGEON_REFUSALS)),
  error: optional(str({ max: 300 })),
});

/** A queued request moved up, was admitted, or was dropped (`reason`). */
export const dungeonStatus = object({
  accountId,
  entrance: entranceName,
  state: oneOf(["queued", "admitted", "dropped"] as const),
  position: optional(int({ min: 1 })),
  reason: optional(str({ max: 200 })),
});

/**
 * Realm -> zone: move these players (a party) into a dungeon if they stand within `radius` of the
 * entrance (x, y); the zone owns positions, so it is the one to judge. Without `to` the zone only
 * says who stands there (the realm node asks before it takes a node from the pool).
 */
export const zoneTransfer = object({
  corr,
  entities: list(entity, { min: 1, max: 40 }),
  x: coord,
  y: coord,
  radius: num({ min: 0, max: 10_000 }),
  to: optional(object({ node: nodeId, world, dungeon: oneOf(DUNGEONS), landX: coord, landY: coord })),
});
/**
 * `near`: the entities within the radius (and, with `to`, handed to the instance); `code` when none.
 * `away`: those asked for that the zone does not hold or is handing off (absent from an older zone).
 */
export const zoneTransferReply = object({ corr, ok: bool, near: list(entity, { max: 40 }), away: optional(list(entity, { max: 40 })), code: optional(str({ max: 64 })) });

/** World -> realm: a player arrived by handoff (zone to zone, into or out of a dungeon): the directory's `zone` follows it. */
export const worldArrived = object({ world, entity, characterId: str({ min: 1, max: 64 }), accountId, clientNode: nodeId });
