// The chaos suite, one minute of it: bots fight, loot, trade, form parties and go through
// dungeons while nodes of every kind are killed (SIGKILL) or hung (SIGSTOP); at the end every
// node is up, every bot is back in the world, nothing the economy acknowledged is lost or doubled
// (audit log, bots' ledgers and the database agree) and every party is as its members were last
// told. The run is `realm chaos` itself, as an operator would start it.
import t from "tap";
import type { ChaosReport } from "../../ops/chaos/chaos-run.ts";
import { KINDS } from "../../ops/chaos/killer.ts";
import { runCli, spawnCli, tempDir } from "../harness/realm.ts";
import { smallWorld, writeTestConfig } from "../harness/test-config.ts";

t.setTimeout(600_000);

t.test("chaos - bad arguments are refused with one line and exit 2", async (t) => {
  for (const args of [["--minutes", "0", "--bots", "4"], ["--minutes", "1", "--bots", "abc"], ["--minutes", "1"], ["--minutes", "x", "--bots", "4"], ["--minutes", "1", "--bots", "4", "--nope"]]) {
    const r = runCli(["chaos", ...args]);
    t.equal(r.code, 2, `${args.join(" ")}: exit 2`);
    t.match(r.stderr, /realm chaos: /, `${args.join(" ")}: ${r.stderr.split("\n")[0]}`);
  }
});

t.test("chaos - one minute of kills under 10 bots: every node back, every bot back, nothing acknowledged lost or doubled", async (t) => {
  // a small world, so fighting bots find NPCs near where they start
  const config = await writeTestConfig(tempDir(t), { edit: smallWorld });
  const run = await spawnCli(t, ["chaos", "--minutes", "1", "--bots", "10", "--seed", "11", "--json", "--config", config], 540_000).done;
  t.equal(run.code, 0, "exits 0: the run held", { stderr: run.stderr.split("\n").slice(-30).join("\n") });
  const report = JSON.parse(run.stdout.trim()) as ChaosReport & { passed: boolean };
  t.ok(report.passed, "passed");
  t.ok(report.kills.length >= 4, `${report.kills.length} kills in a minute`);
  t.ok(report.kills.every((k) => KINDS.includes(k.kind) && k.recoveredMs !== undefined), "each killed node came back");
  t.same(report.down, [], "every node up at the end");
  t.ok(report.bots.every((b) => b.inWorld === b.players), "every bot in the world at the end");
  const e = report.economy!;
  t.ok(e.acknowledged > 0, `${e.acknowledged} acknowledged operations checked`);
  t.same([e.lost, e.mismatched, e.storeProblems], [[], [], 0], "none lost, none differs, the store is sound");
  const parties = report.parties!;
  t.ok(parties.checked > 0, `${parties.checked} bots' last party view checked against the database`);
  t.same(parties.differing, [], "every party is as its members were last told");
  t.match(run.stderr, /checking the economy/, "progress shown while it runs");
});
