// One chaos run: a realm of its own (the given realms.yaml on free ports, its own data folder and
// embedded PostgreSQL), bots that fight, loot, trade and form parties, and the killer striking nodes of every
// kind while they play. Then a calm spell, the bots leave, and the verdict: every node up, every
// bot back in the world, nothing acknowledged lost or doubled. Bounded; cleans up after itself.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseClient } from "../../common/db-client.ts";
import { createLog } from "../../common/log.ts";
import { createPool, migrate } from "../../common/postgres/connect.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { prepareBotAccounts } from "../bots/accounts.ts";
import { postgresUrl } from "../embedded-postgres.ts";
import type { BotLedger } from "../bots/ledger.ts";
import { DEFAULT_RAMP, type Behavior, type BotsOptions } from "../bots/options.ts";
import { runBots } from "../bots/run.ts";
import { summarize, type BotsSummary } from "../bots/summary.ts";
import { writeConfigCopy } from "../config-copy.ts";
import { RealmProcess } from "../realm-process.ts";
import { checkEconomy, type EconomyVerdict } from "./economy-check.ts";
import { checkParties, type PartyVerdict } from "./party-check.ts";
import { Killer, type KillRecord } from "./killer.ts";

interface ChaosOptions {
  minutes: number;
  bots: number;
  seed: number;
  /** The realms.yaml whose topology the run copies. */
  config: string;
  keep: boolean;
}

export interface ChaosReport {
  minutes: number;
  seed: number;
  kills: KillRecord[];
  bots: BotsSummary[];
  /** Nodes not up at the end. */
  down: string[];
  economy: EconomyVerdict | undefined;
  /** Each party bot's last pushed party against the database's. */
  parties: PartyVerdict | undefined;
  dataDir: string | undefined;
  /** Stopped early by Ctrl-C: no verdict. */
  interrupted: boolean;
}

/** After the last kill, the bots play on this long before they leave: all of them must be back. */
const CALM_MS = 20_000;
/** How much later than the first one the last run's window may open (bots still walking to their spots). */
const LATE_WINDOW_S = 600;
// party bots keep parties changing through kills, dungeon bots keep going in and out of instances
const BEHAVIORS: Behavior[] = ["trade", "fight", "party", "dungeon"];

/** A small seeded generator (mulberry32), so a run's choices can be replayed with --seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runChaos(o: ChaosOptions, say: (line: string) => void): Promise<ChaosReport> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "realm-chaos-"));
  // embedded PostgreSQL runs as its own user and must reach the folder
  chmodSync(dir, 0o755);
  const configFile = await writeConfigCopy(dir, { from: o.config });
  const realm = RealmProcess.launch(configFile);
  const report: ChaosReport = { minutes: o.minutes, seed: o.seed, kills: [], bots: [], down: [], economy: undefined, parties: undefined, dataDir: o.keep ? dir : undefined, interrupted: false };
  const wire = realmWire(realm.config, `chaos-${process.pid}`, createLog("chaos", "error"));
  try {
    say(`starting the realm from ${o.config} in ${dir}`);
    await realm.waitAllUp(180_000);
    const spec = realm.config.realms[0]!;
    const pool = createPool(postgresUrl(realm.dataDir), 2);
    try {
      await migrate(pool);
      const accounts = await prepareBotAccounts(pool, o.bots);
      const killer = new Killer(realm, seeded(o.seed), (line) => say(`[kill] ${line}`));
      // Ctrl-C: no more kills; the bots leave (run.ts) and the realm stops, with no verdict
      const interrupt = (): void => {
        report.interrupted = true;
        killer.stop();
      };
      process.once("SIGINT", interrupt);
      const windowMs = o.minutes * 60_000;
      // the kills start once every bot stands in the world at its spot (both runs' windows open),
      // and end a calm spell before they leave
      let striking: Promise<void> | undefined;
      const share = BEHAVIORS.map((behavior, i) => ({ behavior, bots: Array.from({ length: o.bots }, (_, n) => n).filter((n) => n % BEHAVIORS.length === i) })).filter((s) => s.bots.length > 0);
      let waitingWindows = share.length;
      let calmOver = false;
      const strike = async (): Promise<void> => {
        await killer.run(windowMs);
        if (!report.interrupted) await new Promise((r) => setTimeout(r, CALM_MS));
        calmOver = true;
      };
      const runs = share.map(async ({ behavior, bots }) => {
          const opts: BotsOptions = {
            players: bots.length,
            behavior,
            // the window ends when the kills and the calm after them are over (endWhen); this only bounds it
            durationS: (2 * windowMs + CALM_MS) / 1000 + LATE_WINDOW_S,
            ramp: DEFAULT_RAMP / BEHAVIORS.length,
            workers: Math.max(1, Math.ceil(bots.length / 250)),
            json: true,
            ledger: undefined,
            realm: spec.name,
            config: configFile,
            data: undefined,
          };
          const outcome = await runBots(
            {
              opts,
              configFile,
              realm: spec.name,
              password: accounts.password,
              dataDir: realm.dataDir,
              numbers: bots,
              onMeasure: () => {
                if (--waitingWindows === 0) striking = strike();
              },
              endWhen: () => calmOver || report.interrupted,
            },
            (line) => say(`[${behavior}] ${line}`),
          );
          return { summary: summarize(opts, spec.name, outcome, undefined), ledgers: outcome.results.flatMap((r) => r.ledgers) };
        });
      const done = await Promise.all(runs);
      process.off("SIGINT", interrupt);
      killer.stop();
      await striking;
      report.kills = killer.kills;
      report.bots = done.map((d) => d.summary);
      if (report.interrupted) return report;
      const final = await realm.waitAllUp(60_000).catch(() => realm.status());
      report.down = (final?.nodes ?? []).filter((n) => n.state !== "up").map((n) => `${n.id} (${n.state})`);
      say("the bots have left; checking the economy against the audit log");
      const ledgers: BotLedger[] = done.flatMap((d) => d.ledgers);
      const db = new DatabaseClient(wire, spec.database.id, { timeoutMs: 5000 });
      report.economy = await checkEconomy(pool, spec.name, db, ledgers);
      report.parties = await checkParties(db, ledgers);
    } finally {
      await pool.end();
    }
    return report;
  } catch (err) {
    const tail = realm.output.split("\n").slice(-5).join("\n");
    throw new Error(`${(err as Error).message}${tail ? `\n${tail}` : ""}`);
  } finally {
    await wire.close();
    const { leftovers } = await realm.stop();
    if (leftovers.length > 0) say(`killed ${leftovers.length} processes left behind`);
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** The run passed: every node up, every bot in the world at the end, nothing lost or doubled, every party as its members were told. */
export function passed(r: ChaosReport): boolean {
  if (r.interrupted) return false;
  const everyoneBack = r.bots.every((b) => b.inWorld === b.players);
  const e = r.economy;
  const partiesHeld = r.parties !== undefined && r.parties.differing.length === 0;
  return r.down.length === 0 && everyoneBack && e !== undefined && e.lost.length === 0 && e.mismatched.length === 0 && e.storeProblems === 0 && partiesHeld && r.kills.every((k) => k.recoveredMs !== undefined);
}
