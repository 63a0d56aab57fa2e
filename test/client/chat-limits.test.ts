// Chat limits at the client node: lines past the rate are refused (not forwarded), global chat is
// slower than the rest, a flood of refused lines mutes the player for a while, and an operator's
// mute from the realm node holds until it ends.
import t from "tap";
import { FLOOD_MUTE_MS, InputGuard } from "../../nodes/client/input-guard.ts";

t.test("chat limits - a burst passes, more is too fast, and a flood mutes for a while", async (t) => {
  const now = 1_000_000;
  const g = new InputGuard(now);
  const verdicts = Array.from({ length: 12 }, () => g.chatLine(now, false));
  t.same(verdicts.slice(0, 6), Array(6).fill("ok"), "a burst of 6 passes");
  t.same(verdicts.slice(6, 10), Array(4).fill("too-fast"), "then lines are refused");
  t.equal(verdicts[10], "muted", "the 5th refused line within 10 s mutes");
  t.equal(g.chatLine(now + 30_000, false), "muted", "still muted half a minute later");
  t.equal(g.chatLine(now + FLOOD_MUTE_MS + 1, false), "ok", "the mute ends by itself");
});

t.test("chat limits - global chat is slower than party chat", async (t) => {
  const now = 2_000_000;
  const g = new InputGuard(now);
  t.same([g.chatLine(now, true), g.chatLine(now, true), g.chatLine(now, true)], ["ok", "ok", "too-fast"], "two global lines in a burst");
  t.equal(g.chatLine(now, false), "ok", "party chat still has room");
  t.equal(g.chatLine(now + 5000, true), "ok", "a global line every 5 s");
});

t.test("chat limits - an operator's mute holds until it ends", async (t) => {
  const now = 3_000_000;
  const g = new InputGuard(now);
  g.mutedUntil = now + 600_000;
  t.equal(g.chatLine(now + 1, false), "muted");
  t.equal(g.chatLine(now + 600_001, false), "ok");
  t.ok(g.socialRequest(now), "social requests have their own allowance");
});
