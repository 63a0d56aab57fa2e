// `realm bots` loads a real realm the way players do: bot accounts, logins through the login
// nodes, WebSockets to the client nodes, a behavior in the world; the run ends by itself with a
// summary, survives a client node's death by resuming elsewhere, and keeps a ledger of what the
// economy acknowledged.
import { readFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { DatabaseClient } from "../../common/db-client.ts";
import { createLog } from "../../common/log.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import type { BotLedger } from "../../ops/bots/ledger.ts";
import type { BotsSummary } from "../../ops/bots/summary.ts";
import { startFrontDoor } from "../harness/front-door.ts";
import { smallWorld } from "../harness/test-config.ts";
import { runCli, spawnCli, until, type CliRun } from "../harness/realm.ts";

// three realm-long runs after a realm's start, on a machine shared with other work
t.setTimeout(480_000);

// a small world, so the bots' start points (the zones' centres) have NPCs in sight
const realm = await startFrontDoor(t, {
  kinds: ["login", "realm", "client", "zone", "instance", "database"],
  edit: smallWorld,
});

type Run = CliRun;

/** Runs `realm bots …` against the test realm without blocking this process; `stderr` fills as it runs. */
function bots(args: string[]): { done: Promise<Run>; live: Run } {
  return spawnCli(t, ["bots", "--config", realm.configFile, ...args], 240_000);
}

/** The one JSON object a `--json` run prints (anything else on stdout is a failure). */
function summaryOf(run: Run): BotsSummary {
  const lines = run.stdout.trim().split("\n");
  if (lines.length !== 1) throw new Error(`stdout is not one line:\n${run.stdout}`);
  return JSON.parse(lines[0]!) as BotsSummary;
}

t.test("bots - a clumped run of 6 ends by itself with one JSON object: all in the world, none disconnected, bytes flowing", async (t) => {
  const run = await bots(["--players", "6", "--behavior", "clump", "--duration", "8", "--json"]).done;
  t.equal(run.code, 0, "exits 0", { stderr: run.stderr });
  const s = summaryOf(run);
  t.equal(s.players, 6);
  t.equal(s.inWorld, 6, "6 bots in the world when the run ends");
  t.equal(s.failed, 0);
  t.equal(s.disconnected, 0, `no bot disconnected (${JSON.stringify(s.closeCodes)})`);
  t.ok((s.bytesPerSecPerBot?.mean ?? 0) > 0, `bytes/s per bot: ${JSON.stringify(s.bytesPerSecPerBot)}`);
  t.ok((s.framesPerSecPerBot?.p50 ?? 0) > 0, "frames arrive");
  t.ok(s.rttMs && s.rttMs.samples > 0, "pings answered");
  t.ok(s.windowSeconds >= 8, `the measured window lasted the duration (${s.windowSeconds} s)`);
  t.equal(s.protocolErrors, 0, "every frame decoded and applied");
  t.match(run.stderr, /ramp/, "progress on stderr while ramping");
});

t.test("bots - bad arguments are one clear line and exit 2", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--players", "0", "--behavior", "clump", "--duration", "8"], /--players must be a whole number/],
    [["--players", "abc", "--behavior", "clump", "--duration", "8"], /--players must be a whole number/],
    [["--players", "3", "--behavior", "nope", "--duration", "8"], /no behavior "nope"/],
    [["--players", "3", "--behavior", "clump", "--duration", "-1"], /--duration/],
    [["--players", "3", "--behavior", "clump", "--duration=-1"], /--duration must be a number above 0/],
    [["--players", "3", "--behavior", "clump", "--duration", "8", "--bogus"], /--bogus/],
    [["--players", "3", "--behavior", "clump"], /--duration is required/],
  ];
  for (const [args, says] of cases) {
    const r = runCli(["bots", "--config", realm.configFile, ...args]);
    const first = r.stderr.split("\n")[0] ?? "";
    t.equal(r.code, 2, `realm bots ${args.join(" ")} exits 2`);
    t.match(first, /^realm bots: /, first);
    t.match(first, says);
  }
});

