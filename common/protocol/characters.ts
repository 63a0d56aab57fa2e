// Character list / create / delete / select: a client node asks the realm node on behalf of a
// player whose session it attached; the realm node asks the realm's database node.
import { bool, int, list, num, object, oneOf, optional, str, type Infer } from "../schema.ts";
import { corr, nodeId } from "./control.ts";
import { accountId } from "./login.ts";

export const characterId = str({ min: 1, max: 64, what: "a character id" });
/** Idempotency key: a retried create or delete with the same opId is applied once. */
const opId = str({ min: 1, max: 64, what: "an operation id" });

export const characterSummary = object({
  id: characterId,
  accountId,
  name: str({ min: 1, max: 32 }),
  level: int({ min: 0 }),
  x: num(),
  y: num(),
});
export type CharacterSummaryBody = Infer<typeof characterSummary>;

export const CHARACTER_REFUSALS = [
  "not-attached",
  "bad-name",
  "name-taken",
  "too-many-characters",
  "not-found",
  "not-owner",
  "no-zone",
  "unavailable",
] as const;
export type CharacterRefusal = (typeof CHARACTER_REFUSALS)[number];

const refusal = { code: optional(oneOf(CHARACTER_REFUSALS)), error: optional(str({ max: 300 })) };

export const charList = object({ corr, accountId });
export const charListReply = object({ corr, ok: bool, characters: optional(list(characterSummary, { max: 1000 })), ...refusal });

export const charCreate = object({ corr, accountId, name: str({ max: 64 }), opId: optional(opId) });
export const charCreateReply = object({ corr, ok: bool, character: optional(characterSummary), ...refusal });

export const charDelete = object({ corr, accountId, characterId, opId: optional(opId) });
export const charDeleteReply = object({ corr, ok: bool, ...refusal });

export const charSelect = object({ corr, accountId, characterId });
/** `zone` is the zone node owning the character's position: where the player enters the world. */
export const charSelectReply = object({ corr, ok: bool, character: optional(characterSummary), zone: optional(nodeId), entity: optional(int({ min: 1, max: 0xffffffff })), ...refusal });
