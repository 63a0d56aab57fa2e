// Messages of the world: the realm node placing a player in a zone, client nodes passing
// intents in, zones sending reliable events out, and zones handing players to each other.
// World state itself does not travel here: it goes out as cell blocks on the zone's PUB socket.
import { bool, bytes, int, list, map, num, object, oneOf, optional, str, variant, type Infer, type Without } from "../schema.ts";
import { checkMoves, MAX_MOVES, MOVE_BYTES } from "../move-batch.ts";
import { DUNGEONS } from "../dungeons.ts";
import { WORLD_ID } from "../world-address.ts";
import { corr, nodeId } from "./control.ts";
import { MAX_EXCUSED_MS } from "../stalls.ts";

export const entity = int({ min: 1, max: 0xffffffff });
/** A zone, one of its layers or an instance: see common/world-address.ts. */
export const world = str({ min: 1, max: 80, pattern: WORLD_ID, what: "a world id" });
const coord = num({ min: -1e6, max: 1e6 });
const characterId = str({ min: 1, max: 64 });

/** Everything a zone needs to own a player; also what travels in a handoff. */
const playerState = object({
  entity,
  characterId,
  accountId: str({ min: 1, max: 64 }),
  clientNode: nodeId,
  name: str({ min: 1, max: 32 }),
  x: coord,
  y: coord,
  heading: num({ min: -10, max: 10 }),
  level: int({ min: 1, max: 255 }),
  hp: int({ min: 0, max: 1_000_000 }),
  maxHp: int({ min: 1, max: 1_000_000 }),
  speed: num({ min: 0, max: 1000 }),
  /** Version of the last checkpoint saved, so a stale one never overwrites a newer one. */
  version: int({ min: 0 }),
  /** Intents applied (the highest seq, a bit per seq below it, the last move's seq): a handoff
   * carries them so no intent is applied twice and no stale move undoes a newer one. */
  seq: int({ min: -1, max: 0xffffffff }),
  seqMask: int({ min: 0, max: 0xffffffff }),
  moveSeq: int({ min: -1, max: 0xffffffff }),
});
export type PlayerState = Infer<typeof playerState>;

/** Item ids: one side of a trade (the zone allows 8), or a whole wallet. */
const itemIds = list(str({ min: 1, max: 64 }), { max: 10_000 });
const gold = int({ min: 0, max: 1e12 });
const heading = num({ min: -10, max: 10 });
const text = str({ max: 256 });
const offer = int({ min: 0, max: 0xffffffff });
const fromName = str({ max: 32 });
const reason = str({ max: 200 });
const opId = str({ max: 100 });
const amount = int({ min: -1_000_000, max: 1_000_000 });

/** One player intent, its keys those of its kind. `seq` orders a player's intents and makes a replayed one harmless. */
export const intent = variant(
  "kind",
  { entity, seq: int({ min: 0, max: 0xffffffff }) },
  {
    /** `heading` absent: the character faces the way it stepped. */
    move: { x: coord, y: coord, heading: optional(heading) },
    attack: { target: entity },
    loot: { target: entity },
    say: { text },
    "zone-chat": { text },
    leave: {},
    /** Out of the dungeon, back to the entrance the player came in by. */
    "dungeon-leave": {},
    /** Trades: the player offered to or the offer answered, and what this player gives. */
    "trade-offer": { target: entity, gold, items: itemIds },
    "trade-accept": { offer, gold, items: itemIds },
    "trade-decline": { offer },
  },
);
export type Intent = Infer<typeof intent>;
export type IntentOf<K extends Intent["kind"]> = Extract<Intent, { kind: K }>;
/** An intent as a client node asks it, before it names the entity and numbers it. */
export type PlayerIntent = Without<Intent, "entity" | "seq">;

