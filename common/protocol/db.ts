// What the realm node, zones and the backup node ask the database node, and its one answer.
// Every mutating request carries an `opId`: a repeated id gets the first result and applies
// nothing, so a caller may retry freely. Semantic problems (unknown ids, negative gold) come
// back as DB_REPLY { ok: false, code }; only malformed frames are dropped by the codec.
import { bool, bytes, int, list, num, object, oneOf, optional, record, str, type Infer, type Schema } from "../schema.ts";
import { corr } from "./control.ts";

/** Ids the database hands out (C…, I…, M…) and the accounts of the login database. */
const entityId = str({ min: 1, max: 64, what: "an id" });
export const opId = str({ min: 1, max: 100, what: "an operation id" });
/**
 * Wall-clock ms after which the caller has given up on this attempt: the database refuses it
 * (`expired`) rather than apply it unseen, so "unavailable" on the caller's side means "not applied".
 */
const expiresAt = optional(num({ min: 0 }));
const stats = record(num(), { maxKeys: 32 });

/** A value of any shape; the caller parses it with the schema of what it asked. */
export const anyValue: Schema<unknown> = { describe: "any value", parse: (v) => v };

/** A key of the realm store: tables are keyed by strings, the sequence-keyed ones by numbers. */
export const storeKey: Schema<string | number> = {
  describe: "a store key",
  parse(v, path = "") {
    if ((typeof v === "string" && v.length > 0 && v.length <= 200) || (typeof v === "number" && Number.isSafeInteger(v))) return v;
    return str({ min: 1, max: 200 }).parse(v, path);
  },
};

// ---- requests

export const dbListCharacters = object({ corr, accountId: entityId });
export const dbCreateCharacter = object({ corr, opId, accountId: entityId, name: str({ max: 64 }), x: num(), y: num(), expiresAt });
export const dbDeleteCharacter = object({ corr, opId, accountId: entityId, characterId: entityId, expiresAt });
export const dbLoadCharacter = object({ corr, characterId: entityId });
/** `version` is the checkpoint's own number: it must be higher than the stored one. */
export const dbSaveCheckpoint = object({ corr, opId, characterId: entityId, version: num(), level: num(), x: num(), y: num(), stats, expiresAt });
/** Loot: new items, owned by the character from the start. `source` says what dropped them. */
export const dbGrantItems = object({ corr, opId, characterId: entityId, kinds: list(str({ min: 1, max: 64 }), { max: 64 }), source: str({ max: 100 }), expiresAt });
/** One field change (seed 003): the item's owner, from `from` (checked) to `to`. */
export const dbMoveItem = object({ corr, opId, itemId: entityId, from: entityId, to: entityId, expiresAt });
const tradeSide = object({ characterId: entityId, items: list(entityId, { max: 64 }), gold: num() });
/** Both sides give their items and gold at once, or nothing happens. */
export const dbTrade = object({ corr, opId, a: tradeSide, b: tradeSide, expiresAt });
export const dbSendMail = object({
  corr,
  opId,
  from: entityId,
  to: entityId,
  text: str({ max: 2000 }),
  itemId: optional(entityId),
  gold: optional(num()),
  expiresAt,
});
/** The recipient takes the mail's attachment (item and gold). */
export const dbTakeMail = object({ corr, opId, characterId: entityId, mailId: entityId, expiresAt });
export const dbListMail = object({ corr, characterId: entityId });
/** Gold entering the economy (quest reward, loot); logged as a grant. */
export const dbGrantGold = object({ corr, opId, characterId: entityId, amount: num(), source: str({ max: 100 }), expiresAt });
/** Gold leaving the economy (vendor, repair); logged as a sink. */
export const dbSinkGold = object({ corr, opId, characterId: entityId, amount: num(), reason: str({ max: 100 }), expiresAt });
export const dbLoadItems = object({ corr, itemIds: list(entityId, { max: 1000 }) });
/** Was this operation applied, and how did it end? */
export const dbOpStatus = object({ corr, opId });
/** Runs the full integrity check on the live store (operators, tests): slow on a big realm. */
export const dbCheck = object({ corr });
export const dbStats = object({ corr });

