// The peer bench's smallest realm of ours, one zone node over the whole world (two processes),
// beside Colyseus: measured, the same checks as every row, and nothing left running. Its own file
// (not peer-bench.test.ts's) so that each stays well inside the runner's per-file timeout.
import t from "tap";
import { measurePeer } from "../../ops/bench/peer-bench.ts";
import { checkPeerRows } from "../harness/peer-rows.ts";

t.test("the peer bench measures ours with one zone node beside Colyseus", async (t) => {
  const players = 10;
  const rows = await measurePeer([{ scenario: "spread", players, zones: 1 }], { warmupMs: 1000, windowMs: 2000, rounds: 1 });
  t.equal(rows.length, 1);
  t.equal(rows[0]?.zones, 1, "ours ran one zone node");
  checkPeerRows(t, rows, players, 1);
});
