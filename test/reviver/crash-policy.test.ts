// When the reviver restarts a crashed node and when it gives up: pure, so every edge is exact.
import t from "tap";
import { CRASH_WINDOW_MS, CrashPolicy, MAX_CRASHES_IN_WINDOW, type CrashVerdict } from "../../nodes/reviver/crash-policy.ts";

const T0 = 1_700_000_000_000;

t.test("crash policy - the window and the limit are 60 s and 5 crashes", async (t) => {
  t.equal(CRASH_WINDOW_MS, 60_000);
  t.equal(MAX_CRASHES_IN_WINDOW, 5);
});

t.test("crash policy - first restart immediate, then exponential backoff, give up at the 5th crash in 60 s", async (t) => {
  const policy = new CrashPolicy();
  const verdicts: CrashVerdict[] = [0, 1_000, 2_000, 3_000, 4_000].map((dt) => policy.crashed(T0 + dt));
  t.same(verdicts, [
    { action: "restart", delayMs: 0 },
    { action: "restart", delayMs: 200 },
    { action: "restart", delayMs: 400 },
    { action: "restart", delayMs: 800 },
    { action: "give-up", crashes: 5 },
  ]);
});

t.test("crash policy - five crashes spread over just under 60 s still give up", async (t) => {
  const policy = new CrashPolicy();
  for (const dt of [0, 15_000, 30_000, 45_000]) t.equal(policy.crashed(T0 + dt).action, "restart");
  t.same(policy.crashed(T0 + CRASH_WINDOW_MS - 1), { action: "give-up", crashes: 5 }, "the first crash is 59.999 s old: it still counts");
});

t.test("crash policy - crashes 60 s old or older are forgotten", async (t) => {
  const policy = new CrashPolicy();
  for (const dt of [0, 15_000, 30_000, 45_000]) policy.crashed(T0 + dt);
  // the crash at T0 is exactly 60 s old now: it leaves the window, so this is the 4th, not the 5th
  t.same(policy.crashed(T0 + CRASH_WINDOW_MS), { action: "restart", delayMs: 800 });
  // a long quiet spell forgets everything: the next crash is a first crash again
  t.same(policy.crashed(T0 + 10 * CRASH_WINDOW_MS), { action: "restart", delayMs: 0 });
  t.same(policy.crashed(T0 + 10 * CRASH_WINDOW_MS + 1), { action: "restart", delayMs: 200 });
});

t.test("crash policy - a node that crashes once a minute is restarted forever, at once each time", async (t) => {
  const policy = new CrashPolicy();
  for (let i = 0; i < 20; i++) {
    t.same(policy.crashed(T0 + i * CRASH_WINDOW_MS), { action: "restart", delayMs: 0 }, `crash ${i + 1}`);
  }
});

t.test("crash policy - reset() forgets the crashes", async (t) => {
  const policy = new CrashPolicy();
  for (const dt of [0, 1, 2, 3]) policy.crashed(T0 + dt);
  policy.reset();
  t.same(policy.crashed(T0 + 4), { action: "restart", delayMs: 0 }, "after reset the next crash is a first crash");
});

t.test("crash policy - each node's policy counts its own crashes", async (t) => {
  const a = new CrashPolicy();
  const b = new CrashPolicy();
  for (const dt of [0, 1, 2, 3]) a.crashed(T0 + dt);
  t.same(b.crashed(T0 + 4), { action: "restart", delayMs: 0 });
  t.same(a.crashed(T0 + 5), { action: "give-up", crashes: 5 });
});
