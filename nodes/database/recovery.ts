// Opening the realm store at start, the seed 003 way. After a clean stop the store is trusted.
// After a crash it is checked: an invalid entry is corrected (from the journal or the replica),
// else deleted (logged); if the store still breaks an invariant, or cannot be opened, or is gone,
// the whole database is replaced by the replica, else by the newest verified snapshot.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Log } from "../../common/log.ts";
import { checkStore, describeProblem } from "../../common/store/invariants.ts";
import { closeStore, generationOf, META, metaNumber, newGeneration, openStore, setMeta, type Store } from "../../common/store/layout.ts";
import type { BackupLink } from "./backup-link.ts";

/** Between starts: `opening` means a start died while opening or checking the file (it may crash LMDB itself). */
interface Marker {
  phase: "opening" | "running" | "stopped";
  generation: string;
  at: number;
  /** Starts in a row that died while opening: one may be bad luck (a kill), two mean the file. */
  attempts?: number;
}

const RETRY_MS = 2000;
/** On a first start the backup node is started after us: give it this long to say whether it holds the realm. */
const FIRST_START_WAIT_MS = 10_000;
const AFTER_CRASH_WAIT_MS = 3000;
const KEEP_REPLACED = 2;

export class Recovery {
  readonly report: string[] = [];
  /** Set while the node is restoring, for progress lines. */
  progress = 0;

  constructor(
    readonly dataDir: string,
    readonly file: string,
    private readonly backup: BackupLink,
    private readonly log: Log,
  ) {}

  private get markerFile(): string {
    return path.join(this.dataDir, "database.json");
  }

  readMarker(): Marker | undefined {
    try {
      return JSON.parse(readFileSync(this.markerFile, "utf8")) as Marker;
    } catch {
      return undefined;
    }
  }

  writeMarker(phase: Marker["phase"], generation: string, attempts?: number): void {
    const tmp = `${this.markerFile}.tmp`;
    const marker: Marker = { phase, generation, at: Date.now() };
    if (attempts !== undefined) marker.attempts = attempts;
    writeFileSync(tmp, JSON.stringify(marker));
    renameSync(tmp, this.markerFile);
  }

  note(event: string, fields: Record<string, unknown>, level: "info" | "warn" | "error" = "warn"): void {
    this.log[level](event, fields);
    this.report.push(`${event} ${JSON.stringify(fields)}`.slice(0, 500));
    if (this.report.length > 200) this.report.shift();
  }

  /** The store to serve, and whether it must be checked (the last run did not stop cleanly). */
  async open(): Promise<{ store: Store; check: boolean }> {
    const marker = this.readMarker();
    if (!existsSync(this.file)) {
      if (marker) {
        this.note("database-files-missing", { file: this.file, action: "restore from the backup node" }, "error");
        return { store: await this.restoreWhole("the database files are missing"), check: false };
      }
      const replica = await this.backup.status(FIRST_START_WAIT_MS);
      if (replica && replica.replicaSeq > 0) {
        this.note("database-files-missing", { file: this.file, replicaSeq: replica.replicaSeq, action: "restore from the replica" }, "error");
        return { store: await this.restoreWhole("the database files are missing but the replica holds the realm"), check: false };
      }
      const store = openStore(this.file);
      const generation = newGeneration();
      setMeta(store, META.generation, generation);
      this.note("database-created", { file: this.file, generation }, "info");
      return { store, check: false };
    }
    const attempts = marker?.phase === "opening" ? (marker.attempts ?? 1) : 0;
    if (attempts >= 2) {
      this.note("database-unopenable", { file: this.file, why: `the last ${attempts} starts died while opening or checking it` }, "error");
      return { store: await this.restoreWhole("starts keep dying while opening the file"), check: false };
    }
    this.writeMarker("opening", marker?.generation ?? "", attempts + 1);
    let store: Store;
    try {
      store = openStore(this.file);
      generationOf(store);
    } catch (err) {
      this.note("database-unopenable", { file: this.file, error: (err as Error).message }, "error");
      return { store: await this.restoreWhole(`the file does not open: ${(err as Error).message}`), check: false };
    }
    if (marker?.phase === "stopped") return { store, check: false };
    // "opening" once before: that start was killed while checking, so check again
    this.note("database-crashed", { action: "checking integrity" });
    // the replica may hold committed operations this file lost (an OS crash with a lagging flush)
    const replica = await this.backup.status(AFTER_CRASH_WAIT_MS);
    let seq = 0;
    try {
      seq = metaNumber(store, META.seq);
    } catch {
      // a damaged counter is the integrity check's to report
    }
    if (replica && replica.generation === generationOf(store) && replica.replicaSeq > seq) {
      this.note("replica-ahead", { seq, replicaSeq: replica.replicaSeq, action: "replace the database with the replica" }, "error");
      await closeStore(store);
      return { store: await this.restoreWhole("the replica is ahead of the database"), check: false };
    }
    return { store, check: true };
  }

