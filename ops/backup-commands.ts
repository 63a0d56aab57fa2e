// `realm backup now|list|verify <id>|restore <id>`: the operator's side of the backup node,
// through the desk the operator console uses too (common/operator/backup-desk.ts).
import { createLog } from "../common/log.ts";
import { BackupDesk, realmOf } from "../common/operator/backup-desk.ts";
import type { SnapshotRow } from "../common/protocol/backup.ts";
import { UsageError } from "../common/errors.ts";
import { realmWire } from "../common/mesh/realm-mesh.ts";
import { configFrom, options, type Command } from "./command.ts";

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
    const self = `ops-backup-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const wire = realmWire(config, self, createLog(self, "error"));
    const desk = new BackupDesk(wire, realmOf(config, values.realm), (line) => console.log(line));
    try {
      switch (action) {
        case "now": {
          const r = await desk.snapshotNow();
          console.log(`snapshot ${r.snapshotId} verified: seq ${r.seq}, ${kib(r.bytes)}, ${r.tookMs} ms, sha256 ${r.sha256}`);
          return 0;
        }
        case "list": {
          const rows = await desk.list();
          console.log(values.json ? JSON.stringify(rows) : rows.length === 0 ? "no snapshots yet (realm backup now)" : table(rows));
          return 0;
        }
        case "verify": {
          const id = snapshotIdOf(arg, "verify");
          const r = await desk.verify(id);
          if (!r.ok) {
            console.error(`snapshot ${id} is TAMPERED: ${r.error}`);
            return 1;
          }
          console.log(`snapshot ${id} verified: checksum matches, integrity check passed (seq ${r.seq})`);
          return 0;
        }
        default: {
          const id = snapshotIdOf(arg, "restore");
          if (!values.yes) throw new UsageError(`restoring snapshot ${id} replaces the realm's database and loses every change since it was taken; add --yes to do it`);
          await desk.restore(id);
          console.log(`the realm's database is now snapshot ${id}; the replica copies it anew`);
          return 0;
        }
      }
    } finally {
      await wire.close();
    }
  },
};
