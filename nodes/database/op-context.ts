// What an operation sees while it runs inside the write transaction: the store, its write set,
// its sequence number and clock, and the audit events it raises. Operations check everything
// first and write last, so a refusal leaves nothing behind.
import type { Schema } from "../../common/schema.ts";
import { childRange, childOf, type Key, type Store, type Table } from "../../common/store/layout.ts";
import type { WriteSet } from "../../common/store/journal.ts";
import { CorruptEntry, open, type AuditEvent, type AuditKind, type CharacterRecord, characterRecord, goldRecord } from "../../common/store/records.ts";

export type Outcome = { ok: true; value: unknown } | { ok: false; code: string; error: string };

export const done = (value: unknown = {}): Outcome => ({ ok: true, value });
export const refuse = (code: string, error: string): Outcome => ({ ok: false, code, error });

/** An entry that failed its checksum or shape while an operation read it. */
export class DamagedEntry extends Error {
  constructor(
    readonly table: Table,
    readonly key: Key,
    why: string,
  ) {
    super(`${table}[${String(key)}] is damaged: ${why}`);
    this.name = "DamagedEntry";
  }
}

export interface World {
  width: number;
  height: number;
}

type AuditDraft = Pick<AuditEvent, "kind" | "gold" | "items"> & Partial<Pick<AuditEvent, "characterId" | "counterparty" | "detail">>;

export class OpContext {
  readonly events: AuditEvent[] = [];

  constructor(
    readonly store: Store,
    readonly w: WriteSet,
    readonly seq: number,
    readonly at: number,
    readonly generation: string,
    readonly opId: string,
    readonly world: World,
  ) {}

  read<T>(table: Table, key: Key, schema: Schema<T>): T | undefined {
    const raw = this.store.t[table].get(key);
    if (raw === undefined) return undefined;
    try {
      return open(raw, schema);
    } catch (err) {
      if (err instanceof CorruptEntry) throw new DamagedEntry(table, key, err.message);
      throw err;
    }
  }

  character(id: string): CharacterRecord | undefined {
    return this.read("characters", id, characterRecord);
  }

  gold(id: string): number {
    return this.read("gold", id, goldRecord) ?? 0;
  }

  /** Child ids under `parent` in an index table (a character's items, an account's characters). */
  children(index: Table, parent: string, limit = 100_000): string[] {
    const out: string[] = [];
    for (const key of this.store.t[index].getKeys({ ...childRange(parent), limit })) out.push(childOf(String(key)));
    return out;
  }

  /** Ids the database hands out: unique because each operation has its own sequence number. */
  newId(prefix: "C" | "I" | "M" | "G" | "P", n?: number): string {
    return `${prefix}${this.seq.toString(36)}${n === undefined ? "" : `.${n}`}`;
  }

  audit(kind: AuditKind, draft: Omit<AuditDraft, "kind">): void {
    const ev: AuditEvent = {
      eventId: `${this.opId}#${this.events.length}`,
      kind,
      opId: this.opId,
      seq: this.seq,
      generation: this.generation,
      at: this.at,
      gold: draft.gold,
      items: draft.items,
    };
    if (draft.characterId !== undefined) ev.characterId = draft.characterId;
    if (draft.counterparty !== undefined) ev.counterparty = draft.counterparty;
    if (draft.detail !== undefined) ev.detail = draft.detail.slice(0, 200);
    this.events.push(ev);
  }
}

// ---- semantic checks shared by the operations

const ID = /^[A-Za-z0-9_.:@-]{1,64}$/;
export const validId = (id: string): boolean => ID.test(id);

/** A whole, positive (or zero when allowed) amount of gold that JavaScript counts exactly. */
export function badAmount(amount: number, allowZero: boolean): string | undefined {
  if (!Number.isSafeInteger(amount)) return `gold must be a whole number, got ${amount}`;
  if (amount < 0 || (!allowZero && amount === 0)) return `gold must be ${allowZero ? "zero or more" : "more than zero"}, got ${amount}`;
  return undefined;
}

export function outOfWorld(world: World, x: number, y: number): string | undefined {
  if (x < 0 || y < 0 || x >= world.width || y >= world.height) return `(${x}, ${y}) is outside the world (0..${world.width}, 0..${world.height})`;
  return undefined;
}
