// What a bots run comes to: every worker's counts added up, as one JSON object (`--json`, a
// stable shape for scripts and the chaos suite) or as a table for a person.
import { formatTable, type Cell } from "../bench/bench.ts";
import type { Progress } from "./ipc.ts";
import type { BotsOptions } from "./options.ts";
import type { RealmSide } from "./realm-side.ts";
import type { RunOutcome } from "./run.ts";
import { spreadOf, type Spread } from "../../common/percentile.ts";
import { addCounters, addTally, Histogram, newCounters, type Tally } from "./stats.ts";
import { newViewCheck, type ViewCheck } from "./truth.ts";

export interface BotsSummary {
  realm: string;
  behavior: string;
  players: number;
  workers: number;
  loggedIn: number;
  /** Stood in the world at least once. */
  entered: number;
  /** In the world when the run ended. */
  inWorld: number;
  failed: number;
  rampSeconds: number;
  windowSeconds: number;
  /** Unexpected closes, and their codes. */
  disconnected: number;
  closeCodes: Tally;
  reconnects: number;
  resumes: number;
  relogins: number;
  /** From a drop to back in the world, over the reconnections. */
  returnSeconds: { p50: number; max: number } | null;
  /** The realm's side over the window, when it runs on this machine (ops/bots/realm-side.ts). */
  server: RealmSide | null;
  bytesPerSecPerBot: Spread | null;
  updatesPerSecPerBot: Spread | null;
  framesPerSecPerBot: Spread | null;
  rttMs: { p50: number; p99: number; samples: number } | null;
  views: ViewCheck | null;
  corrections: number;
  handoffs: number;
  economy: { kills: number; loots: number; tradesOffered: number; tradesDone: number; tradesRefused: number; tradesDeclined: number; goldGranted: number; chatSent: number; chatHeard: number };
  /** Behaviors with a spot: how many reached it and how long the walk there took. */
  placement: { placing: number; placed: number; p50Seconds: number | null; maxSeconds: number | null } | null;
  refusals: Tally;
  failures: Tally;
  loginStatuses: Tally;
  protocolErrors: number;
  /** Workers that ended without reporting (their bots are counted from their last progress). */
  lostWorkers: number;
  interrupted: boolean;
  logFile: string;
  ledgerFile: string | null;
}

export function summarize(opts: BotsOptions, realm: string, outcome: RunOutcome, ledgerFile: string | undefined): BotsSummary {
  const rs = outcome.results;
  const progress: Progress[] = [...rs.map((r) => r.progress), ...outcome.lost];
  const total = (k: keyof Progress): number => progress.reduce((s, p) => s + p[k], 0);
  const counters = rs.reduce((c, r) => addCounters(c, r.counters), newCounters());
  const tallied = (pick: (r: (typeof rs)[number]) => Tally): Tally => rs.reduce((t, r) => addTally(t, pick(r)), {});
  const rates = rs.flatMap((r) => r.rates);
  const rtt = new Histogram();
  for (const r of rs) rtt.merge(r.rtt);
  const views = rs.reduce<ViewCheck | undefined>((v, r) => {
    if (!r.views) return v;
    const into = v ?? newViewCheck();
    for (const k of Object.keys(into) as (keyof ViewCheck)[]) into[k] += r.views[k];
    return into;
  }, undefined);
  const placing = rs.reduce((s, r) => s + r.placing, 0);
  const placedMs = rs.flatMap((r) => r.placedMs);
  const placed = spreadOf(placedMs);
  const windowMs = Math.max(0, ...rs.map((r) => r.windowMs));
  const returnMs = rs.flatMap((r) => r.returnMs);
  const returns = spreadOf(returnMs);
  return {
    realm,
    behavior: opts.behavior,
    players: opts.players,
    workers: opts.workers,
    loggedIn: total("loggedIn"),
    entered: total("entered"),
    inWorld: total("inWorld"),
    failed: total("failed"),
    rampSeconds: outcome.rampMs / 1000,
    windowSeconds: windowMs / 1000,
    disconnected: counters.disconnects,
    closeCodes: tallied((r) => r.closeCodes),
    reconnects: counters.resumes + counters.relogins,
    resumes: counters.resumes,
    relogins: counters.relogins,
    returnSeconds: returns ? { p50: returns.p50 / 1000, max: Math.max(...returnMs) / 1000 } : null,
    server: null,
    bytesPerSecPerBot: spreadOf(rates.map((r) => r.bytesPerSec)) ?? null,
    updatesPerSecPerBot: spreadOf(rates.map((r) => r.updatesPerSec)) ?? null,
    framesPerSecPerBot: spreadOf(rates.map((r) => r.framesPerSec)) ?? null,
    rttMs: rtt.count === 0 ? null : { p50: rtt.percentile(50)!, p99: rtt.percentile(99)!, samples: rtt.count },
    views: views ?? null,
    corrections: counters.corrections,
    handoffs: counters.handoffs,
    economy: {
      kills: counters.kills,
      loots: counters.loots,
      tradesOffered: counters.tradesOffered,
      tradesDone: counters.tradesDone,
      tradesRefused: counters.tradesRefused,
      tradesDeclined: counters.tradesDeclined,
      goldGranted: counters.goldGranted,
      chatSent: counters.chatSent,
      chatHeard: counters.chatHeard,
    },
    placement: placing === 0 ? null : { placing, placed: placedMs.length, p50Seconds: placed ? placed.p50 / 1000 : null, maxSeconds: placed ? Math.max(...placedMs) / 1000 : null },
    refusals: tallied((r) => r.refusals),
    failures: tallied((r) => r.failures),
    loginStatuses: tallied((r) => r.loginStatuses),
    protocolErrors: counters.protocolErrors,
    lostWorkers: outcome.lost.length,
    interrupted: outcome.interrupted,
    logFile: outcome.logFile,
    ledgerFile: ledgerFile ?? null,
  };
}

