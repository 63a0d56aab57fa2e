// Point-in-time snapshots of the replica. pg-boss runs them: a cron schedule from realms.yaml
// (`backup.every`) and the operator's `backup now` both put a job on the realm's snapshot queue,
// so every run has a job with its history. Each snapshot is verified right after it is written
// (it opens, the integrity check passes, the counts are recorded) and its SHA-256 is kept, so a
// later `backup verify` catches a file changed on disk. Only the newest `keep` are kept.
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import type PgBoss from "pg-boss";
import type { Log } from "../../common/log.ts";
import { cronEvery, ensureQueue, snapshotQueue } from "../../common/postgres/boss.ts";
import type { SnapshotRow } from "../../common/protocol/backup.ts";
import { sha256File } from "../../common/store/file-transfer.ts";
import { checkStoreFile, describeProblem, type StoreReport } from "../../common/store/invariants.ts";
import type { Replica } from "./replica.ts";
import type { Tasks } from "./tasks.ts";

interface SnapshotJob {
  snapshotId?: number;
  trigger: string;
}

/** Opens a snapshot file read-only and runs the full check on it. */
export const checkSnapshotFile = checkStoreFile;

export class Snapshots {
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly replica: Replica,
    private readonly pool: pg.Pool,
    private readonly boss: PgBoss,
    private readonly realm: string,
    private readonly nodeId: string,
    private readonly everyMs: number,
    private readonly keep: number,
    private readonly tasks: Tasks,
    private readonly log: Log,
  ) {
    this.dir = path.join(dataDir, "snapshots");
    mkdirSync(this.dir, { recursive: true });
  }

  private get queue(): string {
    return snapshotQueue(this.realm);
  }

  fileOf(id: number): string {
    return path.join(this.dir, `snapshot-${id}.mdb`);
  }

  /** Creates the queue, (re)sets the cron schedule from the config, and works the queue. */
  async start(): Promise<void> {
    // one snapshot at a time per realm, and a run that dies is not retried into a pile-up
    await ensureQueue(this.boss, this.queue, { retryLimit: 0, expireInSeconds: 3600 });
    const { cron, note } = cronEvery(this.everyMs);
    if (note) this.log.warn("backup-schedule-rounded", { note });
    await this.boss.schedule(this.queue, cron, { trigger: "schedule" }, { tz: "UTC" });
    await this.boss.work<SnapshotJob>(this.queue, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
      if (!job) return;
      return this.take(job.data.snapshotId ?? (await this.insertRow(job.data.trigger, job.id)), job.id);
    });
    this.log.info("backup-schedule", { queue: this.queue, cron, keep: this.keep });
  }

  /** `backup now`: the row first (so the operator gets an id), then the job. */
  async requestNow(): Promise<number> {
    const id = await this.insertRow("operator", null);
    this.tasks.begin(`snapshot-${id}`, "queued (pg-boss)");
    const jobId = await this.boss.send(this.queue, { snapshotId: id, trigger: "operator" } satisfies SnapshotJob);
    await this.pool.query("UPDATE backup_snapshots SET job_id = $2 WHERE id = $1", [id, jobId]);
    return id;
  }

  private async insertRow(trigger: string, jobId: string | null): Promise<number> {
    const { rows } = await this.pool.query<{ id: string }>(
      "INSERT INTO backup_snapshots (realm, node_id, trigger, state, job_id) VALUES ($1, $2, $3, 'queued', $4) RETURNING id",
      [this.realm, this.nodeId, trigger, jobId],
    );
    return Number(rows[0]!.id);
  }

  /** Copies the replica (compacted, point in time), verifies the copy, records it, prunes old ones. */
  async take(id: number, jobId: string): Promise<object> {
    const taskId = `snapshot-${id}`;
    const file = this.fileOf(id);
    const began = Date.now();
    this.tasks.begin(taskId, "copying the replica");
    await this.pool.query("UPDATE backup_snapshots SET state = 'taking', job_id = COALESCE(job_id, $2), file = $3 WHERE id = $1", [id, jobId, file]);
    try {
      await this.replica.use((store) => store.env.backup(file, true));
      this.tasks.phase(taskId, "checking the copy", 0);
      const report = await checkSnapshotFile(file, (done, total) => this.tasks.phase(taskId, "checking the copy", (100 * done) / Math.max(1, total)));
      this.tasks.phase(taskId, "checksum");
      const sha256 = await sha256File(file);
      const bytes = statSync(file).size;
      const tookMs = Date.now() - began;
      const problems = report.problems.map(describeProblem);
      const state = problems.length === 0 ? "verified" : "failed";
      await this.pool.query(
        `UPDATE backup_snapshots SET state = $2, finished_at = now(), seq = $3, generation = $4, bytes = $5, sha256 = $6,
           counts = $7, took_ms = $8, verified_at = CASE WHEN $2 = 'verified' THEN now() END, error = $9 WHERE id = $1`,
        [id, state, report.seq, report.generation, bytes, sha256, JSON.stringify(report.counts), tookMs, problems.length ? problems.slice(0, 5).join("; ") : null],
      );
      const result = { snapshotId: id, state, seq: report.seq, bytes, sha256, counts: report.counts, tookMs, problems: problems.length };
      this.log.info("snapshot-taken", result);
      if (state !== "verified") {
        this.tasks.fail(taskId, `the copy breaks invariants: ${problems.slice(0, 3).join("; ")}`);
        throw new Error(`snapshot ${id} breaks invariants: ${problems.slice(0, 3).join("; ")}`);
      }
      await this.prune();
      this.tasks.finish(taskId, "verified", result);
      return result;
    } catch (err) {
      const message = (err as Error).message;
      await this.pool.query("UPDATE backup_snapshots SET state = 'failed', finished_at = now(), error = $2 WHERE id = $1 AND state <> 'failed'", [id, message]).catch(() => {});
      this.tasks.fail(taskId, message);
      this.log.error("snapshot-failed", { snapshotId: id, error: message });
      throw err;
    }
  }

  /** Recomputes the checksum and reruns the check; marks the snapshot tampered if the file changed. */
  async verify(id: number, taskId: string): Promise<object> {
    const row = (await this.list(1, id))[0];
    if (!row) throw new Error(`no snapshot ${id} in realm ${this.realm}`);
    if (row.state !== "verified" && row.state !== "tampered") throw new Error(`snapshot ${id} is ${row.state}, there is nothing to verify`);
    const file = this.fileOf(id);
    if (!existsSync(file)) return this.mark(id, "tampered", `the file ${file} is missing`);
    this.tasks.phase(taskId, "checksum");
    const sha256 = await sha256File(file);
    if (sha256 !== row.sha256) return this.mark(id, "tampered", `checksum ${sha256.slice(0, 16)}… differs from the recorded ${row.sha256?.slice(0, 16)}…: the file changed after it was verified`);
    let report: StoreReport;
    try {
      report = await checkSnapshotFile(file, (done, total) => this.tasks.phase(taskId, "checking", (100 * done) / Math.max(1, total)));
    } catch (err) {
      return this.mark(id, "tampered", `the file does not open: ${(err as Error).message}`);
    }
    if (report.problems.length > 0) return this.mark(id, "tampered", report.problems.slice(0, 3).map(describeProblem).join("; "));
    await this.pool.query("UPDATE backup_snapshots SET state = 'verified', verified_at = now(), error = NULL WHERE id = $1", [id]);
    return { snapshotId: id, ok: true, sha256, seq: report.seq, counts: report.counts };
  }

  private async mark(id: number, state: "tampered", error: string): Promise<object> {
    await this.pool.query("UPDATE backup_snapshots SET state = $2, error = $3 WHERE id = $1", [id, state, error]);
    this.log.error("snapshot-tampered", { snapshotId: id, error });
    return { snapshotId: id, ok: false, error };
  }

  /** The file of a snapshot that may be served to the database: verified, and its bytes still match. */
  async servable(id: number | undefined): Promise<{ file: string; row: SnapshotRow }> {
    const rows = id === undefined ? (await this.list(1000)).filter((r) => r.state === "verified") : await this.list(1, id);
    for (const row of rows) {
      const file = this.fileOf(row.id);
      if (row.state === "verified" && existsSync(file) && (await sha256File(file)) === row.sha256) return { file, row };
      if (id !== undefined) throw new Error(`snapshot ${id} is ${row.state === "verified" ? "changed on disk" : row.state}; it cannot be restored`);
    }
    throw new Error(id === undefined ? "there is no verified snapshot" : `no snapshot ${id}`);
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>("SELECT count(*) AS n FROM backup_snapshots WHERE realm = $1 AND state = 'verified'", [this.realm]);
    return Number(rows[0]?.n ?? 0);
  }

  async list(limit: number, id?: number): Promise<SnapshotRow[]> {
    const { rows } = await this.pool.query(
      `SELECT id, state, trigger, extract(epoch FROM started_at) * 1000 AS started_at, extract(epoch FROM finished_at) * 1000 AS finished_at,
              seq, bytes, sha256, counts, took_ms, extract(epoch FROM verified_at) * 1000 AS verified_at, error
         FROM backup_snapshots WHERE realm = $1 AND ($2::bigint IS NULL OR id = $2) ORDER BY id DESC LIMIT $3`,
      [this.realm, id ?? null, limit],
    );
    return rows.map((r: Record<string, unknown>) => {
      const row: SnapshotRow = { id: Number(r.id), state: r.state as SnapshotRow["state"], trigger: String(r.trigger), startedAt: Number(r.started_at) };
      const optional: [keyof SnapshotRow, unknown][] = [
        ["finishedAt", r.finished_at],
        ["seq", r.seq],
        ["bytes", r.bytes],
        ["tookMs", r.took_ms],
        ["verifiedAt", r.verified_at],
      ];
      for (const [k, v] of optional) if (v !== null && v !== undefined) (row as Record<string, unknown>)[k] = Number(v);
      if (r.sha256) row.sha256 = String(r.sha256);
      if (r.counts) row.counts = r.counts as Record<string, number>;
      if (r.error) row.error = String(r.error);
      return row;
    });
  }

  /** Keeps the newest `keep` verified snapshots; older files go, their rows stay as history. */
  private async prune(): Promise<void> {
    const { rows } = await this.pool.query<{ id: string }>(
      "SELECT id FROM backup_snapshots WHERE realm = $1 AND state = 'verified' ORDER BY id DESC OFFSET $2",
      [this.realm, this.keep],
    );
    for (const r of rows) {
      const id = Number(r.id);
      rmSync(this.fileOf(id), { force: true });
      await this.pool.query("UPDATE backup_snapshots SET state = 'pruned' WHERE id = $1", [id]);
      this.log.info("snapshot-pruned", { snapshotId: id, keep: this.keep });
    }
  }
}
