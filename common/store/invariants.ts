// The integrity check of a realm store: every entry opens (checksum, shape), every index agrees
// with its records, every item has exactly one existing owner, the gold held equals the gold
// granted minus the gold sunk, and guilds, parties and friendships keep their rules. Run by the database node after a crash, by the backup node
// on every snapshot, and by operators (DB_CHECK).
import { rmSync } from "node:fs";
import { childKey, closeStore, generationOf, isCharacterId, isMailId, META, metaNumber, nameKey, openStore, TABLES, type Store, type Table } from "./layout.ts";
import type { Problem } from "./problem.ts";
import { characterRecord, CorruptEntry, itemRecord, mailRecord, nameRecord, open, opIdRecord, outboxRecord, unseal, unsealBytes } from "./records.ts";
import { SOCIAL_INDEXES, SocialCheck } from "./social-invariants.ts";

export type { Problem };

export interface StoreReport {
  seq: number;
  generation: string;
  counts: Record<string, number>;
  goldHeld: number;
  granted: number;
  sunk: number;
  problems: Problem[];
}

/** Indexes checked against their records here; the social ones are checked by SocialCheck. */
const RECORD_INDEXES = ["owned", "names", "byAccount", "mailbox"] as const;
export const INDEX_TABLES: readonly Table[] = [...RECORD_INDEXES, ...SOCIAL_INDEXES];

/** Yields now and then so an async driver can let other work run (only on stores nobody writes). */
const YIELD_EVERY = 5000;

/** A whole number of gold, read without the generic schema: the check reads every balance. */
function openGold(value: Uint8Array): number {
  const n = Number(unsealBytes(value).toString("latin1"));
  if (!Number.isSafeInteger(n) || n < 0) throw new CorruptEntry(`balance is not a whole number of gold`);
  return n;
}

/** An item, checked field by field (the check reads every item; the generic schema is too slow for that). */
function openItem(value: Uint8Array): { id: string; owner: string } {
  const v = unseal(value) as Record<string, unknown> | null;
  if (v === null || typeof v !== "object" || typeof v.id !== "string" || typeof v.owner !== "string" || typeof v.kind !== "string" || typeof v.at !== "number") {
    return open(value, itemRecord); // throws with the precise reason
  }
  return { id: v.id, owner: v.owner };
}