// ---- replication and restore (database <-> backup)

/** The backup node asks for committed operations after `afterSeq`; the request itself acknowledges `afterSeq`. */
export const dbReplicaPull = object({ corr, generation: optional(str({ max: 64 })), afterSeq: int({ min: 0 }), maxBytes: int({ min: 1024, max: 900_000 }) });
/** A consistent copy of the whole database, for a replica that must start over. */
export const dbCopyOpen = object({ corr });
export const dbCopyChunk = object({ corr, fileId: str({ max: 64 }), offset: int({ min: 0 }) });
/** Replace the database with a verified snapshot the backup node holds (operator's `backup restore`). */
export const dbRestore = object({ corr, snapshotId: int({ min: 1 }) });

/** The one answer to every database request. */
export const dbReply = object({ corr, ok: bool, code: optional(str({ max: 64 })), error: optional(str({ max: 1000 })), value: optional(anyValue) });
export type DbReply = Infer<typeof dbReply>;

// ---- values inside a DB_REPLY, by request

const summaryFields = { id: entityId, accountId: entityId, name: str({ max: 64 }), level: num(), x: num(), y: num() };
export const characterSummary = object(summaryFields);
export type CharacterSummary = Infer<typeof characterSummary>;
export const characterList = list(characterSummary, { max: 100 });

export const character = object({ ...summaryFields, stats, gold: num(), inventory: list(entityId), version: num() });
export type Character = Infer<typeof character>;

const itemView = object({ id: entityId, kind: str({ max: 64 }), owner: entityId, at: num() });
export type ItemView = Infer<typeof itemView>;
export const itemList = list(itemView, { max: 1000 });

const mailView = object({
  id: entityId,
  from: entityId,
  to: entityId,
  text: str({ max: 2000 }),
  itemId: optional(entityId),
  gold: num(),
  sentAt: num(),
  taken: bool,
});
export type MailView = Infer<typeof mailView>;
export const mailList = list(mailView, { max: 1000 });

export const grantedItems = object({ itemIds: list(entityId) });
export const sentMail = object({ mailId: entityId });
export const goldBalance = object({ gold: num() });
export const tradeDone = object({ goldA: num(), goldB: num() });
export const checkpointSaved = object({ version: num() });
export const nothing = object({});

export const opStatus = object({ kind: str({ max: 64 }), seq: num(), ok: bool, code: optional(str({ max: 64 })) });
export type OpStatus = Infer<typeof opStatus>;

export const storeCheck = object({
  seq: num(),
  generation: str({ max: 64 }),
  counts: record(num(), { maxKeys: 32 }),
  goldHeld: num(),
  granted: num(),
  sunk: num(),
  problems: int({ min: 0 }),
  sample: list(str({ max: 500 }), { max: 50 }),
});
export type StoreCheck = Infer<typeof storeCheck>;

const DB_STATES = ["recovering", "serving", "restoring"] as const;
export const dbStatsValue = object({
  state: oneOf(DB_STATES),
  generation: str({ max: 64 }),
  seq: num(),
  replicaSeq: num(),
  replicaLagOps: num(),
  replicaLagMs: num(),
  entries: num(),
  /** Committed operations the replica has not acknowledged yet (kept for it). */
  journal: num(),
  auditBacklog: num(),
  applied: num(),
  recovery: list(str({ max: 500 }), { max: 200 }),
});
export type DbStats = Infer<typeof dbStatsValue>;

export const replicaBatch = object({
  generation: str({ max: 64 }),
  lastSeq: num(),
  /** The replica cannot follow from where it is (other history, or the journal moved on): copy everything. */
  resync: bool,
  entries: list(bytes(900_000), { max: 20_000 }),
});
export type ReplicaBatch = Infer<typeof replicaBatch>;

/** A file offered for fetching in chunks: a database copy or a snapshot. */
export const fileOffer = object({ fileId: str({ max: 64 }), bytes: num(), sha256: str({ max: 64 }), seq: num(), generation: str({ max: 64 }) });
export type FileOffer = Infer<typeof fileOffer>;
export const fileChunk = object({ data: bytes(900_000) });

export const restored = object({ generation: str({ max: 64 }), seq: num() });
