// The peer benchmark at its smallest: both sides (our zone + client nodes, a Colyseus room) run
// with real players, produce figures, see the same players, refuse none of the walk's moves, and
// leave no process behind. Ours as the smallest realm (one zone node) is peer-bench-one-zone's.
// The figures themselves are the benchmark's to report, not asserted.
import t from "tap";
import { measurePeer } from "../../ops/bench/peer-bench.ts";
import { checkPeerRows } from "../harness/peer-rows.ts";

t.test("the peer bench measures ours and Colyseus side by side and stops every process it started", async (t) => {
  const players = 10;
  const rows = await measurePeer(
    [
      { scenario: "clumped", players },
      { scenario: "spread", players },
    ],
    { warmupMs: 1000, windowMs: 2000, rounds: 2 },
  );
  t.equal(rows.length, 2);
  checkPeerRows(t, rows, players, 2);
});

t.test("sizes the bench cannot run are refused with a clear error", async (t) => {
  const timing = { warmupMs: 0, windowMs: 1000 };
  await t.rejects(measurePeer([{ scenario: "nowhere" as "clumped", players: 10 }], timing), /no scenario "nowhere"/);
  await t.rejects(measurePeer([{ scenario: "spread", players: 0 }], timing), /players must be a whole number/);
  await t.rejects(measurePeer([{ scenario: "spread", players: 10, zones: 3 as 1 }], timing), /zones must be 1 or 2, not 3/);
  await t.rejects(measurePeer([{ scenario: "spread", players: 10 }], { warmupMs: 0, windowMs: 10 }), /window must be at least 500 ms/);
  await t.rejects(measurePeer([{ scenario: "spread", players: 10 }], { ...timing, rounds: 0 }), /rounds must be a whole number from 1 to 9/);
});
