// The database node: the realm's state in LMDB, served over the node inbox. It is "up" (heart-
// beating) from the first moment, and answers `unavailable` until recovery has opened a store it
// trusts; the realm's critical operations are then refused with a clear message, never half-applied.
import { rmSync, statSync } from "node:fs";
import path from "node:path";
import type { NodeRuntime } from "../../common/node.ts";
import { Op, type OpCode } from "../../common/opcodes.ts";
import type { DbStats } from "../../common/protocol/db.ts";
import type { Body } from "../../common/protocol/index.ts";
import { closeStore, entryCount, generationOf, META, metaNumber, openStore, type Key, type Store, type Table } from "../../common/store/layout.ts";
import { FileServer, sha256File } from "../../common/store/file-transfer.ts";
import { unseal } from "../../common/store/records.ts";
import { WriteSet } from "../../common/store/journal.ts";
import type { DatabaseSpec, RealmSpec } from "../../common/topology.ts";
import { AuditPump } from "./audit-pump.ts";
import { BackupLink } from "./backup-link.ts";
import { GroupCommit } from "./group-commit.ts";
import { DamagedEntry, OpContext, refuse, type Outcome } from "./op-context.ts";
import { Recovery } from "./recovery.ts";
import { EntryRepair } from "./repair.ts";
import { ReplicationFeed } from "./replication.ts";

type DbState = DbStats["state"] | "stopping";

/** How long the first result of an operation is kept for retries (callers retry within seconds). */
const OP_RESULT_TTL_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 10_000;
const PRUNE_BATCH = 5000;

const UNAVAILABLE: Record<Exclude<DbState, "serving">, string> = {
  recovering: "the realm's database is recovering after a restart; try again shortly",
  restoring: "the realm's database is being restored from a backup; try again shortly",
  stopping: "the realm's database is stopping; try again shortly",
};

export class DatabaseNode {
  state: DbState = "recovering";
  store: Store | undefined;
  commit: GroupCommit | undefined;
  feed: ReplicationFeed | undefined;
  private repair: EntryRepair | undefined;
  readonly recovery: Recovery;
  readonly backup: BackupLink;
  readonly pump: AuditPump;
  readonly files = new FileServer();
  private readonly repairing = new Set<string>();
  private lastVitals = { at: Date.now(), applied: 0 };
  /** How far the disk lagged the last commit, ms (overlappingSync flushes after the commit). */
  private flushLagMs = 0;
  private measuringFlush = false;
  private slowFlushSaid = 0;
  private pruneTimer: NodeJS.Timeout | undefined;
  /** A damage found while serving could not be repaired in place: the next start must run recovery. */
  private mustCheck = false;

  constructor(
    readonly rt: NodeRuntime,
    readonly spec: DatabaseSpec,
    readonly realm: RealmSpec,
    readonly dataDir: string,
  ) {
    this.backup = new BackupLink(rt.wire, realm.backup.id);
    this.recovery = new Recovery(dataDir, path.join(dataDir, "realm.mdb"), this.backup, rt.log);
    this.pump = new AuditPump(() => this.store, () => this.commit, realm.name, rt.log, process.env.DATABASE_URL);
  }

  /** Registers vitals and the stop (its operations are operations.ts); recovery runs in the background while the node heartbeats. */
  install(): void {
    this.rt.addVitals(() => this.vitals());
    this.rt.onStop(() => this.stop());
    void this.boot().catch((err: Error) => this.fatal("recovery failed", err));
  }

  generation(): string {
    return this.store ? generationOf(this.store) : "";
  }

  /** An answer for a caller while the node cannot serve, or undefined when it can. */
  unavailable(): Outcome | undefined {
    return this.state === "serving" ? undefined : refuse("unavailable", UNAVAILABLE[this.state]);
  }

  /** A context for reads outside any write (loads, lists): it never writes. */
  reader(): OpContext {
    const store = this.store!;
    return new OpContext(store, new WriteSet(store), 0, Date.now(), this.generation(), "", this.realm.world);
  }

  reply(from: string, corr: number, o: Outcome): void {
    this.rt.wire.reply(from, Op.DB_REPLY, o.ok ? (o.value === undefined ? { corr, ok: true } : { corr, ok: true, value: o.value }) : { corr, ok: false, code: o.code, error: o.error });
  }

  /** A read served from the committed state; a damaged entry is reported to the caller and repaired. */
  read<O extends OpCode>(op: O, run: (ctx: OpContext, body: Body<O>) => Outcome): void {
    this.rt.on(op, (body, from) => {
      const corr = (body as { corr: number }).corr;
      const blocked = this.unavailable();
      if (blocked) return this.reply(from, corr, blocked);
      try {
        this.reply(from, corr, run(this.reader(), body));
      } catch (err) {
        if (!(err instanceof DamagedEntry)) throw err;
        this.damaged(err);
        this.reply(from, corr, refuse("corrupt-entry", `${err.message}; the database is repairing it, try again shortly`));
      }
    });
  }

