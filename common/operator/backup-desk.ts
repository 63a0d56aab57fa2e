// The operator's side of a realm's backup node, shared by `realm backup` (ops/backup-commands.ts)
// and the operator console (nodes/reviver/console/): both take, list and verify snapshots here.
// Long tasks run on the backup node; the desk asks how far they are until they end.
import { UsageError } from "../errors.ts";
import { Op } from "../opcodes.ts";
import { snapshotList, taskProgress, taskStarted, type SnapshotRow, type TaskProgress } from "../protocol/backup.ts";
import type { Request, RequestsAnsweredBy } from "../protocol/index.ts";
import type { Schema } from "../schema.ts";
import type { Wire } from "../wire.ts";
import type { RealmsConfig, RealmSpec } from "../topology.ts";

const ASK_MS = 5000;
const POLL_MS = 250;
const TASK_DEADLINE_MS = 30 * 60_000;

/** The named realm, or the first one when no name is given. */
export function realmOf(config: RealmsConfig, name: string | undefined): RealmSpec {
  const realm = name === undefined ? config.realms[0] : config.realms.find((r) => r.name === name);
  if (!realm) throw new UsageError(name === undefined ? "the config has no realm" : `no realm "${name}" (there are: ${config.realms.map((r) => r.name).join(", ")})`);
  return realm;
}

/** A finished snapshot, as the backup node's task reports it. */
interface SnapshotTaken {
  snapshotId: number;
  seq?: number;
  bytes?: number;
  tookMs?: number;
  sha256?: string;
}

interface SnapshotVerdict {
  snapshotId: number;
  /** false: the checksum or the integrity check failed (the snapshot is tampered). */
  ok: boolean;
  error?: string;
  seq?: number;
}

export class BackupDesk {
  constructor(
    /** Any wire that reaches the backup node: the CLI's own, or the reviver's. */
    private readonly wire: Pick<Wire, "request">,
    readonly realm: RealmSpec,
    /** Each new step of a long task, e.g. "[snapshot 3] copying 40%". */
    private readonly onStep: (line: string) => void = () => {},
  ) {}

  async ask<O extends RequestsAnsweredBy<typeof Op.BACKUP_REPLY>, T>(op: O, body: Request<O>, schema: Schema<T>): Promise<T> {
    let reply;
    try {
      reply = await this.wire.request(this.realm.backup.id, op, body, ASK_MS);
    } catch {
      throw new Error(`the backup node ${this.realm.backup.id} (${this.realm.backup.inbox}) does not answer: is the realm running? (realm status)`);
    }
    if (!reply.ok) throw new Error(reply.error ?? reply.code ?? "refused");
    return schema.parse(reply.value);
  }

  list(limit = 100): Promise<SnapshotRow[]> {
    return this.ask(Op.BACKUP_LIST, { limit }, snapshotList);
  }

  /** Takes a snapshot of the replica and waits until it is verified; throws if it failed. */
  async snapshotNow(): Promise<SnapshotTaken> {
    const started = await this.ask(Op.BACKUP_SNAPSHOT_NOW, {}, taskStarted);
    const snapshotId = started.snapshotId ?? 0;
    const end = await this.follow(`snapshot ${snapshotId}`, started.taskId);
    if (end.state === "failed") throw new Error(`snapshot ${snapshotId} failed: ${end.error}`);
    const r = end.result as Omit<SnapshotTaken, "snapshotId"> | undefined;
    return { snapshotId, ...r };
  }

  /** Re-checks a snapshot's checksum and integrity; a tampered one is `ok: false`, a task that broke throws. */
  async verify(snapshotId: number): Promise<SnapshotVerdict> {
    const started = await this.ask(Op.BACKUP_VERIFY, { snapshotId }, taskStarted);
    const end = await this.follow(`verify ${snapshotId}`, started.taskId);
    if (end.state === "failed") throw new Error(end.error ?? "verification failed");
    const r = end.result as { ok?: boolean; error?: string; seq?: number } | undefined;
    const verdict: SnapshotVerdict = { snapshotId, ok: r?.ok === true };
    if (r?.error !== undefined) verdict.error = r.error;
    if (r?.seq !== undefined) verdict.seq = r.seq;
    return verdict;
  }

  /** Replaces the realm's database with a snapshot; throws if the restore failed. */
  async restore(snapshotId: number): Promise<void> {
    const started = await this.ask(Op.BACKUP_RESTORE, { snapshotId }, taskStarted);
    const end = await this.follow(`restore ${snapshotId}`, started.taskId);
    if (end.state === "failed") throw new Error(`restore of snapshot ${snapshotId} failed: ${end.error}`);
  }

  /** Reports each new phase (and every 10% within one) until the task ends; returns its last state. */
  private async follow(label: string, taskId: string): Promise<TaskProgress> {
    const deadline = Date.now() + TASK_DEADLINE_MS;
    let steps = 0;
    let shown = "";
    for (;;) {
      const t = await this.ask(Op.BACKUP_TASK, { taskId }, taskProgress);
      // every step once, even those that came and went between two polls
      for (const step of t.steps.slice(steps)) {
        const line = `[${label}] ${step}`;
        if (line !== shown) this.onStep(line);
        shown = line;
      }
      steps = t.steps.length;
      if (t.state === "running" && t.percent !== undefined) {
        const line = `[${label}] ${t.phase} ${Math.floor(t.percent / 10) * 10}%`;
        if (line !== shown) this.onStep(line);
        shown = line;
      }
      if (t.state !== "running") return t;
      if (Date.now() > deadline) throw new Error(`${label} did not finish within ${TASK_DEADLINE_MS / 60_000} min; it may still be running (realm backup list)`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
