// `realm chaos --minutes M --bots N` (`npm run chaos -- …`): bots play, loot and trade while
// nodes of every kind are killed or hung at random; at the end, the kills per kind and their
// recovery times, the players' disconnections, and the economy's check. Exit 0 only if it held.
import { UsageError } from "../../common/errors.ts";
import { rankOf } from "../../common/percentile.ts";
import { formatTable, type Cell } from "../bench/bench.ts";
import { DEFAULT_CONFIG, options, type Command } from "../command.ts";
import { passed, runChaos, type ChaosReport } from "./chaos-run.ts";
import { KINDS } from "./killer.ts";

const MAX_MINUTES = 180;
const MAX_BOTS = 5000;

const seconds = (ms: number | null | undefined): Cell => (ms === undefined || ms === null ? "-" : Number((ms / 1000).toFixed(2)));

function chaosTables(r: ChaosReport): string {
  const kills = KINDS.map((kind) => {
    const of = r.kills.filter((k) => k.kind === kind);
    const times = of.flatMap((k) => (k.recoveredMs === undefined ? [] : [k.recoveredMs])).sort((a, b) => a - b);
    return [kind, of.length, of.filter((k) => k.signal === "SIGSTOP").length, of.length - times.length, seconds(rankOf(times, 0.5)), seconds(times.at(-1))];
  });
  const players = r.bots.map((b) => [b.behavior, b.players, b.inWorld, b.disconnected, b.resumes, b.relogins, seconds(b.returnSeconds && b.returnSeconds.p50 * 1000), seconds(b.returnSeconds && b.returnSeconds.max * 1000), b.economy.loots, b.economy.tradesDone]);
  const e = r.economy;
  const economy = e ? [[e.acknowledged, e.lost.length, e.characters, e.mismatched.length, e.auditEvents, e.storeProblems]] : [];
  return [
    `Chaos: ${r.minutes} min, seed ${r.seed}, ${r.kills.length} kills`,
    "",
    formatTable(["kind", "kills", "of them hung (SIGSTOP)", "not back", "recovery p50 s", "recovery max s"], kills),
    "",
    formatTable(["bots", "players", "in world at the end", "disconnected", "back by resume", "back by login", "back after p50 s", "max s", "loots acknowledged", "trades done"], players),
    "",
    formatTable(["acknowledged ops", "lost", "characters checked", "gold/items differ", "audit events", "store problems"], economy),
    ...(e?.lost.slice(0, 5).map((op) => `lost: ${op}`) ?? []),
    ...(e?.mismatched.slice(0, 5).map((m) => `differs: ${m}`) ?? []),
    "",
    formatTable(["party bots checked", "party differs from what its members were told"], r.parties ? [[r.parties.checked, r.parties.differing.length]] : []),
    ...(r.parties?.differing.slice(0, 5).map((d) => `party differs: ${d}`) ?? []),
    ...r.down.map((d) => `not up at the end: ${d}`),
    "",
    r.interrupted ? "INTERRUPTED: no verdict" : passed(r) ? "PASSED: every node up, every bot back in the world, nothing acknowledged lost or doubled, every party as told" : "FAILED",
  ].join("\n");
}

export const chaos: Command = {
  usage: ["chaos --minutes M --bots N [--seed S] [--json] [--keep] [--config F]   kill and hang nodes under bots; check nothing is lost"],
  async run(argv) {
    const { values, positionals } = options(argv, { minutes: { type: "string" }, bots: { type: "string" }, seed: { type: "string" }, json: { type: "boolean" }, keep: { type: "boolean" } });
    if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.join(" ")}`);
    if (values.minutes === undefined || values.bots === undefined) throw new UsageError("--minutes and --bots are required: every run is bounded");
    const minutes = Number(values.minutes);
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_MINUTES) throw new UsageError(`--minutes must be a number above 0 and at most ${MAX_MINUTES}, not "${values.minutes}"`);
    const bots = Number(values.bots);
    if (!Number.isSafeInteger(bots) || bots < 2 || bots > MAX_BOTS) throw new UsageError(`--bots must be a whole number from 2 to ${MAX_BOTS}, not "${values.bots}"`);
    const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
    if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a whole number, not "${values.seed}"`);
    const say = (line: string): void => void process.stderr.write(`[chaos] ${line}\n`);
    const report = await runChaos({ minutes, bots, seed, config: values.config ?? DEFAULT_CONFIG, keep: values.keep ?? false }, say);
    console.log(values.json ? JSON.stringify({ ...report, passed: passed(report) }) : chaosTables(report));
    return passed(report) ? 0 : 1;
  },
};