  /** Problems left after corrections mean the store cannot be trusted entry by entry. */
  verdict(store: Store): string[] {
    return checkStore(store).problems.map(describeProblem);
  }

  /**
   * Replaces the whole database: the replica first (it is the newest), then the newest verified
   * snapshot. Waits for the backup node as long as it takes: serving an empty realm would be worse.
   */
  async restoreWhole(why: string, only?: { snapshotId: number }, beforeInstall?: () => Promise<void>): Promise<Store> {
    const sources: ["replica" | "snapshot" | "latest-snapshot", number | undefined][] = only ? [["snapshot", only.snapshotId]] : [["replica", undefined], ["latest-snapshot", undefined]];
    const incoming = `${this.file}.incoming`;
    for (let attempt = 1; ; attempt++) {
      for (const [source, snapshotId] of sources) {
        try {
          this.progress = 0;
          const offer = await this.backup.fetch(source, incoming, snapshotId, (p) => (this.progress = p));
          const candidate = openStore(incoming);
          const problems = this.verdict(candidate);
          if (problems.length > 0) {
            await closeStore(candidate);
            throw new Error(`the ${source} copy breaks invariants: ${problems.slice(0, 3).join("; ")}`);
          }
          // a snapshot rewinds history: a new generation makes the replica start over from us
          const rewinds = source !== "replica";
          if (rewinds) setMeta(candidate, META.generation, newGeneration());
          await candidate.journal.clearAsync();
          await closeStore(candidate);
          await beforeInstall?.();
          this.install(incoming);
          const store = openStore(this.file);
          this.note("database-restored", { from: source, snapshotId, seq: offer.seq, generation: generationOf(store), why }, "warn");
          return store;
        } catch (err) {
          rmSync(incoming, { force: true });
          rmSync(`${incoming}-lock`, { force: true });
          this.note("restore-attempt-failed", { from: source, attempt, error: (err as Error).message });
        }
      }
      if (only) throw new Error(`snapshot ${only.snapshotId} could not be restored`);
      // an outside service (the backup node) must come up: retry, the node answers `unavailable` meanwhile
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }

  /** Moves the current file aside (the last few are kept for forensics) and puts `incoming` in its place. */
  private install(incoming: string): void {
    const dir = path.dirname(this.file);
    const base = path.basename(this.file);
    if (existsSync(this.file)) renameSync(this.file, `${this.file}.replaced-${Date.now()}`);
    rmSync(`${this.file}-lock`, { force: true });
    renameSync(incoming, this.file);
    rmSync(`${incoming}-lock`, { force: true });
    const old = readdirSync(dir)
      .filter((f) => f.startsWith(`${base}.replaced-`) && !f.endsWith("-lock"))
      .sort();
    for (const f of old.slice(0, Math.max(0, old.length - KEEP_REPLACED))) rmSync(path.join(dir, f), { force: true });
  }
}
