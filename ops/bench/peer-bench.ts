// Ours beside a peer, in the same run: the same players walking the same seeded walk, clumped in
// one cell or spread over the world, on our zone + client nodes and on a Colyseus 0.18 room with
// StateView grid interest. Per side: bytes each player receives per second, and the CPU the
// server processes spend per player per second. Both sides run in alternating rounds; each figure
// is the median of the rounds, each ratio the median of the rounds' ratios, with their spread.
import { performance } from "node:perf_hooks";
import { plot, type Bench, type BenchResult, type Cell, type Chart } from "./bench.ts";
import type { Side } from "./peer-sides.ts";
import { CELL, PeerWalk, TICK_MS, VISION, WORLD, type ScenarioName } from "./peer-walk.ts";
import { totalCpuSeconds } from "./proc-cpu.ts";
import { alternate, loadNow, spreadOf, spreadText } from "./rounds.ts";

interface PeerSize {
  scenario: ScenarioName;
  players: number;
  /** Our zone nodes: 2 (the world split down the middle, the default) or 1 over the whole world. */
  zones?: 1 | 2;
}

interface PeerTiming {
  warmupMs: number;
  windowMs: number;
  /** Rounds of both sides, alternating which goes first (default 1). */
  rounds?: number;
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

export interface PeerRow extends PeerSize {
  /** Each round's figures, in the order the rounds ran. */
  ours: SideFigures[];
  colyseus: SideFigures[];
}

const SCENARIOS: readonly ScenarioName[] = ["clumped", "spread"];

function checkSizes(sizes: readonly PeerSize[], timing: PeerTiming): void {
  for (const s of sizes) {
    if (!SCENARIOS.includes(s.scenario)) throw new Error(`peer bench: no scenario ${JSON.stringify(s.scenario)} (there are: ${SCENARIOS.join(", ")})`);
    if (!Number.isInteger(s.players) || s.players < 1 || s.players > 1000) throw new Error(`peer bench: players must be a whole number from 1 to 1000, not ${s.players}`);
    if (s.zones !== undefined && s.zones !== 1 && s.zones !== 2) throw new Error(`peer bench: zones must be 1 or 2, not ${JSON.stringify(s.zones)}`);
  }
  if (!(timing.windowMs >= 500) || !(timing.warmupMs >= 0)) throw new Error("peer bench: the window must be at least 500 ms and the warm-up not negative");
  const rounds = timing.rounds ?? 1;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 9) throw new Error(`peer bench: rounds must be a whole number from 1 to 9, not ${rounds}`);
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

/** Runs every size on both sides in alternating rounds (never both at once: they share the cores). */
export async function measurePeer(sizes: readonly PeerSize[], timing: PeerTiming): Promise<PeerRow[]> {
  checkSizes(sizes, timing);
  // loaded here, not with the CLI: Colyseus and the test world are devDependencies of the benchmark alone
  const { startColyseus, startOurs } = await import("./peer-sides.ts");
  const rows: PeerRow[] = [];
  const rounds = timing.rounds ?? 1;
  for (const size of sizes) {
    const label = `${size.players} players ${scenarioLabel(size)}`;
    let round = 0;
    // each side gets its own walk from the same seed: the same moves, tick for tick
    const side = (name: string, start: (walk: PeerWalk) => Promise<Side>) => async (): Promise<SideFigures> => {
      timing.progress?.(`${label}, round ${Math.floor(round++ / 2) + 1} of ${rounds}: ${name}`);
      const walk = new PeerWalk(size.players, size.scenario);
      return measure(await start(walk), walk, timing);
    };
    const ours = side("ours (zone + client nodes)", (walk) => startOurs(walk, size.zones));
    const { a: oursRounds, b: colyseus } = await alternate(rounds, ours, side("Colyseus", startColyseus));
    rows.push({ ...size, ours: oursRounds, colyseus });
  }
  return rows;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : Number.NaN);
const scenarioLabel = (s: PeerSize): string => (s.zones === 1 ? `${s.scenario}, one zone` : s.scenario);

/** One figure of a side over the rounds. */
const each = (sides: readonly SideFigures[], what: (f: SideFigures) => number): number[] => sides.map(what);
/** The figure's ours / Colyseus ratio in each round. */
const ratios = (r: PeerRow, what: (f: SideFigures) => number): number[] => r.ours.map((o, k) => ratio(what(o), what(r.colyseus[k]!)));
const median = (values: readonly number[]): number => spreadOf(values).median;
const bytesOf = (f: SideFigures): number => f.bytesPerPlayerPerSecond;
const cpuOf = (f: SideFigures): number => f.cpuMsPerPlayerPerSecond;

/** Where Colyseus came out ahead in this run, in one line. */
function colyseusWins(rows: readonly PeerRow[]): string {
  const wins: string[] = [];
  for (const r of rows) {
    const b = median(ratios(r, bytesOf));
    const c = median(ratios(r, cpuOf));
    if (b > 1) wins.push(`bytes, ${scenarioLabel(r)} ${r.players} (ours ${b.toFixed(2)}x theirs)`);
    if (c > 1) wins.push(`CPU, ${scenarioLabel(r)} ${r.players} (ours ${c.toFixed(2)}x theirs)`);
  }
  return wins.length > 0 ? `where Colyseus wins in this run: ${wins.join("; ")}` : "Colyseus won neither figure in any scenario of this run";
}

function peerResult(rows: readonly PeerRow[], loadBefore: string): BenchResult {
  const figures: Record<string, number> = {};
  const bytes: Chart = { name: "bytes", title: "Bytes per player per second: ours vs Colyseus 0.18", x: { label: "players", log: true }, y: { label: "bytes/s per player", log: true }, series: [] };
  const cpu: Chart = { name: "cpu", title: "Server CPU per player: ours vs Colyseus 0.18", x: { label: "players", log: true }, y: { label: "CPU ms per player per second", log: true }, series: [] };
  const table: Cell[][] = rows.map((r) => {
    const key = `${r.scenario}_${r.players}${r.zones === 1 ? "_one_zone" : ""}`;
    const fig = (name: string, values: readonly number[]): number => (figures[`${key}_${name}`] = median(values));
    const bytesOurs = fig("bytes_ours", each(r.ours, bytesOf));
    const bytesColyseus = fig("bytes_colyseus", each(r.colyseus, bytesOf));
    fig("bytes_ratio", ratios(r, bytesOf));
    const cpuOurs = fig("cpu_ours", each(r.ours, cpuOf));
    const cpuColyseus = fig("cpu_colyseus", each(r.colyseus, cpuOf));
    fig("cpu_ratio", ratios(r, cpuOf));
    figures[`${key}_refused_ours`] = Math.max(...each(r.ours, (f) => f.refused));
    figures[`${key}_refused_colyseus`] = Math.max(...each(r.colyseus, (f) => f.refused));
    const visibleOurs = fig("visible_ours", each(r.ours, (f) => f.visible));
    const visibleColyseus = fig("visible_colyseus", each(r.colyseus, (f) => f.visible));
    // the curves are the two-zone world's; a one-zone row is one point, in the table
    if (r.zones !== 1) {
      plot(bytes, `ours, ${r.scenario}`, r.players, bytesOurs);
      plot(bytes, `Colyseus, ${r.scenario}`, r.players, bytesColyseus);
      plot(cpu, `ours, ${r.scenario}`, r.players, cpuOurs);
      plot(cpu, `Colyseus, ${r.scenario}`, r.players, cpuColyseus);
    }
    return [
      scenarioLabel(r),
      r.players,
      `${visibleOurs.toFixed(1)} / ${visibleColyseus.toFixed(1)}`,
      bytesOurs,
      bytesColyseus,
      spreadText(ratios(r, bytesOf)),
      spreadText(each(r.ours, cpuOf)),
      spreadText(each(r.colyseus, cpuOf)),
      spreadText(ratios(r, cpuOf)),
    ];
  });
  const bySide = (what: (f: SideFigures) => number, digits: number): string =>
    rows.map((r) => `${scenarioLabel(r)} ${r.players}: ${median(each(r.ours, what)).toFixed(digits)} / ${median(each(r.colyseus, what)).toFixed(digits)}`).join(", ");
  const rounds = rows[0]?.ours.length ?? 0;
  return {
    columns: ["scenario", "players", "in view (ours / Colyseus)", "ours B/player/s", "Colyseus B/player/s", "bytes ratio", "ours CPU ms/player/s", "Colyseus CPU ms/player/s", "CPU ratio (range)"],
    rows: table,
    figures,
    charts: [bytes, cpu],
    notes: [
      colyseusWins(rows),
      `${rounds} round${rounds === 1 ? "" : "s"} per size, the sides alternating which runs first; figures are medians of the rounds, ratios the median of each round's ratio, (min-max) over the rounds`,
      `ratios are ours / Colyseus (under 1: ours is smaller). clumped: every player in one ${CELL}-unit cell; spread: over the ${WORLD}x${WORLD} world; vision ${VISION}, kept to 10 % past it on both sides; every player walks the same seeded walk at 5 units/s, one move per 50 ms tick, on both sides`,
      "bytes: WebSocket message payloads every player received over the window (all messages: world updates, events, patches); ours caps a player's world update at client_budget_bytes (1000) per tick and sends the rest later, Colyseus sends every change of the view every patch (20 Hz)",
      "CPU: user + system time from /proc of the server processes over the window: ours = both zone nodes + the client node (3 processes; 2 in the one-zone rows, one zone node over the whole world; the realm node played by the benchmark), Colyseus = its one server process; the players run in the benchmark process, charged to neither (10 of them decode everything, to check the views; the others count bytes)",
      `moves refused or corrected by the server (ours / Colyseus, whole run, median round): ${bySide((f) => f.refused, 0)}`,
      `messages received per player per second (ours / Colyseus): ${bySide((f) => f.messagesPerSecond, 1)}`,
      `moves sent per player per second over the window (ours / Colyseus; 20 unless the benchmark process fell behind): ${bySide((f) => f.movesPerSecond, 1)}`,
      `load average before the run: ${loadBefore}; after: ${loadNow()} (other processes share the cores)`,
    ],
  };
}

export const peerBench: Bench = {
  name: "peer",
  about: "ours vs Colyseus 0.18: bytes per player per second and server CPU per player, clumped and spread",
  async run(ctx) {
    const counts = ctx.quick ? [50] : [50, 200];
    const sizes: PeerSize[] = SCENARIOS.flatMap((scenario) => counts.map((players) => ({ scenario, players })));
    // the smallest realm, one zone node and one client node, where the fixed cost of our processes weighs most
    if (!ctx.quick) sizes.push(...SCENARIOS.map((scenario) => ({ scenario, players: 50, zones: 1 as const })));
    const loadBefore = loadNow();
    const rows = await measurePeer(sizes, { warmupMs: ctx.quick ? 2000 : 3000, windowMs: ctx.quick ? 4000 : 10_000, rounds: ctx.quick ? 1 : 3, progress: ctx.progress });
    return peerResult(rows, loadBefore);
  },
};
