// The backup node: keeps the realm's replica current, takes verified snapshots on the pg-boss
// schedule, records the economy audit, and serves copies to the database node when it recovers.
// Replication does not need PostgreSQL; snapshots and the audit wait for it if it is down.
import { rmSync, statSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import type PgBoss from "pg-boss";
import type { NodeRuntime } from "../../common/node.ts";
import { Op, type OpCode } from "../../common/opcodes.ts";
import { createPool, migrate } from "../../common/postgres/connect.ts";
import { startBoss } from "../../common/postgres/boss.ts";
import type { Body } from "../../common/protocol/index.ts";
import { FileServer, sha256File } from "../../common/store/file-transfer.ts";
import { describeProblem } from "../../common/store/invariants.ts";
import { entryCount, TABLES, type Table } from "../../common/store/layout.ts";
import type { BackupSpec, RealmSpec } from "../../common/topology.ts";
import { startAuditWorker } from "./audit-worker.ts";
import { Replica } from "./replica.ts";
import { checkSnapshotFile, Snapshots } from "./snapshots.ts";
import { Tasks } from "./tasks.ts";

type Answer = { ok: true; value?: unknown } | { ok: false; code: string; error: string };
const RETRY_PG_MS = 1000;

export class BackupNode {
  readonly replica: Replica;
  readonly files = new FileServer();
  readonly tasks = new Tasks();
  snapshots: Snapshots | undefined;
  private pool: pg.Pool | undefined;
  private boss: PgBoss | undefined;
  private auditRecorded: () => number = () => 0;
  private stopping = false;
  private pgTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly rt: NodeRuntime,
    readonly spec: BackupSpec,
    readonly realm: RealmSpec,
    readonly dataDir: string,
  ) {
    this.replica = new Replica(path.join(dataDir, "replica.mdb"), rt.wire, realm.database.id, rt.log);
  }

  install(): void {
    this.replica.open();
    this.replica.start();
    this.handlers();
    this.rt.addVitals(() => ({
      replicaSeq: this.replica.applied,
      replicaLagOps: Math.max(0, this.replica.dbSeq - this.replica.applied),
      following: this.replica.following ? 1 : 0,
      entries: this.replica.store ? entryCount(this.replica.store) : 0,
      auditRecorded: this.auditRecorded(),
    }));
    this.rt.onStop(() => this.stop());
    void this.connectPostgres();
  }

  private async connectPostgres(): Promise<void> {
    const url = process.env.DATABASE_URL;
    if (!url) {
      this.rt.log.warn("snapshots-disabled", { why: "DATABASE_URL is not set: the replica is kept, but snapshots and the audit need PostgreSQL" });
      return;
    }
    try {
      this.pool ??= createPool(url, 3);
      await migrate(this.pool);
      this.boss = await startBoss(url, this.rt.log, { schedule: true });
      const snapshots = new Snapshots(this.dataDir, this.replica, this.pool, this.boss, this.realm.name, this.spec.id, this.spec.everyMs, this.spec.keep, this.tasks, this.rt.log);
      await snapshots.start();
      this.auditRecorded = await startAuditWorker(this.boss, this.pool, this.realm.name, this.rt.log);
      this.snapshots = snapshots;
    } catch (err) {
      this.rt.log.warn("postgres-not-ready", { error: (err as Error).message, retryMs: RETRY_PG_MS });
      await this.boss?.stop({ graceful: false, close: true }).catch(() => {});
      this.boss = undefined;
      if (!this.stopping) this.pgTimer = setTimeout(() => void this.connectPostgres(), RETRY_PG_MS);
    }
  }

  private answer(from: string, corr: number, a: Answer): void {
    this.rt.wire.reply(from, Op.BACKUP_REPLY, a.ok ? (a.value === undefined ? { corr, ok: true } : { corr, ok: true, value: a.value }) : { corr, ok: false, code: a.code, error: a.error });
  }

  /** Registers an async handler; a throw becomes a refusal with its message. */
  private serve<O extends OpCode>(op: O, run: (body: Body<O>) => Promise<Answer> | Answer): void {
    this.rt.on(op, (body, from) => {
      const corr = (body as { corr: number }).corr;
      Promise.resolve()
        .then(() => run(body))
        .then(
          (a) => this.answer(from, corr, a),
          (err: Error & { code?: unknown }) => this.answer(from, corr, { ok: false, code: typeof err.code === "string" ? err.code : "failed", error: err.message }),
        );
    });
  }

  private needSnapshots(): Snapshots {
    if (!this.snapshots) throw Object.assign(new Error("backups need PostgreSQL, which is not reachable yet; try again shortly"), { code: "unavailable" });
    return this.snapshots;
  }

  private handlers(): void {
    this.serve(Op.BACKUP_STATUS, async () => ({
      ok: true,
      value: {
        replicaSeq: this.replica.applied,
        generation: this.replica.generation,
        entries: this.replica.store ? entryCount(this.replica.store) : 0,
        following: this.replica.following,
        snapshots: this.snapshots ? await this.snapshots.count() : 0,
      },
    }));
    this.serve(Op.BACKUP_SNAPSHOT_NOW, async () => {
      const snapshotId = await this.needSnapshots().requestNow();
      return { ok: true, value: { taskId: `snapshot-${snapshotId}`, snapshotId } };
    });
    this.serve(Op.BACKUP_LIST, async (b) => ({ ok: true, value: await this.needSnapshots().list(b.limit ?? 50) }));
    this.serve(Op.BACKUP_VERIFY, (b) => {
      const snapshots = this.needSnapshots();
      const taskId = this.tasks.newId("verify", b.snapshotId);
      this.tasks.begin(taskId, "starting");
      void snapshots.verify(b.snapshotId, taskId).then(
        (result) => this.tasks.finish(taskId, (result as { ok: boolean }).ok ? "verified" : "tampered", result),
        (err: Error) => this.tasks.fail(taskId, err.message),
      );
      return { ok: true, value: { taskId, snapshotId: b.snapshotId } };
    });
    this.serve(Op.BACKUP_RESTORE, (b) => {
      const snapshots = this.needSnapshots();
      const taskId = this.tasks.newId("restore", b.snapshotId);
      this.tasks.begin(taskId, "checking the snapshot");
      void this.restore(snapshots, b.snapshotId, taskId).catch((err: Error) => this.tasks.fail(taskId, err.message));
      return { ok: true, value: { taskId, snapshotId: b.snapshotId } };
    });
    this.serve(Op.BACKUP_TASK, (b) => {
      const t = this.tasks.get(b.taskId);
      return t ? { ok: true, value: t } : { ok: false, code: "not-found", error: `no task ${b.taskId} (the backup node may have restarted)` };
    });
    this.serve(Op.BACKUP_FILE_OPEN, async (b) => {
      if (b.source === "replica") return this.offerReplica();
      const { file, row } = await this.needSnapshots().servable(b.source === "snapshot" ? b.snapshotId : undefined);
      return { ok: true, value: this.files.offer(file, { bytes: row.bytes ?? statSync(file).size, sha256: row.sha256 ?? "", seq: row.seq ?? 0, generation: "" }, false) };
    });
    this.serve(Op.BACKUP_FILE_CHUNK, (b) => {
      const data = this.files.chunk(b.fileId, b.offset);
      return data ? { ok: true, value: { data } } : { ok: false, code: "not-found", error: `no file ${b.fileId} on offer (it expired); open it again` };
    });
    this.serve(Op.BACKUP_GET_ENTRY, (b) => {
      const store = this.replica.store;
      if (!store || !(TABLES as readonly string[]).includes(b.table)) return { ok: false, code: "not-found", error: `no table ${b.table} in the replica` };
      const value = store.t[b.table as Table].get(b.key);
      const base = { seq: this.replica.applied, generation: this.replica.generation };
      return { ok: true, value: value === undefined ? { found: false, ...base } : { found: true, value, ...base } };
    });
  }

  /** A consistent copy of the replica, checked before it is offered: a damaged replica must not replace anything. */
  private offerReplica(): Promise<Answer> {
    return this.replica.use(async (store) => {
      const file = path.join(this.dataDir, `replica-copy-${Date.now()}.mdb`);
      await store.env.backup(file, false);
      const report = await checkSnapshotFile(file);
      if (report.problems.length > 0) {
        rmSync(file, { force: true });
        return { ok: false, code: "replica-invalid", error: `the replica breaks invariants: ${report.problems.slice(0, 3).map(describeProblem).join("; ")}` };
      }
      const offer = this.files.offer(file, { bytes: statSync(file).size, sha256: await sha256File(file), seq: report.seq, generation: report.generation }, true);
      this.rt.log.info("replica-offered", { seq: offer.seq, bytes: offer.bytes });
      return { ok: true, value: offer };
    });
  }

  /** `backup restore <id>`: verify, then have the database replace itself with the snapshot (it fetches it from us). */
  private async restore(snapshots: Snapshots, snapshotId: number, taskId: string): Promise<void> {
    const verdict = (await snapshots.verify(snapshotId, taskId)) as { ok: boolean; error?: string };
    if (!verdict.ok) throw new Error(`snapshot ${snapshotId} failed verification: ${verdict.error}`);
    this.tasks.phase(taskId, "the database is fetching the snapshot", 0);
    const progress = setInterval(() => {
      const served = this.files.progressOfLatest();
      if (served !== undefined) this.tasks.phase(taskId, "the database is fetching the snapshot", served);
    }, 200);
    try {
      const reply = await this.rt.wire.request(this.realm.database.id, Op.DB_RESTORE, { snapshotId }, 600_000);
      if (!reply.ok) throw new Error(`the database refused: ${reply.code}: ${reply.error}`);
      this.rt.log.warn("database-restored-from-snapshot", { snapshotId, reply: reply.value });
      this.tasks.finish(taskId, "restored; the replica starts over from the database", reply.value);
    } finally {
      clearInterval(progress);
    }
  }

  private async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.pgTimer);
    await Promise.all([
      this.boss?.stop({ graceful: false, close: true, wait: true }).catch(() => {}),
      this.replica.close(),
    ]);
    await this.pool?.end().catch(() => {});
    this.files.close();
  }
}
