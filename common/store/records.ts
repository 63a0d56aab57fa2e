// The records of the realm store and how each is sealed on disk. Every value carries a CRC-32
// of its bytes, so a flipped byte is found when the entry is read or checked, instead of being
// served as a plausible but wrong character (seed 003: check integrity, correct or delete).
import zlib from "node:zlib";
import { bool, int, list, num, object, oneOf, optional, record, str, type Infer, type Schema } from "../schema.ts";

/** An entry whose bytes do not match its checksum or do not decode. */
export class CorruptEntry extends Error {
  constructor(why: string) {
    super(why);
    this.name = "CorruptEntry";
  }
}

/** [crc32 of payload, uint32 BE][payload]. */
export function sealBytes(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(zlib.crc32(payload), 0);
  payload.copy(out, 4);
  return out;
}

export function unsealBytes(sealed: Uint8Array): Buffer {
  const buf = Buffer.isBuffer(sealed) ? sealed : Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
  if (buf.length < 4) throw new CorruptEntry(`entry of ${buf.length} bytes is shorter than its checksum`);
  const payload = buf.subarray(4);
  if (zlib.crc32(payload) !== buf.readUInt32BE(0)) throw new CorruptEntry("checksum mismatch");
  return payload;
}

/** A JSON value, sealed. JSON keeps entries readable in a hex dump and costs ~1 us per record. */
export function seal(value: unknown): Buffer {
  const json = JSON.stringify(value);
  const out = Buffer.allocUnsafe(4 + Buffer.byteLength(json));
  const n = out.write(json, 4);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 4 + n)), 0);
  return out;
}

export function unseal(sealed: Uint8Array): unknown {
  const payload = unsealBytes(sealed);
  try {
    return JSON.parse(payload.toString("utf8")) as unknown;
  } catch (err) {
    throw new CorruptEntry(`not JSON (${(err as Error).message})`);
  }
}

/** Unseals and checks the shape; CorruptEntry for either failure. */
export function open<T>(sealed: Uint8Array, schema: Schema<T>): T {
  const value = unseal(sealed);
  try {
    return schema.parse(value);
  } catch (err) {
    throw new CorruptEntry(`does not fit: ${(err as Error).message}`);
  }
}

// ---- the records

const id = str({ min: 1, max: 64 });

export const characterRecord = object({
  id,
  accountId: id,
  name: str({ min: 1, max: 64 }),
  level: num(),
  x: num(),
  y: num(),
  stats: record(num(), { maxKeys: 32 }),
  /** The last checkpoint's number: a checkpoint not above it is stale. */
  version: num(),
  createdAt: num(),
});
export type CharacterRecord = Infer<typeof characterRecord>;

/** A balance: a whole, non-negative number of gold. */
export const goldRecord = int({ min: 0, max: Number.MAX_SAFE_INTEGER });

/** `owner` is the single field that says who holds the item: a character id or a mail id. */
export const itemRecord = object({ id, kind: str({ min: 1, max: 64 }), owner: id, at: num() });
export type ItemRecord = Infer<typeof itemRecord>;

export const mailRecord = object({
  id,
  from: id,
  to: id,
  text: str({ max: 2000 }),
  itemId: optional(id),
  gold: int({ min: 0 }),
  sentAt: num(),
  taken: bool,
});
export type MailRecord = Infer<typeof mailRecord>;

/** The first result of an operation, kept so that a retry with the same id gets it back. */
export const opRecord = object({
  kind: str({ max: 64 }),
  seq: num(),
  at: num(),
  ok: bool,
  code: optional(str({ max: 64 })),
  error: optional(str({ max: 1000 })),
  value: optional({ describe: "any value", parse: (v: unknown) => v }),
});
export type OpRecord = Infer<typeof opRecord>;

const AUDIT_KINDS = ["loot", "trade", "mail", "grant", "sink", "move"] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];
/** One economy event, waiting in the outbox for pg-boss. */
const auditEvent = object({
  /** `<opId>#<n>`: the same operation always gives the same ids, so a retry cannot log twice. */
  eventId: str({ max: 200 }),
  kind: oneOf(AUDIT_KINDS),
  opId: str({ max: 100 }),
  seq: num(),
  generation: str({ max: 64 }),
  at: num(),
  characterId: optional(id),
  counterparty: optional(id),
  /** Gold the character gained (+) or lost (-) in this event. */
  gold: num(),
  items: list(id, { max: 64 }),
  detail: optional(str({ max: 200 })),
});
export type AuditEvent = Infer<typeof auditEvent>;
export const outboxRecord = list(auditEvent, { max: 200 });

/** names: the character that has the name. */
export const nameRecord = id;
/** opsBySeq: the operation id applied at that sequence number (for pruning old results). */
export const opIdRecord = str({ min: 1, max: 100 });
