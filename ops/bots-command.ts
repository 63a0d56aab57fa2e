// `realm bots`: load a running realm the way players do (ops/bots/): bot accounts made in bulk,
// logins through the login nodes, WebSockets to the client nodes, a behavior in the world, for a
// bounded time; then a summary table, or one JSON object with --json.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../common/errors.ts";
import { createPool, migrate } from "../common/postgres/connect.ts";
import { prepareBotAccounts } from "./bots/accounts.ts";
import { postgresUrl } from "./embedded-postgres.ts";
import { parseBotsOptions } from "./bots/options.ts";
import { RealmSideWatch, type RealmSide } from "./bots/realm-side.ts";
import { runBots } from "./bots/run.ts";
import { summarize, summaryTable } from "./bots/summary.ts";
import { configFrom, dataDirOf, type Command } from "./command.ts";

export const bots: Command = {
  usage: ["bots --players N --behavior spread|clump|patrol|fight|trade|dungeon|party --duration S [--ramp PER_SECOND] [--workers W] [--ledger FILE] [--realm NAME] [--json]   bot players log in, play, leave; then a summary"],
  async run(argv) {
    const opts = parseBotsOptions(argv);
    const config = configFrom(opts);
    const realm = opts.realm === undefined ? config.realms[0] : config.realms.find((r) => r.name === opts.realm);
    if (!realm) throw new UsageError(`no realm ${opts.realm} in ${config.file} (there are: ${config.realms.map((r) => r.name).join(", ")})`);
    const dataDir = dataDirOf(config, opts.data);
    const say = (line: string): void => void process.stderr.write(`[bots] ${line}\n`);
    const pool = createPool(postgresUrl(dataDir), 2);
    let accounts: Awaited<ReturnType<typeof prepareBotAccounts>>;
    try {
      await migrate(pool);
      accounts = await prepareBotAccounts(pool, opts.players);
    } finally {
      await pool.end();
    }
    if (accounts.foreign.length > 0) say(`${accounts.foreign.length} bot names belong to other accounts and cannot log in (${accounts.foreign.slice(0, 5).join(", ")}…)`);
    say(`${accounts.ready} bot accounts ready; ${opts.players} bots in ${opts.workers} workers, ${opts.ramp} logins/s, behavior ${opts.behavior}`);
    // the realm's side of the window (zone ticks, node CPU), read when the realm runs here
    const side = new RealmSideWatch(config);
    let closing: Promise<RealmSide | undefined> | undefined;
    const outcome = await runBots(
      { opts, configFile: config.file, realm: realm.name, password: accounts.password, dataDir, onMeasure: () => void side.open(), onWindowEnd: () => (closing = side.close()) },
      say,
    );
    const ledgerFile = opts.ledger === undefined ? undefined : path.resolve(opts.ledger);
    if (ledgerFile) {
      const ledgers = outcome.results.flatMap((r) => r.ledgers);
      writeFileSync(ledgerFile, JSON.stringify({ realm: realm.name, behavior: opts.behavior, at: new Date().toISOString(), bots: ledgers }) + "\n");
    }
    const summary = summarize(opts, realm.name, outcome, ledgerFile);
    summary.server = (await (closing ?? side.close())) ?? null;
    console.log(opts.json ? JSON.stringify(summary) : summaryTable(summary));
    // a run where no bot ever stood in the world measured nothing
    return summary.entered > 0 ? 0 : 1;
  },
};