/** One reliable event for one player, in the order the zone produced it, its keys those of its kind. */
const zoneEvent = variant(
  "kind",
  { entity },
  {
    entered: { x: coord, y: coord, zone: world },
    correct: { x: coord, y: coord, reason },
    say: { from: entity, fromName, text },
    "zone-chat": { from: entity, fromName, text },
    combat: { from: entity, target: entity, amount },
    /** Economy events (loot, trades, wallet): acknowledged by the database before they are sent. `amount`: the item's template. */
    loot: { target: entity, amount, opId, items: itemIds },
    /** The character is in another world now; into or out of a dungeon (`dungeon` its kind when into one), `x`, `y` say where it landed. */
    redirect: { zone: world, dungeon: optional(oneOf(DUNGEONS)), x: optional(coord), y: optional(coord) },
    left: { reason },
    refused: { reason },
    "trade-offered": { from: entity, fromName, offer, gold, items: itemIds },
    /** Refused (`ok` false) it moved nothing: no amounts, and no `opId` when a player declined. */
    "trade-result": {
      amount: optional(amount),
      reason: optional(reason),
      opId: optional(opId),
      offer,
      ok: bool,
      gold: optional(gold),
      received: optional(itemIds),
      given: optional(itemIds),
    },
    /** `kinds`: the kind of each item in `items`. */
    wallet: { gold, items: itemIds, kinds: list(str({ max: 64 }), { max: 100_000 }) },
    /** `amount`: the NoticeKind. */
    notice: { amount, text },
  },
);
export type ZoneEvent = Infer<typeof zoneEvent>;
export type ZoneEventOf<K extends ZoneEvent["kind"]> = Extract<ZoneEvent, { kind: K }>;

/** `with`: put the player in the same layer as this entity (a party member, a friend) if there is room. */
export const zoneEnter = object({ corr, player: playerState, with: optional(entity) });
export const zoneEntered = object({ corr, ok: bool, zone: world, code: optional(str({ max: 64 })) });
/**
 * `moves`: moves as binary records (common/move-batch.ts), applied before the batch's `intents`.
 * `stalledMs`: how long the sending client node was stalled, not reading its players, since its
 * last batch to this node: the moves that piled up meanwhile come all in this one.
 */
export const zoneIntents = object({
  intents: list(intent, { max: 20_000 }),
  moves: optional(map(bytes(MAX_MOVES * MOVE_BYTES), checkMoves)),
  stalledMs: optional(int({ min: 0, max: MAX_EXCUSED_MS })),
});
export const zoneEvents = object({ zone: world, tick: int({ min: 0 }), events: list(zoneEvent, { max: 50_000 }) });

/** Into a dungeon: where the player goes back to, the zone node owning the entrance and the entrance point. */
const dungeonBack = object({ zone: nodeId, x: coord, y: coord });
export type DungeonBack = Infer<typeof dungeonBack>;

/** `layer`: the copy of the zone the player leaves from, so a group walking together stays together; `back`: into a dungeon. */
export const handoffOffer = object({ corr, ticket: str({ min: 1, max: 64 }), player: playerState, layer: int({ min: 0, max: 1000 }), back: optional(dungeonBack) });
export const handoffAccept = object({ corr, ticket: str({ min: 1, max: 64 }), ok: bool, code: optional(str({ max: 64 })) });
/** The old zone has let go: the player's latest state, and intents that reached the old zone meanwhile. */
export const handoffCommit = object({ ticket: str({ min: 1, max: 64 }), player: playerState, intents: list(intent, { max: 1000 }), back: optional(dungeonBack) });

/** The zone's exact positions, for tests and benchmarks that compare a view with the truth. */
export const truthRequest = object({ corr });
export const truthReply = object({
  corr,
  zone: world,
  tick: int({ min: 0 }),
  serverTime: num({ min: 0 }),
  entities: list(object({ entity, kind: int({ min: 0, max: 255 }), x: coord, y: coord }), { max: 200_000 }),
});

/** Server-side displacement (teleport, knockback) ordered by the realm or an operator. */
export const displace = object({ entity, x: coord, y: coord, reason: str({ max: 64 }) });

/** A zone node (re)started empty: the realm node puts back the players it had there. */
export const zoneStarted = object({ zone: nodeId });

/** The realm node asks a pool node for a fresh dungeon; the node answers busy if it hosts one. */
export const instanceOpen = object({ corr, realm: str({ min: 1, max: 64 }), dungeon: oneOf(DUNGEONS), cap: optional(int({ min: 1, max: 1000 })) });
export const instanceOpened = object({
  corr,
  ok: bool,
  node: nodeId,
  /** The instance's id: also the prefix of its cell topics. */
  instance: optional(world),
  width: optional(num({ min: 1 })),
  height: optional(num({ min: 1 })),
  entranceX: optional(coord),
  entranceY: optional(coord),
  code: optional(str({ max: 64 })),
});
/** An empty instance closed: its node is back in the pool. */
export const instanceClosed = object({ node: nodeId, instance: world, realm: str({ max: 64 }) });
