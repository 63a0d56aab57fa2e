// The replica: the backup node's own LMDB copy of the realm, kept current by pulling the
// database node's journal and applying the same writes in the same order. A pull after a commit
// is the acknowledgement: what the database hears as acknowledged is committed here.
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import type { Log } from "../../common/log.ts";
import { Op } from "../../common/opcodes.ts";
import { fileChunk, fileOffer, replicaBatch } from "../../common/protocol/db.ts";
import type { Request } from "../../common/protocol/index.ts";
import type { Schema } from "../../common/schema.ts";
import { fetchFile } from "../../common/store/file-transfer.ts";
import { applyEntry, decodeEntry } from "../../common/store/journal.ts";
import { closeStore, entryCount, generationOf, META, metaNumber, openStore, setMeta, type Store } from "../../common/store/layout.ts";
import { seal } from "../../common/store/records.ts";
import type { Wire } from "../../common/wire.ts";

const PULL_BYTES = 512 * 1024;
/** Longer than the database's long poll, so an idle pull is answered, not timed out. */
const PULL_TIMEOUT_MS = 2000;
const BACKOFF_MS = 300;
const KEEP_SET_ASIDE = 1;

export class Replica {
  store: Store | undefined;
  applied = 0;
  generation = "";
  /** The database's last committed sequence number, as of the last answer. */
  dbSeq = 0;
  lastAnswerAt = 0;
  private running = false;
  /** The apply or copy under way; a stop waits for it, not for a pull that may hang on a dead database. */
  private busy: Promise<unknown> = Promise.resolve();
  /** Copies and reads of the replica in progress: the file is not swapped under them. */
  private readonly users = new Set<Promise<unknown>>();

  constructor(
    readonly file: string,
    private readonly wire: Wire,
    private readonly databaseId: string,
    private readonly log: Log,
  ) {}

  open(): void {
    this.store = openStore(this.file);
    this.applied = metaNumber(this.store, META.seq);
    this.generation = generationOf(this.store);
    this.log.info("replica-open", { seq: this.applied, generation: this.generation, entries: entryCount(this.store) });
  }

  start(): void {
    this.running = true;
    void this.follow();
  }

  async close(): Promise<void> {
    this.running = false;
    await this.busy.catch(() => {});
    const store = this.store;
    this.store = undefined;
    await Promise.allSettled([...this.users]);
    if (store) await closeStore(store);
  }

  /** Runs `fn` on the current replica, which stays open until it is done. */
  use<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    const store = this.store;
    if (!store) return Promise.reject(new Error("the replica is being replaced; try again shortly"));
    const p = fn(store);
    this.users.add(p);
    void p.finally(() => this.users.delete(p)).catch(() => {});
    return p;
  }

  get following(): boolean {
    return Date.now() - this.lastAnswerAt < 3000;
  }

  private async ask<O extends typeof Op.DB_REPLICA_PULL | typeof Op.DB_COPY_OPEN | typeof Op.DB_COPY_CHUNK, T>(op: O, body: Request<O>, schema: Schema<T>, timeoutMs: number): Promise<T | undefined> {
    const reply = await this.wire.request(this.databaseId, op, body, timeoutMs);
    if (!reply.ok) {
      if (reply.code !== "unavailable") this.log.warn("database-refused", { op, code: reply.code, error: reply.error });
      return undefined;
    }
    return schema.parse(reply.value);
  }

  private async follow(): Promise<void> {
    while (this.running) {
      try {
        const body = this.generation ? { generation: this.generation, afterSeq: this.applied, maxBytes: PULL_BYTES } : { afterSeq: this.applied, maxBytes: PULL_BYTES };
        const batch = await this.ask(Op.DB_REPLICA_PULL, body, replicaBatch, PULL_TIMEOUT_MS);
        if (!batch) {
          // the database is recovering or restoring: ask again in a moment
          await new Promise((r) => setTimeout(r, BACKOFF_MS));
          continue;
        }
        this.lastAnswerAt = Date.now();
        this.dbSeq = batch.lastSeq;
        if (!this.running) break;
        this.busy = batch.resync ? this.startOver() : this.apply(batch.generation, batch.entries);
        await this.busy;
      } catch (err) {
        // a timeout means the database node is down: the next pull is the retry
        if ((err as Error).name !== "TimeoutError") this.log.warn("replication-failed", { error: (err as Error).message });
        if (this.running && (err as Error).name !== "TimeoutError") await new Promise((r) => setTimeout(r, BACKOFF_MS));
      }
    }
  }

  private async apply(generation: string, entries: Uint8Array[]): Promise<void> {
    const store = this.store;
    if (!store) return;
    if (!this.generation) {
      // a fresh replica joins the database's history at its start
      setMeta(store, META.generation, generation);
      this.generation = generation;
    }
    if (entries.length === 0) return;
    let applied = this.applied;
    await store.env.transaction(() => {
      for (const raw of entries) {
        const entry = decodeEntry(raw);
        if (entry.seq !== applied + 1) break; // never apply out of order; the next pull asks again from `applied`
        applyEntry(store, entry);
        applied = entry.seq;
      }
      store.t.meta.putSync(META.seq, seal(applied));
    });
    this.applied = applied;
  }

  /** The database cannot feed us from its journal: set the replica aside and copy the database whole. */
  private async startOver(): Promise<void> {
    this.log.warn("replica-starting-over", { seq: this.applied, generation: this.generation });
    const offer = await this.ask(Op.DB_COPY_OPEN, {}, fileOffer, 120_000);
    if (!offer) throw new Error("the database did not offer a copy");
    const incoming = `${this.file}.incoming`;
    await fetchFile(offer, incoming, async (offset) => {
      const chunk = await this.ask(Op.DB_COPY_CHUNK, { fileId: offer.fileId, offset }, fileChunk, 10_000);
      if (!chunk) throw new Error("the database withdrew the copy");
      return chunk.data;
    });
    const copy = openStore(incoming);
    await copy.journal.clearAsync();
    await closeStore(copy);
    await this.replaceWith(incoming);
    this.log.warn("replica-copied", { seq: this.applied, generation: this.generation, bytes: offer.bytes });
  }

  /** Swaps in a new replica file; the old one is kept aside (the last one only). */
  async replaceWith(incoming: string): Promise<void> {
    const old = this.store;
    this.store = undefined;
    await Promise.allSettled([...this.users]);
    if (old) await closeStore(old);
    if (existsSync(this.file)) renameSync(this.file, `${this.file}.set-aside-${Date.now()}`);
    rmSync(`${this.file}-lock`, { force: true });
    renameSync(incoming, this.file);
    rmSync(`${incoming}-lock`, { force: true });
    const dir = path.dirname(this.file);
    const aside = readdirSync(dir)
      .filter((f) => f.startsWith(`${path.basename(this.file)}.set-aside-`) && !f.endsWith("-lock"))
      .sort();
    for (const f of aside.slice(0, Math.max(0, aside.length - KEEP_SET_ASIDE))) rmSync(path.join(dir, f), { force: true });
    this.open();
  }
}
