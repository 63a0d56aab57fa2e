// A client node that was not reading (starved, or busy) finds seconds of a player's input waiting
// at once. The input checks time messages by arrival, so the stall ledger tells them how long the
// node was away: that pile-up passes, the same burst from a node that was reading does not.
import t from "tap";
import { InputGuard } from "../../nodes/client/input-guard.ts";
import { NO_STALLS, StallLedger } from "../../nodes/client/stall-ledger.ts";

const T0 = 1_000_000;

/** A ledger started at T0 that checked the clock at these times after it. */
function checkedAt(ledger: StallLedger, ...ats: number[]): StallLedger {
  for (const at of ats) ledger.check(T0 + at);
  return ledger;
}

t.test("stall ledger - counts the late checks, and a stall still going on, no more than asked about", async (t) => {
  const ledger = checkedAt(new StallLedger(() => T0), 100, 200);
  t.equal(ledger.since(T0, T0 + 250), 0, "on-time checks are no stall");
  checkedAt(ledger, 3200);
  t.equal(ledger.since(T0, T0 + 3200), 2900, "3 s between checks 100 ms apart: 2.9 s stalled");
  t.equal(ledger.since(T0 + 2200, T0 + 3200), 1000, "only the part after the time asked about");
  t.equal(ledger.since(T0 + 3200, T0 + 3250), 0, "nothing after it");
  t.equal(ledger.since(T0 + 3200, T0 + 5000), 1700, "a check overdue now: the node is still away");
  t.equal(ledger.since(T0 + 4900, T0 + 5000), 100, "of which only what came after the time asked about");
  t.equal(ledger.since(T0, T0 + 200_000), 30_000, "capped: a node away longer had bigger trouble than input");
});

t.test("stalled node input - a burst of messages and moves from a stall passes; from a reading node it is a flood and a teleport", async (t) => {
  const after = T0 + 3200;
  const verdicts = (g: InputGuard): { frames: number; moves: number } => {
    let frames = 0;
    let moves = 0;
    for (let i = 0; i < 150; i++) if (g.frame(20, true, after).ok) frames++;
    // 3 s at ten moves a second, 2.6 units each: 78 units, over the 30 of one second banked
    for (let i = 1; i <= 30; i++) {
      const v = g.move(2.6 * i, 0, after);
      if (v !== "drop" && v.ok) moves++;
    }
    return { frames, moves };
  };
  // on time up to T0 + 200, then not until T0 + 3200
  const ledger = checkedAt(new StallLedger(() => T0), 100, 200, 3200);
  const stalled = new InputGuard(T0, ledger);
  stalled.placeAt(0, 0, T0 + 200);
  t.same(verdicts(stalled), { frames: 150, moves: 30 }, "after a 2.9 s stall: 150 messages and 78 units of moves pass");
  checkedAt(ledger, 3300, 3400, 3500, 3600, 3700);
  let again = 0;
  for (let i = 0; i < 200; i++) if (stalled.frame(20, true, after + 500).ok) again++;
  // the burst of 80 plus 2.9 s at 40/s held 196; 150 spent leaves 46, and 0.5 s of rate adds 20
  t.equal(again, 66, "a second burst gets what the stall left plus the ordinary rate, not a second stall's worth");

  const reading = new InputGuard(T0, NO_STALLS);
  reading.placeAt(0, 0, T0 + 200);
  const r = verdicts(reading);
  t.ok(r.frames < 150 && r.frames >= 80, `from a node that was reading: ${r.frames} of 150 messages pass (the burst)`);
  t.ok(r.moves < 30, `and ${r.moves} of 30 moves (the rest are dropped as too fast)`);
});
