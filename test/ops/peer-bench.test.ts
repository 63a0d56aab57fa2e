// The peer benchmark at its smallest: both sides (our zone + client nodes, a Colyseus room) run
// with real players, produce figures, see the same players, refuse none of the walk's moves, and
// leave no process behind; ours also as the smallest realm, one zone node over the whole world.
// The figures themselves are the benchmark's to report, not asserted.
import t from "tap";
import { isAlive } from "../../common/launch.ts";
import { measurePeer } from "../../ops/bench/peer-bench.ts";

t.test("the peer bench measures ours and Colyseus side by side and stops every process it started", async (t) => {
  const players = 10;
  const rows = await measurePeer(
    [
      { scenario: "clumped", players },
      { scenario: "spread", players },
      { scenario: "spread", players, zones: 1 },
    ],
    { warmupMs: 1000, windowMs: 2000, rounds: 2 },
  );
  t.equal(rows.length, 3);
  for (const r of rows) {
    t.equal(r.ours.length, 2, "two rounds of ours");
    t.equal(r.colyseus.length, 2, "two rounds of Colyseus");
    const sides = [...r.ours.map((f) => ["ours", f] as const), ...r.colyseus.map((f) => ["Colyseus", f] as const)];
    for (const [side, f] of sides) {
      const what = `${side}, ${r.scenario}${r.zones === 1 ? ", one zone" : ""}`;
      t.ok(f.bytesPerPlayerPerSecond > 0, `${what}: bytes per player per second (${f.bytesPerPlayerPerSecond.toFixed(0)})`);
      t.ok(f.cpuMsPerPlayerPerSecond > 0, `${what}: CPU ms per player per second (${f.cpuMsPerPlayerPerSecond.toFixed(2)})`);
      t.equal(f.refused, 0, `${what}: no move of the walk refused`);
      const processes = side === "Colyseus" ? 1 : r.zones === 1 ? 2 : 3;
      t.equal(f.pids.length, processes, `${what}: ${processes} server processes measured`);
      t.same(f.pids.filter(isAlive), [], `${what}: every server process is gone`);
      // one cell: everyone within vision of everyone; spread: at least oneself
      if (r.scenario === "clumped") t.equal(f.visible, players, `${what}: every player sees all ${players}`);
      else t.ok(f.visible >= 1, `${what}: every player sees itself`);
    }
  }
});

t.test("sizes the bench cannot run are refused with a clear error", async (t) => {
  const timing = { warmupMs: 0, windowMs: 1000 };
  await t.rejects(measurePeer([{ scenario: "nowhere" as "clumped", players: 10 }], timing), /no scenario "nowhere"/);
  await t.rejects(measurePeer([{ scenario: "spread", players: 0 }], timing), /players must be a whole number/);
  await t.rejects(measurePeer([{ scenario: "spread", players: 10, zones: 3 as 1 }], timing), /zones must be 1 or 2, not 3/);
  await t.rejects(measurePeer([{ scenario: "spread", players: 10 }], { warmupMs: 0, windowMs: 10 }), /window must be at least 500 ms/);
  await t.rejects(measurePeer([{ scenario: "spread", players: 10 }], { ...timing, rounds: 0 }), /rounds must be a whole number from 1 to 9/);
});