const spread = (s: Spread | null, unit = ""): string => (s ? `mean ${fmt(s.mean)}${unit}, p50 ${fmt(s.p50)}${unit}, p99 ${fmt(s.p99)}${unit}` : "not measured");
const fmt = (n: number): string => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en-US") : n.toPrecision(3));
const listed = (t: Tally): string => Object.entries(t).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} x${n}`).join(", ") || "none";

export function summaryTable(s: BotsSummary): string {
  const e = s.economy;
  const rows: Cell[][] = [
    ["realm, behavior", `${s.realm}, ${s.behavior}`],
    ["players (workers)", `${s.players} (${s.workers})`],
    ["logged in / ever in world / in world at the end / failed", `${s.loggedIn} / ${s.entered} / ${s.inWorld} / ${s.failed}`],
    ["ramp, measured window", `${s.rampSeconds.toFixed(1)} s, ${s.windowSeconds.toFixed(1)} s`],
    ["disconnected (close codes)", `${s.disconnected} (${listed(s.closeCodes)})`],
    ["reconnects: by resume / by a new login", `${s.reconnects}: ${s.resumes} / ${s.relogins}`],
    ["back in the world after a drop", s.returnSeconds ? `p50 ${fmt(s.returnSeconds.p50)} s, max ${fmt(s.returnSeconds.max)} s` : "no drops"],
    ["bytes/s per bot", spread(s.bytesPerSecPerBot)],
    ["entity updates/s per bot", spread(s.updatesPerSecPerBot)],
    ["frames/s per bot", spread(s.framesPerSecPerBot)],
    ["round trip (ping/pong)", s.rttMs ? `p50 ${fmt(s.rttMs.p50)} ms, p99 ${fmt(s.rttMs.p99)} ms (${s.rttMs.samples} pings)` : "no pongs"],
    ["views against the zones' records", s.views ? `${s.views.errors} off by > 2 quanta of ${s.views.compared} compared, ${s.views.missing} missing (${s.views.views} views)` : "not measured"],
    ["corrections, zone handoffs", `${s.corrections}, ${s.handoffs}`],
    ["kills, loots acknowledged", `${e.kills}, ${e.loots}`],
    ["trades offered / done / refused / declined", `${e.tradesOffered} / ${e.tradesDone} / ${e.tradesRefused} / ${e.tradesDeclined}`],
    ["gold granted", e.goldGranted],
    ["chat lines sent / heard", `${e.chatSent} / ${e.chatHeard}`],
    [
      "reached the behavior's spot",
      s.placement ? `${s.placement.placed} of ${s.placement.placing}${s.placement.p50Seconds === null ? "" : `, p50 ${fmt(s.placement.p50Seconds)} s, max ${fmt(s.placement.maxSeconds ?? 0)} s`}` : "no spot (walks freely)",
    ],
    ["refusals", listed(s.refusals)],
    ["failures", listed(s.failures)],
    ["login answers", listed(s.loginStatuses)],
    ["protocol errors, workers lost", `${s.protocolErrors}, ${s.lostWorkers}`],
    ["worker log", s.logFile],
  ];
  if (s.server) {
    rows.push(["zone tick (worst zone with players)", `p50 ${fmt(s.server.zoneTickP50Ms)} ms, p99 ${fmt(s.server.zoneTickP99Ms)} ms, max ${fmt(s.server.zoneTickMaxMs)} ms`]);
    for (const n of s.server.nodes) rows.push([`${n.kind} node ${n.id} CPU`, `${fmt(n.cpuPercent)} % of a core`]);
  }
  if (s.ledgerFile) rows.push(["ledger", s.ledgerFile]);
  if (s.interrupted) rows.push(["interrupted", "yes (Ctrl-C)"]);
  return formatTable(["measure", "value"], rows);
}
