// Ours beside a peer, in the same run: the same players walking the same seeded walk, clumped in
// one cell or spread over the world, on our zone + client nodes and on a Colyseus 0.18 room with
// StateView grid interest. Per side: bytes each player receives per second, and the CPU the
// server processes spend per player per second.
import os from "node:os";
import { performance } from "node:perf_hooks";
import { plot, type Bench, type BenchResult, type Cell, type Chart } from "./bench.ts";
import type { Side } from "./peer-sides.ts";
import { CELL, PeerWalk, TICK_MS, VISION, WORLD, type ScenarioName } from "./peer-walk.ts";
import { totalCpuSeconds } from "./proc-cpu.ts";

interface PeerSize {
  scenario: ScenarioName;
  players: number;
}

interface PeerTiming {
  warmupMs: number;
  windowMs: number;
  progress?: (message: string) => void;
}

interface SideFigures {
  bytesPerPlayerPerSecond: number;
  cpuMsPerPlayerPerSecond: number;
  /** WebSocket messages each player received per second over the window. */
  messagesPerSecond: number;
  /** Moves each player sent per second over the window: 20 unless this process fell behind. */
  movesPerSecond: number;
  /** Entities in a sampled player's view at the end of the window, on average. */
  visible: number;
  /** Moves the server refused or corrected over the whole run (the walk is meant to make none). */
  refused: number;
  /** The server processes it ran (all gone once measurePeer returns). */
  pids: number[];
}

interface PeerRow extends PeerSize {
  ours: SideFigures;
  colyseus: SideFigures;
}

const SCENARIOS: readonly ScenarioName[] = ["clumped", "spread"];

function checkSizes(sizes: readonly PeerSize[], timing: PeerTiming): void {
  for (const s of sizes) {
    if (!SCENARIOS.includes(s.scenario)) throw new Error(`peer bench: no scenario ${JSON.stringify(s.scenario)} (there are: ${SCENARIOS.join(", ")})`);
    if (!Number.isInteger(s.players) || s.players < 1 || s.players > 1000) throw new Error(`peer bench: players must be a whole number from 1 to 1000, not ${s.players}`);
  }
  if (!(timing.windowMs >= 500) || !(timing.warmupMs >= 0)) throw new Error("peer bench: the window must be at least 500 ms and the warm-up not negative");
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Walks the side's players at 20 Hz; after the warm-up, measures one window. Stops the side. */
async function measure(side: Side, walk: PeerWalk, timing: PeerTiming): Promise<SideFigures> {
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
    walk.step();
    for (let i = 0; i < walk.count; i++) side.move(i, walk);
  }, TICK_MS);
  try {
    await sleep(timing.warmupMs);
    const cpu0 = totalCpuSeconds(side.pids);
    const bytes0 = side.bytes();
    const messages0 = side.messages();
    const ticks0 = ticks;
    const t0 = performance.now();
    await sleep(timing.windowMs);
    const cpu1 = totalCpuSeconds(side.pids);
    const bytes1 = side.bytes();
    const messages1 = side.messages();
    const ticks1 = ticks;
    const seconds = (performance.now() - t0) / 1000;
    if (side.dropped() > 0) throw new Error(`peer bench: ${side.dropped()} of ${walk.count} players were disconnected during the run`);
    return {
      bytesPerPlayerPerSecond: (bytes1 - bytes0) / walk.count / seconds,
      cpuMsPerPlayerPerSecond: ((cpu1 - cpu0) * 1000) / walk.count / seconds,
      messagesPerSecond: (messages1 - messages0) / walk.count / seconds,
      movesPerSecond: (ticks1 - ticks0) / seconds,
      visible: side.visible(),
      refused: await side.refused(),
      pids: [...side.pids],
    };
  } finally {
    clearInterval(timer);
    await side.stop();
  }
}

/** Runs every size on both sides, one after the other (never both at once: they share the cores). */
export async function measurePeer(sizes: readonly PeerSize[], timing: PeerTiming): Promise<PeerRow[]> {
  checkSizes(sizes, timing);
  // loaded here, not with the CLI: Colyseus and the test world are devDependencies of the benchmark alone
  const { startColyseus, startOurs } = await import("./peer-sides.ts");
  const rows: PeerRow[] = [];
  for (const size of sizes) {
    const label = `${size.players} players ${size.scenario}`;
    timing.progress?.(`${label}: ours (zone + client nodes)`);
    // each side gets its own walk from the same seed: the same moves, tick for tick
    const oursWalk = new PeerWalk(size.players, size.scenario);
    const ours = await measure(await startOurs(oursWalk), oursWalk, timing);
    timing.progress?.(`${label}: Colyseus`);
    const colyseusWalk = new PeerWalk(size.players, size.scenario);
    const colyseus = await measure(await startColyseus(colyseusWalk), colyseusWalk, timing);
    rows.push({ ...size, ours, colyseus });
  }
  return rows;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : Number.NaN);

/** Where Colyseus came out ahead in this run, in one line. */
function colyseusWins(rows: readonly PeerRow[]): string {
  const wins: string[] = [];
  for (const r of rows) {
    const b = ratio(r.ours.bytesPerPlayerPerSecond, r.colyseus.bytesPerPlayerPerSecond);
    const c = ratio(r.ours.cpuMsPerPlayerPerSecond, r.colyseus.cpuMsPerPlayerPerSecond);
    if (b > 1) wins.push(`bytes, ${r.scenario} ${r.players} (ours ${b.toFixed(2)}x theirs)`);
    if (c > 1) wins.push(`CPU, ${r.scenario} ${r.players} (ours ${c.toFixed(2)}x theirs)`);
  }
  return wins.length > 0 ? `where Colyseus wins in this run: ${wins.join("; ")}` : "Colyseus won neither figure in any scenario of this run";
}

