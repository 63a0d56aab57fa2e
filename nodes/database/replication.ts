// The replication stream to the backup node. The backup pulls: each DB_REPLICA_PULL says "I
// have applied everything up to afterSeq" (the acknowledgement) and gets the committed journal
// entries after it, at once if there are any, or as soon as the next commit lands (long poll).
// Pulling gives flow control for free and resumes by itself after either side restarts.
import type { Log } from "../../common/log.ts";
import type { ReplicaBatch } from "../../common/protocol/db.ts";
import type { Store } from "../../common/store/layout.ts";
import { unsealBytes } from "../../common/store/records.ts";

/** How long a pull waits for new commits before answering empty (the heartbeat sees lag at this grain). */
const HOLD_MS = 400;
/** Beyond this the journal is cut even if the replica has not caught up: it will copy everything instead. */
const MAX_JOURNAL = 500_000;

interface Waiting {
  afterSeq: number;
  maxBytes: number;
  answer: (batch: ReplicaBatch) => void;
  timer: NodeJS.Timeout;
}

export class ReplicationFeed {
  /** Everything up to here is committed in the database. */
  lastSeq: number;
  /** Everything up to here is applied in the replica (from its last pull). */
  ackedSeq = 0;
  /** Journal entries up to here are gone; a replica behind this must copy everything. */
  prunedUpTo: number;
  lastPullAt = 0;
  private readonly waiting: Waiting[] = [];
  /** (last seq of a batch, its commit time), oldest first, for the lag in ms. */
  private readonly commits: [number, number][] = [];
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly generation: () => string,
    private readonly log: Log,
    startSeq: number,
  ) {
    this.lastSeq = startSeq;
    const [first] = [...store.journal.getKeys({ limit: 1 })];
    this.prunedUpTo = first === undefined ? startSeq : Number(first) - 1;
    this.pruneTimer = setInterval(() => this.prune(), 1000);
    this.pruneTimer.unref();
  }

  close(): void {
    clearInterval(this.pruneTimer);
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.answer(this.batch(w.afterSeq, 0));
    }
  }

  committed(lastSeq: number, at: number): void {
    if (lastSeq <= this.lastSeq) return;
    this.lastSeq = lastSeq;
    this.commits.push([lastSeq, at]);
    // no replica pulling for a long while: keep the oldest (it sets the lag in ms) and drop the middle
    if (this.commits.length > 10_000) this.commits.splice(1, 5_000);
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.answer(this.batch(w.afterSeq, w.maxBytes));
    }
  }

  pull(generation: string | undefined, afterSeq: number, maxBytes: number, answer: (batch: ReplicaBatch) => void): void {
    this.lastPullAt = Date.now();
    const ours = this.generation();
    const resync = (why: string): void => {
      this.log.warn("replica-resync", { why, replicaSeq: afterSeq, seq: this.lastSeq, replicaGeneration: generation, generation: ours });
      answer({ generation: ours, lastSeq: this.lastSeq, resync: true, entries: [] });
    };
    if (generation !== undefined && generation !== ours) return resync("the replica follows another history");
    if (generation === undefined && afterSeq > 0) return resync("the replica does not know its history");
    if (afterSeq > this.lastSeq) {
      this.log.error("replica-ahead", { replicaSeq: afterSeq, seq: this.lastSeq, note: "the database lost committed operations the replica has" });
      return resync("the replica is ahead of the database");
    }
    if (afterSeq < this.prunedUpTo) return resync(`the journal starts after ${afterSeq}`);
    this.acknowledge(afterSeq);
    if (afterSeq < this.lastSeq) return answer(this.batch(afterSeq, maxBytes));
    const w: Waiting = { afterSeq, maxBytes, answer, timer: setTimeout(() => this.release(w), HOLD_MS) };
    this.waiting.push(w);
  }

  lag(now = Date.now()): { ops: number; ms: number } {
    const ops = Math.max(0, this.lastSeq - this.ackedSeq);
    const oldest = this.commits[0];
    return { ops, ms: ops > 0 && oldest ? Math.max(0, now - oldest[1]) : 0 };
  }

  private release(w: Waiting): void {
    const i = this.waiting.indexOf(w);
    if (i >= 0) this.waiting.splice(i, 1);
    w.answer(this.batch(w.afterSeq, w.maxBytes));
  }

  private acknowledge(seq: number): void {
    if (seq > this.ackedSeq) this.ackedSeq = seq;
    while (this.commits.length > 0 && this.commits[0]![0] <= this.ackedSeq) this.commits.shift();
  }

  /** Committed entries after `afterSeq`, at most `maxBytes` (but always at least one). */
  private batch(afterSeq: number, maxBytes: number): ReplicaBatch {
    const entries: Buffer[] = [];
    let bytes = 0;
    let expect = afterSeq + 1;
    for (const { key, value } of this.store.journal.getRange({ start: afterSeq + 1, end: this.lastSeq + 1 })) {
      let sound = true;
      try {
        unsealBytes(value);
      } catch {
        sound = false;
        this.log.error("journal-entry-deleted", { seq: key, why: "damaged; the replica copies the whole database instead" });
        this.store.journal.removeSync(key);
      }
      if (Number(key) !== expect || !sound) {
        // a hole (an entry deleted as damaged): the replica cannot apply past it, so it copies everything
        return { generation: this.generation(), lastSeq: this.lastSeq, resync: true, entries: [] };
      }
      if (entries.length > 0 && bytes + value.length > maxBytes) break;
      entries.push(value);
      bytes += value.length;
      expect++;
      if (entries.length >= 20_000) break;
    }
    return { generation: this.generation(), lastSeq: this.lastSeq, resync: false, entries };
  }

  /** Drops what the replica has: the journal only holds operations the replica may still need. */
  private prune(): void {
    let upTo = this.ackedSeq;
    const size = this.lastSeq - this.prunedUpTo;
    if (size > MAX_JOURNAL) upTo = Math.max(upTo, this.lastSeq - MAX_JOURNAL);
    if (upTo <= this.prunedUpTo) return;
    const keys = [...this.store.journal.getKeys({ start: this.prunedUpTo + 1, end: upTo + 1, limit: 50_000 })];
    for (const k of keys) void this.store.journal.remove(k);
    this.prunedUpTo = keys.length > 0 ? Number(keys[keys.length - 1]) : upTo;
  }
}
