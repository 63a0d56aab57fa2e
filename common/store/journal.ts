// What one committed operation wrote, as one journal entry: the database node keeps it until
// the replica has it and streams it to the backup node, which applies the same writes. Shipping
// the writes (not the request) means the replica never re-runs game rules: it cannot diverge.
import { CorruptEntry, seal, sealBytes, unsealBytes } from "./records.ts";
import { TABLES, type Key, type Store, type Table } from "./layout.ts";

interface Write {
  table: number;
  key: Key;
  /** Sealed value; null removes the key. */
  value: Buffer | null;
}

interface JournalEntry {
  seq: number;
  at: number;
  writes: Write[];
}

/**
 * The writes of one operation inside the current write transaction: each is applied at once
 * (later reads in the same operation see it) and remembered for the journal.
 */
export class WriteSet {
  readonly writes: Write[] = [];

  constructor(private readonly store: Store) {}

  put(table: Table, key: Key, value: unknown): void {
    const sealed = seal(value);
    this.store.t[table].putSync(key, sealed);
    this.writes.push({ table: TABLES.indexOf(table), key, value: sealed });
  }

  remove(table: Table, key: Key): void {
    this.store.t[table].removeSync(key);
    this.writes.push({ table: TABLES.indexOf(table), key, value: null });
  }
}

const VERSION = 1;

export function encodeEntry(entry: JournalEntry): Buffer {
  let size = 1 + 8 + 8 + 4;
  const keys = entry.writes.map((w) => (typeof w.key === "string" ? Buffer.from(w.key, "utf8") : w.key));
  entry.writes.forEach((w, i) => {
    const k = keys[i];
    size += 2 + (typeof k === "number" ? 8 : 2 + (k?.length ?? 0)) + 4 + (w.value?.length ?? 0);
  });
  const out = Buffer.allocUnsafe(size);
  let at = out.writeUInt8(VERSION, 0);
  at = out.writeDoubleBE(entry.seq, at);
  at = out.writeDoubleBE(entry.at, at);
  at = out.writeUInt32BE(entry.writes.length, at);
  entry.writes.forEach((w, i) => {
    const k = keys[i]!;
    at = out.writeUInt8(w.table, at);
    if (typeof k === "number") {
      at = out.writeUInt8(1, at);
      at = out.writeDoubleBE(k, at);
    } else {
      at = out.writeUInt8(0, at);
      at = out.writeUInt16BE(k.length, at);
      at += k.copy(out, at);
    }
    if (w.value === null) {
      at = out.writeInt32BE(-1, at);
    } else {
      at = out.writeInt32BE(w.value.length, at);
      at += w.value.copy(out, at);
    }
  });
  return sealBytes(out);
}

export function decodeEntry(sealed: Uint8Array): JournalEntry {
  const buf = unsealBytes(sealed);
  try {
    if (buf.readUInt8(0) !== VERSION) throw new Error(`journal entry version ${buf.readUInt8(0)}`);
    let at = 1;
    const seq = buf.readDoubleBE(at);
    const when = buf.readDoubleBE((at += 8));
    const count = buf.readUInt32BE((at += 8));
    at += 4;
    const writes: Write[] = [];
    for (let i = 0; i < count; i++) {
      const table = buf.readUInt8(at);
      const keyType = buf.readUInt8(at + 1);
      at += 2;
      let key: Key;
      if (keyType === 1) {
        key = buf.readDoubleBE(at);
        at += 8;
      } else {
        const len = buf.readUInt16BE(at);
        key = buf.toString("utf8", at + 2, at + 2 + len);
        at += 2 + len;
      }
      const len = buf.readInt32BE(at);
      at += 4;
      let value: Buffer | null = null;
      if (len >= 0) {
        if (at + len > buf.length) throw new Error("value runs past the entry");
        value = Buffer.from(buf.subarray(at, at + len));
        at += len;
      }
      if (table >= TABLES.length) throw new Error(`unknown table ${table}`);
      writes.push({ table, key, value });
    }
    return { seq, at: when, writes };
  } catch (err) {
    if (err instanceof CorruptEntry) throw err;
    throw new CorruptEntry(`journal entry does not decode: ${(err as Error).message}`);
  }
}

/** Applies an entry's writes to a store, inside the caller's write transaction. */
export function applyEntry(store: Store, entry: JournalEntry): void {
  for (const w of entry.writes) {
    const table = store.t[TABLES[w.table]!];
    if (w.value === null) table.removeSync(w.key);
    else table.putSync(w.key, w.value);
  }
}
