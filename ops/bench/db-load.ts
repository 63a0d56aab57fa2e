// A load client for the database node, run as its own process (by the benchmark and by the
// tests that need clients other than themselves): `node --import tsx ops/bench/db-load.ts '<spec json>'`.
// It prints one JSON line with what it measured. Kinds of load:
//   trades  - random trades among given characters, from stale knowledge of who owns what (so
//             many conflict), some sent twice at once and some retried, to check idempotency
//   rate    - a closed loop of checkpoints or trades for a while: acknowledged ops/s and latency
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { DatabaseClient, type TradeSide } from "../../common/db-client.ts";
import { DbError } from "../../common/errors.ts";
import { createLog } from "../../common/log.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import type { Wire } from "../../common/wire.ts";
import { loadConfig } from "../../config/load.ts";
import { spreadOf } from "../../common/percentile.ts";

export interface TradesSpec {
  kind: "trades";
  /** The realm's realms.yaml: where the database node listens, and the mesh keys to reach it with. */
  configFile: string;
  dbId: string;
  count: number;
  seed: number;
  /** Character id -> the item ids it held when the load began. */
  holdings: Record<string, string[]>;
  concurrency: number;
}

export interface RateSpec {
  kind: "rate";
  configFile: string;
  dbId: string;
  op: "checkpoint" | "trade";
  ms: number;
  concurrency: number;
  characters: string[];
}

export interface TradesResult {
  sent: number;
  applied: string[];
  refused: Record<string, number>;
  /** Repeats of an operation id whose answer differed from the first answer. */
  retryMismatches: number;
  repeats: number;
}

export interface RateResult {
  acknowledged: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** A small seeded generator, so a failing run can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function client(spec: { configFile: string; dbId: string }): { wire: Wire; db: DatabaseClient } {
  const self = `load-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const wire = realmWire(loadConfig(spec.configFile), self, createLog(self, "error"));
  return { wire, db: new DatabaseClient(wire, spec.dbId, { timeoutMs: 5000, retries: 2 }) };
}

type Answer = { ok: true; value: string } | { ok: false; code: string };
const answerOf = (p: Promise<unknown>): Promise<Answer> =>
  p.then(
    (v) => ({ ok: true as const, value: JSON.stringify(v) }),
    (err: unknown) => ({ ok: false as const, code: err instanceof DbError ? err.code : String(err) }),
  );

export async function runTrades(spec: TradesSpec): Promise<TradesResult> {
  const { wire, db } = client(spec);
  const rnd = random(spec.seed);
  const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(rnd() * xs.length)];
  const ids = Object.keys(spec.holdings);
  // what this client believes: updated by its own trades only, so the other client makes it stale
  const belief = new Map(ids.map((id) => [id, [...(spec.holdings[id] ?? [])]]));
  const result: TradesResult = { sent: 0, applied: [], refused: {}, retryMismatches: 0, repeats: 0 };
  const side = (id: string): TradeSide => {
    const held = belief.get(id) ?? [];
    const items = held.filter(() => rnd() < 0.15).slice(0, 3);
    return { characterId: id, items, gold: Math.floor(rnd() * 40) };
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < spec.count) {
      next++;
      const a = pick(ids)!;
      let b = pick(ids)!;
      while (b === a) b = pick(ids)!;
      const sa = side(a);
      const sb = side(b);
      const opId = randomUUID();
      const twice = rnd() < 0.25;
      const attempts = [answerOf(db.trade(sa, sb, opId))];
      if (twice) attempts.push(answerOf(db.trade(sa, sb, opId)));
      const answers = await Promise.all(attempts);
      if (rnd() < 0.25) answers.push(await answerOf(db.trade(sa, sb, opId)));
      result.sent++;
      const first = answers[0]!;
      for (const other of answers.slice(1)) {
        result.repeats++;
        if (JSON.stringify(other) !== JSON.stringify(first)) result.retryMismatches++;
      }
      if (first.ok) {
        result.applied.push(opId);
        belief.set(a, [...(belief.get(a) ?? []).filter((i) => !sa.items.includes(i)), ...sb.items]);
        belief.set(b, [...(belief.get(b) ?? []).filter((i) => !sb.items.includes(i)), ...sa.items]);
      } else {
        result.refused[first.code] = (result.refused[first.code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  await wire.close();
  return result;
}

export async function runRate(spec: RateSpec): Promise<RateResult> {
  const { wire, db } = client(spec);
  const latencies: number[] = [];
  let errors = 0;
  const versions = new Map<string, number>();
  let turn = 0;
  const one = (): Promise<unknown> => {
    const i = turn++;
    const a = spec.characters[i % spec.characters.length]!;
    if (spec.op === "checkpoint") {
      const version = (versions.get(a) ?? 1_000_000 * (1 + (process.pid % 1000))) + 1;
      versions.set(a, version);
      return db.saveCheckpoint(a, version, { level: 10, x: (i * 7) % 1000, y: (i * 13) % 1000, stats: { hp: 100, mana: 50 } });
    }
    const b = spec.characters[(i + 1 + (i % 7)) % spec.characters.length]!;
    // one gold each way: always possible, so every trade is applied
    return db.trade({ characterId: a, items: [], gold: 1 }, { characterId: b === a ? spec.characters[(i + 1) % spec.characters.length]! : b, items: [], gold: 1 });
  };
  const end = performance.now() + spec.ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await one();
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const took = performance.now() - began;
  await wire.close();
  const s = spreadOf(latencies);
  return { acknowledged: latencies.length, opsPerSec: (latencies.length * 1000) / took, p50Ms: s?.p50 ?? 0, p99Ms: s?.p99 ?? 0, errors };
}

const TSX = import.meta.resolve("tsx");
const MAIN = fileURLToPath(new URL("./db-load-main.ts", import.meta.url));

/** Runs a load in a process of its own; resolves with what it printed. Killed if `signal` aborts. */
export function loadInProcess<R>(spec: TradesSpec | RateSpec, signal?: AbortSignal): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, MAIN, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "pipe"], signal });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code === 0 && line) resolve(JSON.parse(line) as R);
      else reject(new Error(`load process exited ${code}: ${err.trim().slice(-500)}`));
    });
  });
}
