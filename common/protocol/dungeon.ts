// A player at a dungeon entrance asks to go in: the client node asks the realm node on its
// behalf, the realm node takes a node from the shared pool (or queues the request) and has the
// zone hand the player (or its party) to the instance. The realm node tells the player's client
// node how a queued request goes.
import { bool, int, object, oneOf, optional, str } from "../schema.ts";
import { accountId } from "./login.ts";
import { corr } from "./control.ts";

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
