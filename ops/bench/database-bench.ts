// The database node under load, measured from a separate process: acknowledged checkpoints and
// trades per second with p99 latency, ours (group commit) beside one transaction per operation;
// the replica's lag under that load; and snapshot time and size for 100,000 characters.
import type { ChildProcess } from "node:child_process";
import { rmSync, statSync } from "node:fs";
import path from "node:path";
import { DatabaseClient } from "../../common/db-client.ts";
import { isAlive, launchNode } from "../../common/launch.ts";
import { createLog } from "../../common/log.ts";
import { childKey, closeStore, META, nameKey, newGeneration, openStore, setMeta } from "../../common/store/layout.ts";
import { checkStoreFile } from "../../common/store/invariants.ts";
import { seal } from "../../common/store/records.ts";
import { sha256File } from "../../common/store/file-transfer.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import type { Wire } from "../../common/wire.ts";
import { loadConfig } from "../../config/load.ts";
import { findNode, type RealmsConfig } from "../../common/topology.ts";
import { plot, type Bench, type BenchContext, type Cell, type Chart } from "./bench.ts";
import { loadInProcess, type RateResult } from "./db-load.ts";
import { writeConfigCopy } from "../config-copy.ts";

const CHARACTERS = 200;
/** Requests in flight from the load process for the headline figures. */
const IN_FLIGHT = 64;
const SNAPSHOT_CHARACTERS = 100_000;
/** Items per character in the snapshot store (--quick: 1, so the whole suite stays short). */
const ITEMS_PER_CHARACTER = 4;

/** The shipped realms.yaml with a free port for every address, its data under `dir`. */
async function benchConfig(dir: string): Promise<RealmsConfig> {
  return loadConfig(await writeConfigCopy(dir));
}

class BenchRealm {
  private readonly children: ChildProcess[] = [];
  readonly wire: Wire;
  readonly db: DatabaseClient;

  constructor(readonly config: RealmsConfig) {
    const self = `bench-${process.pid}`;
    this.wire = realmWire(config, self, createLog(self, "error"));
    this.db = new DatabaseClient(this.wire, this.realm.database.id, { timeoutMs: 10_000, retries: 0 });
  }

  get realm() {
    return this.config.realms[0]!;
  }

  launch(id: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = launchNode(findNode(this.config, id)!, { configFile: this.config.file, dataDir: this.config.dataDir, env: { ...process.env, DATABASE_URL: "", ...env }, stopWithLauncher: true });
    this.children.push(child);
    return child;
  }

  async serving(deadlineMs = 30_000): Promise<void> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const s = await this.db.stats().catch(() => undefined);
      if (s?.state === "serving") return;
      if (Date.now() > end) throw new Error("the database node did not start serving");
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(child: ChildProcess): Promise<void> {
    if (child.pid === undefined || !isAlive(child.pid)) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
    if (isAlive(child.pid)) child.kill("SIGKILL");
  }

  async close(): Promise<void> {
    for (const c of this.children) await this.stop(c);
    await this.wire.close();
  }
}

interface LoadFigures extends RateResult {
  maxLagOps: number;
  maxLagMs: number;
}

