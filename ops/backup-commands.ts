// `realm backup now|list|verify <id>|restore <id>`: the operator's side of the backup node.
// Long tasks run on the backup node; the CLI asks how far they are and prints each new step.
import { createLog } from "../common/log.ts";
import { Op, type OpCode } from "../common/opcodes.ts";
import { snapshotList, taskProgress, taskStarted, type SnapshotRow, type TaskProgress } from "../common/protocol/backup.ts";
import type { Body } from "../common/protocol/index.ts";
import type { Schema } from "../common/schema.ts";
import { UsageError } from "../common/errors.ts";
import { Wire } from "../common/wire.ts";
import { findNode, type RealmsConfig, type RealmSpec } from "../config/model.ts";
import { configFrom, options, type Command } from "./command.ts";

const ASK_MS = 5000;
const POLL_MS = 250;
const TASK_DEADLINE_MS = 30 * 60_000;

function realmOf(config: RealmsConfig, name: string | undefined): RealmSpec {
  const realm = name === undefined ? config.realms[0] : config.realms.find((r) => r.name === name);
  if (!realm) throw new UsageError(name === undefined ? "the config has no realm" : `no realm "${name}" (there are: ${config.realms.map((r) => r.name).join(", ")})`);
  return realm;
}

class BackupDesk {
  readonly wire: Wire;

  constructor(
    readonly config: RealmsConfig,
    readonly realm: RealmSpec,
  ) {
    const self = `ops-backup-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.wire = new Wire(self, createLog(self, "error"), (id) => findNode(config, id)?.inbox, () => {});
  }

  async ask<T>(op: OpCode, body: object, schema: Schema<T>): Promise<T> {
    let frame;
    try {
      frame = await this.wire.request(this.realm.backup.id, op, body as Omit<Body<typeof op>, "corr">, ASK_MS);
    } catch {
      throw new Error(`the backup node ${this.realm.backup.id} (${this.realm.backup.inbox}) does not answer: is the realm running? (realm status)`);
    }
    const reply = frame.body as Body<typeof Op.BACKUP_REPLY>;
    if (!reply.ok) throw new Error(reply.error ?? reply.code ?? "refused");
    return schema.parse(reply.value);
  }

  /** Prints each new phase (and every 10% within one) until the task ends; returns its last state. */
  async follow(label: string, taskId: string): Promise<TaskProgress> {
    const deadline = Date.now() + TASK_DEADLINE_MS;
    let steps = 0;
    let shown = "";
    for (;;) {
      const t = await this.ask(Op.BACKUP_TASK, { taskId }, taskProgress);
      // every step once, even those that came and went between two polls
      for (const step of t.steps.slice(steps)) {
        const line = `[${label}] ${step}`;
        if (line !== shown) console.log(line);
        shown = line;
      }
      steps = t.steps.length;
      if (t.state === "running" && t.percent !== undefined) {
        const line = `[${label}] ${t.phase} ${Math.floor(t.percent / 10) * 10}%`;
        if (line !== shown) console.log(line);
        shown = line;
      }
      if (t.state !== "running") return t;
      if (Date.now() > deadline) throw new Error(`${label} did not finish within ${TASK_DEADLINE_MS / 60_000} min; it may still be running (realm backup list)`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

const kib = (n: number | undefined): string => (n === undefined ? "-" : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);
const when = (ms: number | undefined): string => (ms === undefined ? "-" : new Date(ms).toISOString().replace("T", " ").slice(0, 19));

function table(rows: SnapshotRow[]): string {
  const head = ["ID", "STATE", "TRIGGER", "STARTED (UTC)", "SEQ", "SIZE", "TOOK", "CHARACTERS", "SHA-256", "NOTE"];
  const cells = rows.map((r) => [
    String(r.id),
    r.state,
    r.trigger,
    when(r.startedAt),
    r.seq === undefined ? "-" : String(r.seq),
    kib(r.bytes),
    r.tookMs === undefined ? "-" : `${r.tookMs} ms`,
    String(r.counts?.characters ?? "-"),
    r.sha256 ? `${r.sha256.slice(0, 12)}…` : "-",
    r.error ?? "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(head), ...cells.map(line)].join("\n");
}

function snapshotIdOf(arg: string | undefined, form: string): number {
  const id = Number(arg);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`realm backup ${form} needs a snapshot id (see realm backup list), got ${arg === undefined ? "nothing" : JSON.stringify(arg)}`);
  return id;
}

export const backup: Command = {
  usage: [
    "backup now [--realm R]                 take a verified snapshot of the replica now",
    "backup list [--json] [--realm R]        snapshots with their state, checksum and history",
    "backup verify <id> [--realm R]          re-check a snapshot's checksum and integrity",
    "backup restore <id> --yes [--realm R]   replace the realm's database with a snapshot",
  ],
  async run(argv) {
    const { values, positionals } = options(argv, { realm: { type: "string" }, json: { type: "boolean" }, yes: { type: "boolean" } });
    const [action, arg] = positionals;
    if (!["now", "list", "verify", "restore"].includes(action ?? "")) throw new UsageError(`realm backup needs one of now, list, verify <id>, restore <id>; got ${action ?? "nothing"}`);
    const config = configFrom(values);
    const desk = new BackupDesk(config, realmOf(config, values.realm));
    try {
      switch (action) {
        case "now": {
          const started = await desk.ask(Op.BACKUP_SNAPSHOT_NOW, {}, taskStarted);
          const end = await desk.follow(`snapshot ${started.snapshotId}`, started.taskId);
          if (end.state === "failed") throw new Error(`snapshot ${started.snapshotId} failed: ${end.error}`);
          const r = end.result as { bytes?: number; seq?: number; tookMs?: number; sha256?: string } | undefined;
          console.log(`snapshot ${started.snapshotId} verified: seq ${r?.seq}, ${kib(r?.bytes)}, ${r?.tookMs} ms, sha256 ${r?.sha256}`);
          return 0;
        }
        case "list": {
          const rows = await desk.ask(Op.BACKUP_LIST, { limit: 100 }, snapshotList);
          console.log(values.json ? JSON.stringify(rows) : rows.length === 0 ? "no snapshots yet (realm backup now)" : table(rows));
          return 0;
        }
        case "verify": {
          const id = snapshotIdOf(arg, "verify");
          const started = await desk.ask(Op.BACKUP_VERIFY, { snapshotId: id }, taskStarted);
          const end = await desk.follow(`verify ${id}`, started.taskId);
          const r = end.result as { ok?: boolean; error?: string; seq?: number } | undefined;
          if (end.state === "failed") throw new Error(end.error ?? "verification failed");
          if (!r?.ok) {
            console.error(`snapshot ${id} is TAMPERED: ${r?.error}`);
            return 1;
          }
          console.log(`snapshot ${id} verified: checksum matches, integrity check passed (seq ${r.seq})`);
          return 0;
        }
        default: {
          const id = snapshotIdOf(arg, "restore");
          if (!values.yes) throw new UsageError(`restoring snapshot ${id} replaces the realm's database and loses every change since it was taken; add --yes to do it`);
          const started = await desk.ask(Op.BACKUP_RESTORE, { snapshotId: id }, taskStarted);
          const end = await desk.follow(`restore ${id}`, started.taskId);
          if (end.state === "failed") throw new Error(`restore of snapshot ${id} failed: ${end.error}`);
          console.log(`the realm's database is now snapshot ${id}; the replica copies it anew`);
          return 0;
        }
      }
    } finally {
      await desk.wire.close();
    }
  },
};
