// Group commit: operations that arrive while a commit is under way are applied together in the
// next LMDB transaction, each in its own child transaction (all or nothing per operation), and
// every one is answered only once that transaction is committed. With overlappingSync the
// commit returns before the disk flush; committed data lives in the OS page cache, so it
// survives a kill -9 of this process (not a power cut: that is what the replica is for).
import { ABORT } from "lmdb";
import { errorFields, type Log } from "../../common/log.ts";
import { encodeEntry, WriteSet } from "../../common/store/journal.ts";
import { META, type Store } from "../../common/store/layout.ts";
import { CorruptEntry, open, opRecord, seal, type OpRecord } from "../../common/store/records.ts";
import { DamagedEntry, OpContext, refuse, type Outcome, type World } from "./op-context.ts";
import { spreadOf } from "../../common/percentile.ts";

interface Submission {
  kind: string;
  /** Caller's operation id; internal housekeeping has none (and no stored result). */
  opId?: string;
  expiresAt?: number;
  apply(ctx: OpContext): Outcome;
  done(outcome: Outcome): void;
}

/** After this many operations the batch is cut, so one commit never grows without bound. */
const MAX_BATCH = 2000;
/** Benchmark baseline only: one operation per transaction, each committed before the next begins. */
const SERIAL = process.env.REALM_BENCH_SERIAL_COMMITS === "1";

export class GroupCommit {
  /** Last sequence number handed out; each applied operation gets the next. */
  seq: number;
  /** Callers' operations applied since start (refusals included); housekeeping is not counted. */
  applied = 0;
  private queue: Submission[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly commitMs: number[] = [];
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly generation: () => string,
    private readonly world: World,
    private readonly log: Log,
    private readonly hooks: {
      committed(lastSeq: number, at: number): void;
      damaged(err: DamagedEntry): void;
      fatal(err: Error): void;
    },
    startSeq: number,
  ) {
    this.seq = startSeq;
  }

  submit(s: Submission): void {
    if (this.stopped) {
      s.done(refuse("unavailable", "the realm's database is stopping; try again shortly"));
      return;
    }
    this.queue.push(s);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Refuses new work and waits for what is in flight. */
  async drain(): Promise<void> {
    this.stopped = true;
    while (this.queue.length > 0 || this.inFlight > 0) {
      if (this.queue.length > 0 && !this.scheduled) this.flush();
      await this.store.env.committed;
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Commit latency p99 over the batches since the last call, ms. */
  takeCommitP99(): number {
    const p99 = spreadOf(this.commitMs)?.p99 ?? 0;
    this.commitMs.length = 0;
    return p99;
  }

  private flush(): void {
    this.scheduled = false;
    if (SERIAL && this.inFlight > 0) return; // resumed when the commit lands
    const batch = this.queue.splice(0, SERIAL ? 1 : MAX_BATCH);
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    if (batch.length === 0) return;
    const outcomes: Outcome[] = [];
    let lastSeq = this.seq;
    let at = 0;
    const began = performance.now();
    this.inFlight++;
    this.store.env
      .transaction(() => {
        at = Date.now();
        for (const s of batch) outcomes.push(this.applyOne(s, at));
        if (this.seq !== lastSeq) this.store.t.meta.putSync(META.seq, seal(this.seq));
        lastSeq = this.seq;
      })
      .then(
        () => {
          this.inFlight--;
          if (this.commitMs.length < 10_000) this.commitMs.push(performance.now() - began);
          this.hooks.committed(lastSeq, at);
          batch.forEach((s, i) => s.done(outcomes[i] ?? refuse("internal-error", "no outcome")));
          if (SERIAL && this.queue.length > 0 && !this.scheduled) {
            this.scheduled = true;
            setImmediate(() => this.flush());
          }
        },
        (err: Error) => {
          this.inFlight--;
          // a commit that fails (disk full, I/O error) leaves us unsure of the file: stop, the reviver restarts us and recovery checks
          this.hooks.fatal(err);
        },
      );
  }

  private applyOne(s: Submission, now: number): Outcome {
    if (s.opId !== undefined) {
      const prior = this.store.t.ops.get(s.opId);
      if (prior !== undefined) return this.replay(s, prior);
      // the caller gave up on this attempt: better refused than applied behind its back
      if (s.expiresAt !== undefined && now > s.expiresAt) return refuse("expired", "the request arrived after its caller stopped waiting; nothing was applied");
    }
    const seq = ++this.seq;
    const w = new WriteSet(this.store);
    const ctx = new OpContext(this.store, w, seq, now, this.generation(), s.opId ?? `internal-${seq}`, this.world);
    let outcome: Outcome;
    try {
      // a child transaction per operation: a refusal or a bug half-way through rolls back only this operation
      let refusal: Outcome | undefined;
      const result = this.store.env.childTransaction(() => {
        const o = s.apply(ctx);
        if (o.ok) return o;
        refusal = o;
        return ABORT;
      }) as unknown as Outcome;
      outcome = refusal ?? result;
    } catch (err) {
      w.writes.length = 0;
      ctx.events.length = 0;
      if (err instanceof DamagedEntry) {
        this.hooks.damaged(err);
        outcome = refuse("corrupt-entry", `${err.message}; the database is repairing it, try again shortly`);
      } else {
        this.log.error("operation-failed", { kind: s.kind, opId: s.opId, ...errorFields(err) });
        outcome = refuse("internal-error", `the database could not apply ${s.kind}: ${(err as Error).message}`);
      }
    }
    if (!outcome.ok) {
      w.writes.length = 0;
      ctx.events.length = 0;
    }
    if (s.opId !== undefined) {
      const record: OpRecord = outcome.ok
        ? { kind: s.kind, seq, at: now, ok: true, value: outcome.value }
        : { kind: s.kind, seq, at: now, ok: false, code: outcome.code, error: outcome.error };
      w.put("ops", s.opId, record);
      w.put("opsBySeq", seq, s.opId);
    }
    if (ctx.events.length > 0) w.put("outbox", seq, ctx.events);
    this.store.journal.putSync(seq, encodeEntry({ seq, at: now, writes: w.writes }));
    if (s.opId !== undefined) this.applied++;
    return outcome;
  }

  private replay(s: Submission, raw: Buffer): Outcome {
    let rec: OpRecord;
    try {
      rec = open(raw, opRecord);
    } catch (err) {
      if (err instanceof CorruptEntry) {
        this.hooks.damaged(new DamagedEntry("ops", s.opId!, err.message));
        return refuse("corrupt-entry", `the result of operation ${s.opId} is damaged; the database is repairing it, try again shortly`);
      }
      throw err;
    }
    if (rec.kind !== s.kind) return refuse("op-id-reused", `operation id ${s.opId} was already used for ${rec.kind}`);
    return rec.ok ? { ok: true, value: rec.value ?? {} } : refuse(rec.code ?? "refused", rec.error ?? "refused");
  }
}