/** One rate run in a separate process, sampling the replica lag meanwhile. */
async function measure(realm: BenchRealm, op: "checkpoint" | "trade", ms: number, characters: string[], concurrency: number): Promise<LoadFigures> {
  let maxLagOps = 0;
  let maxLagMs = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const s = await realm.db.stats().catch(() => undefined);
      if (s) {
        maxLagOps = Math.max(maxLagOps, s.replicaLagOps);
        maxLagMs = Math.max(maxLagMs, s.replicaLagMs);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const result = await loadInProcess<RateResult>({ kind: "rate", configFile: realm.config.file, dbId: realm.realm.database.id, op, ms, concurrency, characters });
  sampling = false;
  await sampler;
  return { ...result, maxLagOps, maxLagMs };
}

interface CurvePoint {
  inFlight: number;
  checkpointsPerSec: number;
  tradesPerSec: number;
}

/** The headline load at IN_FLIGHT, and ops/s at fewer in flight for the curve (shorter runs). */
async function loadFigures(ctx: BenchContext, dir: string, serial: boolean): Promise<{ checkpoint: LoadFigures; trade: LoadFigures; curve: CurvePoint[] }> {
  const config = await benchConfig(dir);
  const realm = new BenchRealm(config);
  try {
    realm.launch(realm.realm.backup.id);
    realm.launch(realm.realm.database.id, serial ? { REALM_BENCH_SERIAL_COMMITS: "1" } : {});
    await realm.serving();
    let made = 0;
    // a load process numbers its checkpoint versions from its pid, so one started later may begin
    // below an earlier one's and be refused as stale: each checkpoint run gets characters of its own
    const newCharacters = (): Promise<string[]> =>
      Promise.all(
        Array.from({ length: CHARACTERS }, async () => {
          const i = made++;
          const c = await realm.db.createCharacter(`bench-${i}`, `Bench ${letters(i)}`, 10, 10);
          await realm.db.grantGold(c.id, 1_000_000, "bench");
          return c.id;
        }),
      );
    ctx.progress(`${serial ? "baseline (one transaction per op)" : "group commit"}: ${CHARACTERS} characters`);
    const ids = await newCharacters();
    const curve: CurvePoint[] = [];
    for (const inFlight of ctx.quick ? [4] : [1, 4, 16]) {
      const ms = ctx.quick ? 1000 : 3000;
      ctx.progress(`checkpoints and trades, ${inFlight} in flight, ${ms} ms each`);
      const c = await measure(realm, "checkpoint", ms, await newCharacters(), inFlight);
      const t = await measure(realm, "trade", ms, ids, inFlight);
      curve.push({ inFlight, checkpointsPerSec: c.opsPerSec, tradesPerSec: t.opsPerSec });
    }
    const ms = ctx.quick ? 1000 : 6000;
    ctx.progress(`checkpoints for ${ms} ms from a separate process, ${IN_FLIGHT} in flight`);
    const checkpoint = await measure(realm, "checkpoint", ms, await newCharacters(), IN_FLIGHT);
    ctx.progress(`trades for ${ms} ms from a separate process, ${IN_FLIGHT} in flight`);
    const trade = await measure(realm, "trade", ms, ids, IN_FLIGHT);
    curve.push({ inFlight: IN_FLIGHT, checkpointsPerSec: checkpoint.opsPerSec, tradesPerSec: trade.opsPerSec });
    return { checkpoint, trade, curve };
  } finally {
    await realm.close();
  }
}

/** 0 -> "a", 25 -> "z", 26 -> "ba": a distinct name part per number. */
function letters(i: number): string {
  let s = "";
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
}

/** A store of `n` characters, each with gold and items, written the way the database writes it. */
async function buildRealmStore(file: string, n: number, itemsEach: number): Promise<void> {
  const store = openStore(file);
  setMeta(store, META.generation, newGeneration());
  const at = Date.now();
  for (let start = 0; start < n; start += 5000) {
    await store.env.transaction(() => {
      for (let i = start; i < Math.min(n, start + 5000); i++) {
        const id = `C${i.toString(36)}`;
        const name = `Hero ${letters(i)}`;
        store.t.characters.putSync(id, seal({ id, accountId: `acct-${i}`, name, level: 30, x: i % 4000, y: (i * 7) % 4000, stats: { hp: 300, mana: 120, str: 20, agi: 15 }, version: 12, createdAt: at }));
        store.t.gold.putSync(id, seal(100));
        store.t.names.putSync(nameKey(name), seal(id));
        store.t.byAccount.putSync(childKey(`acct-${i}`, id), seal(1));
        for (let k = 0; k < itemsEach; k++) {
          const item = `I${i.toString(36)}.${k}`;
          store.t.items.putSync(item, seal({ id: item, kind: "sword", owner: id, at }));
          store.t.owned.putSync(childKey(id, item), seal(1));
        }
      }
    });
  }
  store.t.meta.putSync(META.granted, seal(100 * n));
  await closeStore(store);
}

interface SnapshotFigures {
  itemsEach: number;
  compactMs: number;
  compactBytes: number;
  plainMs: number;
  plainBytes: number;
  /** Not measured with --quick (it takes seconds on a 100,000-character store). */
  verifyMs: number | undefined;
  buildMs: number;
}

async function snapshotFigures(ctx: BenchContext, dir: string): Promise<SnapshotFigures> {
  const source = path.join(dir, "realm.mdb");
  const itemsEach = ctx.quick ? 1 : ITEMS_PER_CHARACTER;
  ctx.progress(`building a store of ${SNAPSHOT_CHARACTERS.toLocaleString("en-US")} characters, ${itemsEach} items each`);
  let t0 = performance.now();
  await buildRealmStore(source, SNAPSHOT_CHARACTERS, itemsEach);
  const buildMs = performance.now() - t0;
  const store = openStore(source, { readOnly: true });
  try {
    ctx.progress("snapshot: compacted copy (ours) and plain copy");
    const compact = path.join(dir, "snapshot-compact.mdb");
    const plain = path.join(dir, "snapshot-plain.mdb");
    t0 = performance.now();
    await store.env.backup(compact, true);
    await sha256File(compact);
    const compactMs = performance.now() - t0;
    t0 = performance.now();
    await store.env.backup(plain, false);
    await sha256File(plain);
    const plainMs = performance.now() - t0;
    let verifyMs: number | undefined;
    if (!ctx.quick) {
      ctx.progress("verifying the snapshot (open, integrity check)");
      t0 = performance.now();
      const report = await checkStoreFile(compact);
      verifyMs = performance.now() - t0;
      if (report.problems.length > 0 || report.counts.characters !== SNAPSHOT_CHARACTERS) throw new Error(`the bench snapshot does not verify: ${report.problems.length} problems`);
    }
    return { itemsEach, compactMs, compactBytes: statSync(compact).size, plainMs, plainBytes: statSync(plain).size, verifyMs, buildMs };
  } finally {
    await closeStore(store);
  }
}

export const databaseBench: Bench = {
  name: "database",
  about: "acknowledged operations/s and p99 from a separate process (group commit vs one transaction per op), replica lag, snapshot of 100,000 characters",
  async run(ctx) {
    const dir = path.join(ctx.dataDir, "bench-database");
    rmSync(dir, { recursive: true, force: true });
    try {
      const ours = await loadFigures(ctx, path.join(dir, "group"), false);
      const base = await loadFigures(ctx, path.join(dir, "serial"), true);
      const snap = await snapshotFigures(ctx, path.join(dir, "snapshot"));
      const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
      const curveRows: Cell[][] = [];
      const ops: Chart = { name: "ops", title: "Database operations acknowledged per second vs requests in flight", x: { label: "requests in flight", log: true }, y: { label: "operations/s", log: true }, series: [] };
      ours.curve.forEach((o, i) => {
        const b = base.curve[i]!;
        if (o.inFlight !== IN_FLIGHT) {
          curveRows.push([`checkpoints acknowledged/s, ${o.inFlight} in flight`, o.checkpointsPerSec, b.checkpointsPerSec, "one transaction per op", o.checkpointsPerSec / b.checkpointsPerSec]);
          curveRows.push([`trades acknowledged/s, ${o.inFlight} in flight`, o.tradesPerSec, b.tradesPerSec, "one transaction per op", o.tradesPerSec / b.tradesPerSec]);
        }
        plot(ops, "checkpoints, group commit", o.inFlight, o.checkpointsPerSec);
        plot(ops, "trades, group commit", o.inFlight, o.tradesPerSec);
        plot(ops, "checkpoints, one transaction per op", b.inFlight, b.checkpointsPerSec);
        plot(ops, "trades, one transaction per op", b.inFlight, b.tradesPerSec);
      });
      const rows: Cell[][] = [
        ...curveRows,
        [`checkpoints acknowledged/s, ${IN_FLIGHT} in flight`, ours.checkpoint.opsPerSec, base.checkpoint.opsPerSec, "one transaction per op", ours.checkpoint.opsPerSec / base.checkpoint.opsPerSec],
        ["checkpoint p99 ms", ours.checkpoint.p99Ms, base.checkpoint.p99Ms, "one transaction per op", base.checkpoint.p99Ms / Math.max(0.001, ours.checkpoint.p99Ms)],
        [`trades acknowledged/s, ${IN_FLIGHT} in flight`, ours.trade.opsPerSec, base.trade.opsPerSec, "one transaction per op", ours.trade.opsPerSec / base.trade.opsPerSec],
        ["trade p99 ms", ours.trade.p99Ms, base.trade.p99Ms, "one transaction per op", base.trade.p99Ms / Math.max(0.001, ours.trade.p99Ms)],
        ["replica lag under checkpoints: max ops / max ms", `${ours.checkpoint.maxLagOps} / ${ours.checkpoint.maxLagMs}`, `${base.checkpoint.maxLagOps} / ${base.checkpoint.maxLagMs}`, "one transaction per op", "-"],
        ["replica lag under trades: max ops / max ms", `${ours.trade.maxLagOps} / ${ours.trade.maxLagMs}`, `${base.trade.maxLagOps} / ${base.trade.maxLagMs}`, "one transaction per op", "-"],
        [`snapshot of ${SNAPSHOT_CHARACTERS.toLocaleString("en-US")} characters: ms (copy + sha256)`, snap.compactMs, snap.plainMs, "plain copy, not compacted", snap.plainMs / snap.compactMs],
        [`snapshot of ${SNAPSHOT_CHARACTERS.toLocaleString("en-US")} characters: size`, mib(snap.compactBytes), mib(snap.plainBytes), "plain copy, not compacted", snap.plainBytes / snap.compactBytes],
        ["snapshot verify (open + integrity check) ms", snap.verifyMs ?? "not with --quick", "-", "-", "-"],
      ];
      return {
        columns: ["measure", "ours", "baseline", "baseline is", "ours / baseline"],
        rows,
        figures: {
          checkpointsPerSec: ours.checkpoint.opsPerSec,
          checkpointP99Ms: ours.checkpoint.p99Ms,
          tradesPerSec: ours.trade.opsPerSec,
          tradeP99Ms: ours.trade.p99Ms,
          serialCheckpointsPerSec: base.checkpoint.opsPerSec,
          serialTradesPerSec: base.trade.opsPerSec,
          replicaMaxLagOps: Math.max(ours.checkpoint.maxLagOps, ours.trade.maxLagOps),
          replicaMaxLagMs: Math.max(ours.checkpoint.maxLagMs, ours.trade.maxLagMs),
          snapshotMs: snap.compactMs,
          snapshotBytes: snap.compactBytes,
          ...(snap.verifyMs === undefined ? {} : { snapshotVerifyMs: snap.verifyMs }),
        },
        charts: [ops],
        notes: [
          `load: ${IN_FLIGHT} requests in flight (fewer on the rows that say so) from one client process over ZeroMQ; ${CHARACTERS} characters; the backup node replicating; audit outbox written, pg-boss not running (no DATABASE_URL in the bench)`,
          `snapshot store: ${SNAPSHOT_CHARACTERS.toLocaleString("en-US")} characters with gold, names and ${snap.itemsEach} item(s) each, built in ${Math.round(snap.buildMs)} ms`,
          `errors during load: ours ${ours.checkpoint.errors + ours.trade.errors}, baseline ${base.checkpoint.errors + base.trade.errors}`,
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