t.test("bots - a bot whose client node is killed comes back by resume, and the summary counts it", async (t) => {
  const { done, live } = bots(["--players", "4", "--behavior", "spread", "--duration", "20", "--json"]);
  await until("every bot in the world", 90_000, () => (live.code !== null ? Promise.reject(new Error(live.stderr)) : /ramp done/.test(live.stderr) || undefined));
  const victim = await realm.node("CLIENT-1");
  t.ok(victim?.pid, "CLIENT-1 runs");
  process.kill(victim!.pid!, "SIGKILL");
  const run = await done;
  t.equal(run.code, 0, "exits 0", { stderr: run.stderr });
  const s = summaryOf(run);
  t.ok(s.disconnected >= 1, `the bots on CLIENT-1 were dropped (${JSON.stringify(s.closeCodes)})`);
  t.ok(s.resumes >= 1, `and came back by resume (${s.resumes}; by a new login: ${s.relogins})`);
  t.equal(s.reconnects, s.disconnected, "every dropped bot came back");
  t.equal(s.inWorld, 4, "all 4 in the world at the end");
  t.equal(s.failed, 0);
});

t.test("bots - fighting bots near NPCs kill and loot, and the ledger holds every acknowledged loot", async (t) => {
  const ledgerFile = path.join(realm.dir, "fight-ledger.json");
  const run = await bots(["--players", "3", "--behavior", "fight", "--duration", "30", "--json", "--ledger", ledgerFile]).done;
  t.equal(run.code, 0, "exits 0", { stderr: run.stderr });
  const s = summaryOf(run);
  t.ok(s.economy.kills >= 1, `kills: ${s.economy.kills}`);
  t.ok(s.economy.loots >= 1, `loots acknowledged: ${s.economy.loots} (refusals: ${JSON.stringify(s.refusals)})`);
  const ledger = JSON.parse(readFileSync(ledgerFile, "utf8")) as { bots: BotLedger[] };
  t.equal(ledger.bots.length, 3, "a ledger per bot");
  const loots = ledger.bots.flatMap((b) => b.events.filter((e) => e.kind === "loot").map((e) => ({ ...e, owner: b.characterId })));
  t.equal(loots.length, s.economy.loots, "every acknowledged loot is in the ledger");
  t.ok(loots.every((l) => l.opId !== "" && l.itemId !== ""), "each with its operation and item ids");
  // the database holds each item, owned by the character that looted it
  const db = realm.config.realms[0]!.database;
  const wire = realmWire(realm.config, `bots-test-${process.pid}`, createLog("bots-test", "error"));
  t.teardown(() => wire.close());
  const items = await new DatabaseClient(wire, db.id).loadItems(loots.map((l) => l.itemId));
  for (const l of loots) t.equal(items.find((i) => i.id === l.itemId)?.owner, l.owner, `item ${l.itemId} belongs to its looter`);
});

t.test("bots - dungeon bots ask in at an entrance, fight inside, and come back out", async (t) => {
  // smallWorld puts the entrances at the zones' centres, where new characters start
  const run = await bots(["--players", "2", "--behavior", "dungeon", "--duration", "60", "--json"]).done;
  t.equal(run.code, 0, "exits 0", { stderr: run.stderr });
  const s = summaryOf(run);
  t.ok(s.dungeons.entered >= 1, `dungeons entered: ${s.dungeons.entered} (refusals: ${JSON.stringify(s.refusals)})`);
  t.ok(s.dungeons.left >= 1, `and left: ${s.dungeons.left}`);
  t.equal(s.protocolErrors, 0, "no frame the bots could not read");
  t.equal(s.disconnected, 0, `none disconnected (${JSON.stringify(s.closeCodes)})`);
});