function* check(store: Store, progress?: (done: number, total: number) => void): Generator<void, StoreReport> {
  const problems: Problem[] = [];
  const counts: Record<string, number> = {};
  const total = TABLES.reduce((n, name) => n + (store.t[name].getStats() as { entryCount: number }).entryCount, 0);
  let done = 0;

  // 1. one pass over every table: every entry opens; records and index keys are kept for the cross checks
  const characters = new Map<string, { accountId: string; name: string }>();
  const gold = new Map<string, number>();
  const items = new Map<string, { owner: string }>();
  const mail = new Map<string, { to: string; itemId: string | undefined; gold: number; taken: boolean }>();
  const names = new Map<string, string>();
  const indexKeys: Record<string, string[]> = { owned: [], names: [], byAccount: [], mailbox: [] };
  const social = new SocialCheck();
  const keep: Record<Table, (key: string, value: Uint8Array) => void> = {
    ...social.keep,
    characters: (key, v) => {
      const c = open(v, characterRecord);
      if (c.id !== key) throw new CorruptEntry(`holds ${c.id}`);
      characters.set(key, { accountId: c.accountId, name: c.name });
    },
    gold: (key, v) => void gold.set(key, openGold(v)),
    items: (key, v) => {
      const item = openItem(v);
      if (item.id !== key) throw new CorruptEntry(`holds ${item.id}`);
      items.set(key, { owner: item.owner });
    },
    mail: (key, v) => {
      const m = open(v, mailRecord);
      if (m.id !== key) throw new CorruptEntry(`holds ${m.id}`);
      mail.set(key, { to: m.to, itemId: m.itemId, gold: m.gold, taken: m.taken });
    },
    names: (key, v) => void names.set(key, open(v, nameRecord)),
    // index entries hold nothing but must still be sound bytes
    owned: (_key, v) => void unsealBytes(v),
    byAccount: (_key, v) => void unsealBytes(v),
    mailbox: (_key, v) => void unsealBytes(v),
    ops: (_key, v) => void unseal(v),
    opsBySeq: (_key, v) => void open(v, opIdRecord),
    outbox: (_key, v) => void open(v, outboxRecord),
    meta: (_key, v) => void unseal(v),
  };
  for (const name of TABLES) {
    let n = 0;
    const keys = indexKeys[name];
    const read = keep[name];
    for (const { key, value } of store.t[name].getRange({})) {
      n++;
      if (++done % YIELD_EVERY === 0) {
        progress?.(done, total);
        yield;
      }
      const k = String(key);
      keys?.push(k);
      try {
        read(k, value);
      } catch (err) {
        problems.push({ kind: "corrupt", table: name, key, detail: (err as Error).message });
      }
    }
    counts[name] = n;
  }

  // 2. indexes agree with their records, both ways. An index entry is checked against its record
  // by lookup; only when the counts differ are the expected keys enumerated to find the missing ones.
  const nameOwner = new Map<string, string>();
  for (const [id, c] of characters) {
    nameOwner.set(nameKey(c.name), id);
    if (!gold.has(id)) problems.push({ kind: "gold-missing", table: "gold", key: id, detail: "character without a balance" });
  }
  for (const id of gold.keys()) if (!characters.has(id)) problems.push({ kind: "gold-missing", table: "gold", key: id, detail: "balance without a character" });
  for (const [id, item] of items) {
    const ownerExists = isCharacterId(item.owner) ? characters.has(item.owner) : isMailId(item.owner) && mail.has(item.owner);
    if (!ownerExists) problems.push({ kind: "dangling-owner", table: "items", key: id, detail: `owner ${item.owner} does not exist` });
  }
  for (const [id, m] of mail) {
    if (!m.taken && m.itemId !== undefined && items.get(m.itemId)?.owner !== id) {
      problems.push({ kind: "attachment", table: "mail", key: id, detail: `attachment ${m.itemId} is not held by the mail` });
    }
  }
  const split = (key: string): [string, string] => {
    const at = key.indexOf("/");
    return [key.slice(0, at), key.slice(at + 1)];
  };
  const rules: Record<string, { holds: (key: string) => boolean; expected: () => Iterable<[string, unknown]>; count: number }> = {
    owned: {
      holds: (k) => (([owner, id]) => items.get(id)?.owner === owner)(split(k)),
      expected: function* () {
        for (const [id, item] of items) yield [childKey(item.owner, id), 1];
      },
      count: items.size,
    },
    byAccount: {
      holds: (k) => (([account, id]) => characters.get(id)?.accountId === account)(split(k)),
      expected: function* () {
        for (const [id, c] of characters) yield [childKey(c.accountId, id), 1];
      },
      count: characters.size,
    },
    mailbox: {
      holds: (k) => (([to, id]) => mail.get(id)?.to === to)(split(k)),
      expected: function* () {
        for (const [id, m] of mail) yield [childKey(m.to, id), 1];
      },
      count: mail.size,
    },
    names: { holds: (k) => nameOwner.has(k), expected: () => nameOwner.entries(), count: nameOwner.size },
  };
  for (const index of RECORD_INDEXES) {
    const rule = rules[index]!;
    let valid = 0;
    for (const k of indexKeys[index]!) {
      if (rule.holds(k)) valid++;
      else problems.push({ kind: "index-extra", table: index, key: k, detail: "no record behind it" });
    }
    if (valid === rule.count) continue;
    const seen = new Set(indexKeys[index]);
    for (const [k, want] of rule.expected()) if (!seen.has(k)) problems.push({ kind: "index-missing", table: index, key: k, detail: "record without its index entry", want });
  }
  // a name must point at the character that has it
  for (const [key, id] of nameOwner) {
    const held = names.get(key);
    if (held !== undefined && held !== id) problems.push({ kind: "index-extra", table: "names", key, detail: `points at ${held}, not ${id}`, want: id });
  }

  social.check(characters, problems);

  // 3. gold is conserved: only grants and sinks change the total
  let goldHeld = 0;
  for (const g of gold.values()) goldHeld += g;
  for (const m of mail.values()) if (!m.taken) goldHeld += m.gold;
  const granted = safeMeta(store, META.granted, problems);
  const sunk = safeMeta(store, META.sunk, problems);
  if (goldHeld !== granted - sunk) {
    problems.push({ kind: "gold-total", table: "*", key: "gold", detail: `held ${goldHeld}, granted ${granted} - sunk ${sunk} = ${granted - sunk}` });
  }
  progress?.(total, total);
  return { seq: safeMeta(store, META.seq, problems), generation: safeGeneration(store), counts, goldHeld, granted, sunk, problems };
}

function safeMeta(store: Store, key: string, problems: Problem[]): number {
  try {
    return metaNumber(store, key);
  } catch (err) {
    problems.push({ kind: "corrupt", table: "meta", key, detail: (err as Error).message });
    return 0;
  }
}

function safeGeneration(store: Store): string {
  try {
    return generationOf(store);
  } catch {
    return "";
  }
}

/** The whole check at once: a consistent view of a store that is being written. */
export function checkStore(store: Store): StoreReport {
  const it = check(store);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/** The same check, letting other work run every few thousand entries: for stores nobody writes (snapshots). */
async function checkStoreGently(store: Store, progress?: (done: number, total: number) => void): Promise<StoreReport> {
  const it = check(store, progress);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Opens a store file read-only (a snapshot, a copy) and runs the full check on it. */
export async function checkStoreFile(file: string, progress?: (done: number, total: number) => void): Promise<StoreReport> {
  const store = openStore(file, { readOnly: true });
  try {
    return await checkStoreGently(store, progress);
  } finally {
    await closeStore(store);
    rmSync(`${file}-lock`, { force: true });
  }
}

export function describeProblem(p: Problem): string {
  return `${p.kind} ${p.table}[${JSON.stringify(p.key)}]: ${p.detail}`;
}
