// Entry-level repair after a crash (seed 003, steps 1 and 2). A damaged record is corrected
// from its newest known value: the journal if a committed operation not yet replicated wrote it,
// else the replica (which has every older write). Without either it is deleted. Indexes are
// rebuilt from the records. Repairs run as journaled operations, so the replica mirrors them.
import type { Log } from "../../common/log.ts";
import { checkStore, INDEX_TABLES, type Problem } from "../../common/store/invariants.ts";
import { decodeEntry } from "../../common/store/journal.ts";
import { generationOf, TABLES, type Key, type Store, type Table } from "../../common/store/layout.ts";
import { unsealBytes } from "../../common/store/records.ts";
import type { BackupLink } from "./backup-link.ts";
import type { GroupCommit } from "./group-commit.ts";
import { done, refuse, type OpContext, type Outcome } from "./op-context.ts";
import type { Recovery } from "./recovery.ts";

interface Fix {
  table: Table;
  key: Key;
  /** Sealed bytes to put, or null to delete. */
  value: Buffer | null;
  from: "journal" | "replica" | "deleted";
}

const keyId = (table: string, key: Key): string => `${table}\u0000${typeof key}\u0000${String(key)}`;

/** The newest journaled write of each wanted entry; damaged journal entries are dropped (logged). */
function newestInJournal(store: Store, wanted: Set<string>, recovery: Recovery): Map<string, Buffer | null> {
  const found = new Map<string, Buffer | null>();
  for (const { key, value } of store.journal.getRange({})) {
    try {
      const entry = decodeEntry(value);
      for (const w of entry.writes) {
        const id = keyId(TABLES[w.table]!, w.key);
        if (wanted.has(id)) found.set(id, w.value); // later entries overwrite earlier ones
      }
    } catch (err) {
      recovery.note("journal-entry-deleted", { seq: key, error: (err as Error).message, note: "the replica copies everything if it needs it" }, "error");
      store.journal.removeSync(key);
    }
  }
  return found;
}

export class EntryRepair {
  constructor(
    private readonly store: Store,
    private readonly commit: GroupCommit,
    private readonly backup: BackupLink,
    private readonly recovery: Recovery,
    private readonly log: Log,
    private readonly prunedUpTo: () => number,
  ) {}

  /** Checks, corrects or deletes, rebuilds indexes, checks again; returns what is still wrong. */
  async run(): Promise<string[]> {
    const first = checkStore(this.store);
    if (first.problems.length === 0) {
      this.recovery.note("integrity-ok", { counts: first.counts }, "info");
      return [];
    }
    this.recovery.note("integrity-problems", { count: first.problems.length, sample: first.problems.slice(0, 5).map((p) => `${p.kind} ${p.table}[${String(p.key)}]: ${p.detail}`) }, "error");
    const damaged = first.problems.filter((p) => p.kind === "corrupt" && p.table !== "*");
    return this.repair(damaged);
  }

  /** Corrects or deletes an entry found damaged while serving (a failed checksum on read). */
  async repairOne(table: Table, key: Key): Promise<boolean> {
    const left = await this.repair([{ kind: "corrupt", table, key, detail: "found damaged while serving" }]);
    if (left.length > 0) this.recovery.note("repair-incomplete", { table, key, problems: left.slice(0, 5), action: "restart the database node: recovery replaces the database" }, "error");
    return left.length === 0;
  }

  /**
   * One operation: fixes, index rebuild, and the check again. If the store still breaks an
   * invariant the operation is refused and rolls back, so a half-repair is never kept nor
   * replicated (the replica stays the good copy the whole database can be replaced with).
   */
  private async repair(damaged: Problem[]): Promise<string[]> {
    const fixes = await this.fixesFor(damaged);
    let left: string[] = [];
    let rebuilt = 0;
    const o = await this.applyAsOperation("repair", (ctx) => {
      for (const f of fixes) {
        if (f.value === null) ctx.w.remove(f.table, f.key);
        else ctx.w.put(f.table, f.key, JSON.parse(unsealBytes(f.value).toString("utf8")));
      }
      for (const p of checkStore(ctx.store).problems) {
        if (!INDEX_TABLES.includes(p.table as Table) || (p.kind !== "index-missing" && p.kind !== "index-extra")) continue;
        if (p.want === undefined) ctx.w.remove(p.table as Table, p.key);
        else ctx.w.put(p.table as Table, p.key, p.want);
        rebuilt++;
      }
      left = checkStore(ctx.store).problems.map((p) => `${p.kind} ${p.table}[${String(p.key)}]: ${p.detail}`);
      return left.length === 0 ? done() : refuse("not-repaired", left.slice(0, 3).join("; "));
    });
    if (!o.ok) return left.length > 0 ? left : [`${o.code}: ${o.error}`];
    for (const f of fixes) {
      const fields = { table: f.table, key: f.key, from: f.from };
      if (f.value === null) this.recovery.note("entry-deleted", fields, "error");
      else this.recovery.note("entry-corrected", fields, "warn");
    }
    if (rebuilt > 0) this.recovery.note("indexes-rebuilt", { entries: rebuilt }, "warn");
    this.recovery.note("integrity-restored", { corrected: fixes.filter((f) => f.value !== null).length, deleted: fixes.filter((f) => f.value === null).length }, "warn");
    return [];
  }

  /** For each damaged entry its newest known value: the journal's, else the replica's, else none (delete). */
  private async fixesFor(damaged: Problem[]): Promise<Fix[]> {
    if (damaged.length === 0) return [];
    const wanted = new Set(damaged.map((p) => keyId(p.table, p.key)));
    const journal = newestInJournal(this.store, wanted, this.recovery);
    const fixes: Fix[] = [];
    let replicaUsable: boolean | undefined;
    for (const p of damaged) {
      const table = p.table as Table;
      const id = keyId(table, p.key);
      if (INDEX_TABLES.includes(table)) {
        fixes.push({ table, key: p.key, value: null, from: "deleted" }); // rebuilt from the records
      } else if (journal.has(id)) {
        fixes.push({ table, key: p.key, value: journal.get(id) ?? null, from: "journal" });
      } else {
        replicaUsable ??= await this.replicaHasEverythingOlder();
        const copy = replicaUsable ? await this.backup.entry(table, p.key).catch(() => undefined) : undefined;
        if (copy && copy.value !== null) fixes.push({ table, key: p.key, value: copy.value, from: "replica" });
        else fixes.push({ table, key: p.key, value: null, from: "deleted" });
      }
    }
    return fixes;
  }

  /** The replica can stand in for an entry only if it follows our history and has every write the journal no longer holds. */
  private async replicaHasEverythingOlder(): Promise<boolean> {
    const status = await this.backup.status(5000);
    const usable = status !== undefined && status.generation === generationOf(this.store) && status.replicaSeq >= this.prunedUpTo();
    if (!usable) this.log.warn("replica-not-usable-for-repair", { status, prunedUpTo: this.prunedUpTo() });
    return usable;
  }

  private applyAsOperation(kind: string, apply: (ctx: OpContext) => Outcome): Promise<Outcome> {
    return new Promise((resolve) => this.commit.submit({ kind, apply, done: resolve }));
  }
}
