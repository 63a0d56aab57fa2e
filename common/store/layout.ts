// The realm store's layout in LMDB, shared by the database node (the live store), the backup
// node (the replica and its snapshots) and the tools that check them. One environment, one
// named database per table, so that an operation spanning tables is still one transaction.
import { randomUUID } from "node:crypto";
import { open, type Database, type RootDatabase } from "lmdb";
import { seal, unseal } from "./records.ts";

/**
 * Tables copied to the replica, in a fixed order (the journal names tables by index, so new
 * tables go at the end). characters, gold, items, mail, guilds, parties, friends are the primary
 * records; owned, names, byAccount, mailbox, guildNames, guildOf, guildInvites, partyOf,
 * partyInvites are indexes derived from them (rebuilt by the integrity check); ops keeps first
 * results for retries; outbox holds audit events until pg-boss has them; meta holds counters.
 * friends holds each friendship twice, once under each character (`<a>/<b>`).
 */
export const TABLES = [
  "characters",
  "gold",
  "items",
  "owned",
  "names",
  "byAccount",
  "mail",
  "mailbox",
  "ops",
  "opsBySeq",
  "outbox",
  "meta",
  "guilds",
  "guildNames",
  "guildOf",
  "guildInvites",
  "parties",
  "partyOf",
  "partyInvites",
  "friends",
] as const;
export type Table = (typeof TABLES)[number];
export type Key = string | number;

/** Meta keys. `seq` is per copy (the database's last assigned, the replica's last applied); the rest replicate. */
export const META = { seq: "seq", generation: "generation", granted: "granted", sunk: "sunk" } as const;

export interface Store {
  readonly file: string;
  readonly env: RootDatabase;
  readonly t: Record<Table, Database<Buffer, Key>>;
  /** Local to the database node: committed operations not yet acknowledged by the replica. */
  readonly journal: Database<Buffer, number>;
}

interface OpenOptions {
  readOnly?: boolean;
  /** Acknowledge at commit and flush in the background (see README, durability). */
  overlappingSync?: boolean;
}

export function openStore(file: string, opts: OpenOptions = {}): Store {
  // a file name with an extension makes lmdb-js use one data file (plus `<file>-lock`), not a folder
  const env = open({
    path: file,
    maxDbs: TABLES.length + 4,
    readOnly: opts.readOnly ?? false,
    overlappingSync: opts.readOnly ? false : (opts.overlappingSync ?? true),
    // values are sealed buffers; lmdb's own caching would hand out shared objects we do not want
    encoding: "binary",
  });
  const t = {} as Record<Table, Database<Buffer, Key>>;
  for (const name of TABLES) t[name] = (env.openDB<Buffer, Key>(name, { encoding: "binary" }) as Database<Buffer, Key> | undefined) ?? absentTable(name);
  const journal = env.openDB<Buffer, number>("journal", { encoding: "binary" });
  return { file, env, t, journal };
}

/**
 * A table that a store written before the table existed does not have. Opened for writing, LMDB
 * creates it; read-only (a snapshot being checked) it is absent, and reads as empty, as it was.
 */
function absentTable(name: Table): Database<Buffer, Key> {
  const empty = { name, get: () => undefined, getRange: () => [], getKeys: () => [], getStats: () => ({ entryCount: 0 }) };
  return empty as unknown as Database<Buffer, Key>;
}

export async function closeStore(store: Store): Promise<void> {
  await store.env.close();
}

export function metaNumber(store: Store, key: string): number {
  const raw = store.t.meta.get(key);
  if (raw === undefined) return 0;
  const v = unseal(raw);
  return typeof v === "number" ? v : 0;
}

export function generationOf(store: Store): string {
  const raw = store.t.meta.get(META.generation);
  const v = raw === undefined ? undefined : unseal(raw);
  return typeof v === "string" ? v : "";
}

/** A new history line: set when a store is created or rewound to a snapshot. */
export function newGeneration(): string {
  return randomUUID();
}

export function setMeta(store: Store, key: string, value: unknown): void {
  store.t.meta.putSync(key, seal(value));
}

/** Entries over every replicated table (what the heartbeat calls `entries`). */
export function entryCount(store: Store): number {
  let n = 0;
  for (const name of TABLES) n += (store.t[name].getStats() as { entryCount: number }).entryCount;
  return n;
}

// ---- composite keys of the index tables: `<parent>/<child>`; ids never contain '/'

export const childKey = (parent: string, child: string): string => `${parent}/${child}`;
/** The key range of every child of `parent`: '0' sorts right after '/'. */
export const childRange = (parent: string): { start: string; end: string } => ({ start: `${parent}/`, end: `${parent}0` });
export const childOf = (key: string): string => key.slice(key.indexOf("/") + 1);

/** Character names are unique per realm regardless of case. */
export const nameKey = (name: string): string => name.normalize("NFC").toLowerCase();

export const isMailId = (id: string): boolean => id.startsWith("M");
export const isCharacterId = (id: string): boolean => id.startsWith("C");