function peerResult(rows: readonly PeerRow[]): BenchResult {
  const figures: Record<string, number> = {};
  const bytes: Chart = { name: "bytes", title: "Bytes per player per second: ours vs Colyseus 0.18", x: { label: "players", log: true }, y: { label: "bytes/s per player", log: true }, series: [] };
  const cpu: Chart = { name: "cpu", title: "Server CPU per player: ours vs Colyseus 0.18", x: { label: "players", log: true }, y: { label: "CPU ms per player per second", log: true }, series: [] };
  const table: Cell[][] = rows.map((r) => {
    const bytesRatio = ratio(r.ours.bytesPerPlayerPerSecond, r.colyseus.bytesPerPlayerPerSecond);
    const cpuRatio = ratio(r.ours.cpuMsPerPlayerPerSecond, r.colyseus.cpuMsPerPlayerPerSecond);
    const key = `${r.scenario}_${r.players}`;
    figures[`${key}_bytes_ours`] = r.ours.bytesPerPlayerPerSecond;
    figures[`${key}_bytes_colyseus`] = r.colyseus.bytesPerPlayerPerSecond;
    figures[`${key}_bytes_ratio`] = bytesRatio;
    figures[`${key}_cpu_ours`] = r.ours.cpuMsPerPlayerPerSecond;
    figures[`${key}_cpu_colyseus`] = r.colyseus.cpuMsPerPlayerPerSecond;
    figures[`${key}_cpu_ratio`] = cpuRatio;
    figures[`${key}_refused_ours`] = r.ours.refused;
    figures[`${key}_refused_colyseus`] = r.colyseus.refused;
    plot(bytes, `ours, ${r.scenario}`, r.players, r.ours.bytesPerPlayerPerSecond);
    plot(bytes, `Colyseus, ${r.scenario}`, r.players, r.colyseus.bytesPerPlayerPerSecond);
    plot(cpu, `ours, ${r.scenario}`, r.players, r.ours.cpuMsPerPlayerPerSecond);
    plot(cpu, `Colyseus, ${r.scenario}`, r.players, r.colyseus.cpuMsPerPlayerPerSecond);
    figures[`${key}_visible_ours`] = r.ours.visible;
    figures[`${key}_visible_colyseus`] = r.colyseus.visible;
    return [r.scenario, r.players, `${r.ours.visible.toFixed(1)} / ${r.colyseus.visible.toFixed(1)}`, r.ours.bytesPerPlayerPerSecond, r.colyseus.bytesPerPlayerPerSecond, bytesRatio, r.ours.cpuMsPerPlayerPerSecond, r.colyseus.cpuMsPerPlayerPerSecond, cpuRatio];
  });
  const each = (what: (f: SideFigures) => string): string => rows.map((r) => `${r.scenario} ${r.players}: ${what(r.ours)} / ${what(r.colyseus)}`).join(", ");
  return {
    columns: ["scenario", "players", "in view (ours / Colyseus)", "ours B/player/s", "Colyseus B/player/s", "bytes ratio", "ours CPU ms/player/s", "Colyseus CPU ms/player/s", "CPU ratio"],
    rows: table,
    figures,
    charts: [bytes, cpu],
    notes: [
      colyseusWins(rows),
      `ratios are ours / Colyseus (under 1: ours is smaller). clumped: every player in one ${CELL}-unit cell; spread: over the ${WORLD}x${WORLD} world; vision ${VISION}, kept to 10 % past it on both sides; every player walks the same seeded walk at 5 units/s, one move per 50 ms tick, on both sides`,
      "bytes: WebSocket message payloads every player received over the window (all messages: world updates, events, patches); ours caps a player's world update at client_budget_bytes (1000) per tick and sends the rest later, Colyseus sends every change of the view every patch (20 Hz)",
      "CPU: user + system time from /proc of the server processes over the window: ours = both zone nodes + the client node (3 processes, the realm node played by the benchmark), Colyseus = its one server process; the players run in the benchmark process, charged to neither (10 of them decode everything, to check the views; the others count bytes); our zones also publish every cell to the test world's recorder, one subscriber more than a realm has",
      `moves refused or corrected by the server (ours / Colyseus, whole run): ${each((f) => String(f.refused))}`,
      `messages received per player per second (ours / Colyseus): ${each((f) => f.messagesPerSecond.toFixed(1))}`,
      `moves sent per player per second over the window (ours / Colyseus; 20 unless the benchmark process fell behind): ${each((f) => f.movesPerSecond.toFixed(1))}`,
      `load average during the run: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} cores (other processes share them)`,
    ],
  };
}

export const peerBench: Bench = {
  name: "peer",
  about: "ours vs Colyseus 0.18: bytes per player per second and server CPU per player, clumped and spread",
  async run(ctx) {
    const counts = ctx.quick ? [50] : [50, 200];
    const sizes = SCENARIOS.flatMap((scenario) => counts.map((players) => ({ scenario, players })));
    const rows = await measurePeer(sizes, { warmupMs: ctx.quick ? 2000 : 3000, windowMs: ctx.quick ? 4000 : 10_000, progress: ctx.progress });
    return peerResult(rows);
  },
};