  /**
   * A change: applied in the next group commit, answered once committed. `kind` may depend on
   * the body (guild-create, guild-join, ...), so an operation id reused for another action is refused.
   */
  mutate<O extends OpCode>(op: O, kind: string | ((body: Body<O>) => string), apply: (ctx: OpContext, body: Body<O>) => Outcome): void {
    this.rt.on(op, (body, from) => {
      const b = body as Body<O> & { corr: number; opId: string; expiresAt?: number };
      const blocked = this.unavailable();
      if (blocked || !this.commit) return this.reply(from, b.corr, blocked ?? refuse("unavailable", UNAVAILABLE.recovering));
      const submission = { kind: typeof kind === "string" ? kind : kind(b), opId: b.opId, apply: (ctx: OpContext) => apply(ctx, b), done: (o: Outcome) => this.reply(from, b.corr, o) };
      this.commit.submit(b.expiresAt === undefined ? submission : { ...submission, expiresAt: b.expiresAt });
    });
  }

  private async boot(): Promise<void> {
    const began = Date.now();
    const { store, check } = await this.recovery.open();
    this.attach(store);
    if (check) {
      const left = await this.repair!.run();
      if (left.length > 0) {
        this.recovery.note("integrity-not-restored", { problems: left.length, sample: left.slice(0, 5), action: "replace the whole database" }, "error");
        this.attach(await this.recovery.restoreWhole("entry repairs did not restore the invariants", undefined, () => this.detach()));
      }
    }
    this.recovery.writeMarker("running", this.generation());
    this.state = "serving";
    this.rt.log.info("database-serving", { seq: this.commit!.seq, generation: this.generation(), entries: entryCount(this.store!), ms: Date.now() - began });
    this.pump.start();
    this.pruneTimer = setInterval(() => this.pruneOpResults(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  attach(store: Store): void {
    this.store = store;
    const seq = metaNumber(store, META.seq);
    this.feed = new ReplicationFeed(store, () => this.generation(), this.rt.log, seq);
    this.commit = new GroupCommit(
      store,
      () => this.generation(),
      this.realm.world,
      this.rt.log,
      {
        committed: (last, at) => this.feed?.committed(last, at),
        damaged: (err) => this.damaged(err),
        fatal: (err) => this.fatal("commit failed", err),
      },
      seq,
    );
    this.repair = new EntryRepair(store, this.commit, this.backup, this.recovery, this.rt.log, () => this.feed?.prunedUpTo ?? 0);
  }

  async detach(): Promise<void> {
    const store = this.store;
    await this.commit?.drain();
    this.feed?.close();
    this.store = undefined;
    this.commit = undefined;
    this.feed = undefined;
    if (store) await closeStore(store);
  }

  /** `backup restore <id>`: the whole database becomes the snapshot; the replica then starts over from us. */
  async restoreSnapshot(snapshotId: number): Promise<Outcome> {
    const blocked = this.unavailable();
    if (blocked) return blocked;
    this.state = "restoring";
    let detached = false;
    try {
      const store = await this.recovery.restoreWhole(`operator restore of snapshot ${snapshotId}`, { snapshotId }, async () => {
        detached = true;
        await this.detach();
      });
      this.attach(store);
      this.recovery.writeMarker("running", this.generation());
      return { ok: true, value: { generation: this.generation(), seq: this.commit!.seq } };
    } catch (err) {
      if (detached && !this.store) this.attach(openStore(this.recovery.file));
      return refuse("restore-failed", (err as Error).message);
    } finally {
      this.state = "serving";
    }
  }

  /** A consistent copy of the whole store, offered in chunks (a replica starting over). */
  async offerCopy(): Promise<Outcome> {
    const blocked = this.unavailable();
    if (blocked || !this.store) return blocked ?? refuse("unavailable", UNAVAILABLE.recovering);
    const file = path.join(this.dataDir, `copy-${Date.now()}.mdb`);
    await this.store.env.backup(file, false);
    const copy = openStore(file, { readOnly: true });
    const info = { seq: metaNumber(copy, META.seq), generation: generationOf(copy) };
    await closeStore(copy);
    rmSync(`${file}-lock`, { force: true });
    const offer = this.files.offer(file, { ...info, bytes: statSync(file).size, sha256: await sha256File(file) }, true);
    this.rt.log.info("copy-offered", { seq: offer.seq, bytes: offer.bytes });
    return { ok: true, value: offer };
  }

  /** Forgets first results older than the retry window, oldest first, as a journaled operation (the replica forgets them too). */
  private pruneOpResults(): void {
    const store = this.store;
    if (this.state !== "serving" || !this.commit || !store) return;
    const atOf = (opId: unknown): number => {
      try {
        const raw = store.t.ops.get(String(opId));
        return raw === undefined ? 0 : Number((unseal(raw) as { at?: number }).at ?? 0);
      } catch {
        return 0; // damaged: its turn to go (the integrity check reports damage on its own)
      }
    };
    const opIdAt = (raw: Buffer): string | undefined => {
      try {
        return String(unseal(raw));
      } catch {
        return undefined;
      }
    };
    const first = [...store.t.opsBySeq.getRange({ limit: 1 })][0];
    if (!first || atOf(opIdAt(first.value)) > Date.now() - OP_RESULT_TTL_MS) return;
    this.commit.submit({
      kind: "prune-op-results",
      apply: (ctx) => {
        const cutoff = ctx.at - OP_RESULT_TTL_MS;
        let pruned = 0;
        for (const { key, value } of ctx.store.t.opsBySeq.getRange({ limit: PRUNE_BATCH })) {
          const opId = opIdAt(value);
          if (opId !== undefined && atOf(opId) > cutoff) break;
          if (opId !== undefined && ctx.store.t.ops.get(opId) !== undefined) ctx.w.remove("ops", opId);
          ctx.w.remove("opsBySeq", key as number);
          pruned++;
        }
        return { ok: true, value: { pruned } };
      },
      done: () => {},
    });
  }

  damaged(err: DamagedEntry): void {
    const id = `${err.table}/${String(err.key)}`;
    this.rt.log.error("entry-damaged", { table: err.table, key: err.key, error: err.message });
    if (this.repairing.has(id) || !this.repair) return;
    this.repairing.add(id);
    void this.repair
      .repairOne(err.table as Table, err.key as Key)
      .then((complete) => {
        if (!complete) this.mustCheck = true;
      })
      .catch((e: Error) => this.rt.log.error("repair-failed", { table: err.table, key: err.key, error: e.message }))
      .finally(() => this.repairing.delete(id));
  }

  stats(): DbStats {
    const lag = this.feed?.lag() ?? { ops: 0, ms: 0 };
    return {
      state: this.state === "stopping" ? "serving" : this.state,
      generation: this.generation(),
      seq: this.commit?.seq ?? 0,
      replicaSeq: this.feed?.ackedSeq ?? 0,
      replicaLagOps: lag.ops,
      replicaLagMs: lag.ms,
      entries: this.store ? entryCount(this.store) : 0,
      journal: this.store ? (this.store.journal.getStats() as { entryCount: number }).entryCount : 0,
      auditBacklog: this.pump.backlog(),
      applied: this.commit?.applied ?? 0,
      recovery: this.recovery.report.slice(-200),
    };
  }

  /** Samples the disk flush lag once per heartbeat; `flush_ms` is how far it may lag before we say so. */
  private sampleFlush(): void {
    const store = this.store;
    if (!store || this.measuringFlush) return;
    this.measuringFlush = true;
    const t0 = Date.now();
    void Promise.resolve(store.env.flushed).then(
      () => {
        this.measuringFlush = false;
        this.flushLagMs = Date.now() - t0;
        if (this.flushLagMs > this.spec.flushMs && Date.now() - this.slowFlushSaid > 60_000) {
          this.slowFlushSaid = Date.now();
          this.rt.log.warn("disk-flush-slow", { flushLagMs: this.flushLagMs, flushMs: this.spec.flushMs, note: "committed data survives a process crash, but an OS crash would lose this much" });
        }
      },
      () => (this.measuringFlush = false),
    );
  }

  private vitals(): Record<string, number> {
    this.sampleFlush();
    const now = Date.now();
    const applied = this.commit?.applied ?? 0;
    const opsPerSec = ((applied - this.lastVitals.applied) * 1000) / Math.max(1, now - this.lastVitals.at);
    this.lastVitals = { at: now, applied };
    const s = this.stats();
    return {
      serving: s.state === "serving" ? 1 : 0,
      opsPerSec: Math.max(0, opsPerSec),
      seq: s.seq,
      replicaLagOps: s.replicaLagOps,
      replicaLagMs: s.replicaLagMs,
      entries: s.entries,
      auditBacklog: s.auditBacklog,
      commitP99Ms: this.commit?.takeCommitP99() ?? 0,
      flushLagMs: this.flushLagMs,
    };
  }

  private async stop(): Promise<void> {
    clearInterval(this.pruneTimer);
    const wasServing = this.state === "serving";
    this.state = "stopping";
    await this.pump.stop();
    const generation = this.generation();
    await this.detach();
    this.files.close();
    // only a store that was serving is known good: a stop during recovery must check again next time
    // (but a stop is not a start dying on a bad file: it must not count as one)
    if (wasServing && !this.mustCheck) this.recovery.writeMarker("stopped", generation);
    else if (this.mustCheck || this.recovery.readMarker()?.phase === "opening") this.recovery.writeMarker("running", generation);
  }

  private fatal(what: string, err: Error): never {
    this.rt.log.error("fatal", { error: `${what}: ${err.message}` });
    process.exit(1);
  }
}
